"""Stage 1, read: what in a document is about a person rather than the job.

A resume's name line and contact header, e-mail and web addresses, street addresses and post
codes, and people named in a listing ("contact our recruiter Jane Doe") are personal data:
never searched for skills (``skills.find``) and never index terms (``analyse``). The headings
that end a resume's header are here too, as the header is found by them.
"""

from __future__ import annotations

import re

# A line that lists skills: "Languages: C", "Programming Languages: C, Java", "Tech stack: ...".
SKILLS_LABEL = (
    r"(?:[\w+#/&-]+[ \t]+){0,3}(?:languages?|skills?|technolog(?:y|ies)|tech(?:nical)?[ \t]+stack"
    r"|stack|tools?|toolkit|frameworks?|librar(?:y|ies)|platforms?|software|proficienc(?:y|ies)"
    r"|competenc(?:y|ies)|expertise|environments?)"
)
# A heading over lines of skills, alone on its line ("Skills", "## Technical Skills").
SKILLS_HEADING = re.compile(
    r"[ \t]*[#*_-]*[ \t]*(?:core[ \t]+|key[ \t]+)?" + SKILLS_LABEL + r"[ \t]*[*_]*[ \t]*:?[ \t]*",
    re.IGNORECASE,
)
# Text that is not prose: web addresses and e-mail addresses ("github.com/me/react-native-demo"
# names no skill of the writer's). Each alternative starts where a word does, so that a long run
# of letters is scanned once, not once per letter.
_NOT_TEXT = re.compile(
    r"(?:https?://|ftp://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.-])(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|ai|co|uk|de|fr|eu|app|me|info|edu|gov|ly)/\S*",
    re.IGNORECASE,
)
# People's names: after a title, in a references line, or named as the contact of a listing.
_NAME = r"[A-Z][\w'\u2019-]+(?:[ \t]+(?:[A-Z]\.|[A-Z][\w'\u2019-]+)){0,3}"
_PERSON = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof|Sir|Dame)\.?[ \t]+(?P<name>" + _NAME + ")"
    r"|(?i:\b(?:contact|call|e-?mail|ask for|speak to|talk to|reach out to|write to)[ \t]+"
    r"(?:our[ \t]+|the[ \t]+)?(?:recruiter|hiring manager|talent partner|recruitment partner)?"
    r"[ \t,]*)(?P<contact>" + _NAME + ")"
    r"|(?i:\b(?:recruiter|hiring manager|referees?|references?)[ \t]*[:,-]?[ \t]+)(?P<ref>"
    + _NAME
    + ")"
)
# A resume's name line: two to four capitalised words (or initials) alone on the first line.
_NAME_LINE = re.compile(
    r"[ \t#*]*(?:[A-Z][\w'\u2019-]+|[A-Z]\.)(?:[ \t]+(?:[A-Z][\w'\u2019-]+|[A-Z]\.|"
    r"de|da|del|der|van|von|la|le|bin|al)){1,3}[ \t*]*"
)
# Words that make a first line a job title rather than a name ("Senior Java Developer").
_ROLE_WORDS = frozenset(
    """engineer developer scientist manager analyst designer architect consultant specialist
    director lead technician nurse teacher administrator coordinator officer assistant intern
    accountant programmer researcher economist statistician recruiter writer editor advisor
    adviser therapist pharmacist supervisor planner professor physician associate executive
    operator driver clerk agent representative resume cv curriculum vitae""".split()
)
# Resume headings that end a list of skills under a skills heading.
OTHER_HEADING = re.compile(
    r"[ \t#*_-]*(?:experience|work experience|professional experience|employment|education|"
    r"projects?|summary|profile|certifications?|references|publications|awards|interests|"
    r"contact|objective|volunteering)[ \t*_]*:?[ \t]*",
    re.IGNORECASE,
)


# A street address ("12 Jenkins Road", "Swift Street") or a post code (UK, US ZIP).
ADDRESS = re.compile(
    r"\b[A-Z][\w'-]*[ \t]+(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Drive|Dr|Way|Close|Court|Ct"
    r"|Place|Pl|Boulevard|Blvd|Crescent|Terrace|Square|Grove|Gardens|Row|Mews|Parkway)\b\.?"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?[ \t]+\d[A-Z]{2}\b|\b[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?\b"
)
# What a contact line holds: an e-mail address or a telephone number.
CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|\+?\(?\d[\d \t().-]{7,}\d")
# A resume's contact header is at most its first lines before a blank line or a heading.
_HEADER_LINES = 4


# Words one of which every match of _PERSON holds: its titles as written, its cues in any case.
_TITLES = ("Dr", "Mr", "Ms", "Mx", "Miss", "Prof", "Sir", "Dame")
_CUES = (
    "contact", "call", "mail", "ask for", "speak to", "talk to", "reach out to", "write to",
    "recruiter", "hiring manager", "referee", "reference",
)  # fmt: skip
# The only letters beyond ASCII that match an ASCII letter when case is ignored (İ ı ſ K).
_FOLDING_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


def _maybe_person(text: str) -> bool:
    """Return whether ``text`` may name a person as _PERSON finds them (False: it cannot)."""
    for title in _TITLES:  # loops, not any(): this runs for every sentence of every listing
        if title in text:
            return True
    lower = text.lower()
    for cue in _CUES:
        if cue in lower:
            return True
    return not _FOLDING_TO_ASCII.isdisjoint(text)


def masked(text: str) -> str:
    """Return ``text`` with addresses and people's names blanked out, same length."""
    # Every address holds a "/", an "@" or "www." (in any case): most sentences hold none.
    maybe_address = "/" in text or "@" in text or "www." in text.lower()
    spans = [m.span() for m in _NOT_TEXT.finditer(text)] if maybe_address else []
    for m in _PERSON.finditer(text) if _maybe_person(text) else ():
        group = next(g for g in ("name", "contact", "ref") if m.group(g))
        spans.append(m.span(group))
    first = name_line(text)
    if first is not None:
        spans.append(first)
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def name_line(text: str) -> tuple[int, int] | None:
    """Return the span of the first line when it is a person's name, as resumes start.

    Only a text of several lines has a name line: analysis also sees single sentences.
    """
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    if end < 0 or not text[end:].strip():
        return None  # one line is a phrase or a sentence ("Apache Airflow"), not a document
    line = text[start:end]
    if not _NAME_LINE.fullmatch(line) or SKILLS_HEADING.fullmatch(line):
        return None
    if OTHER_HEADING.fullmatch(line):
        return None
    if any(word.lower().strip("*#") in _ROLE_WORDS for word in line.split()):
        return None
    return start, end


def header_end(text: str) -> int:
    """Return where a document's contact header ends (0: none): the lines before its first
    blank line or heading, at most ``_HEADER_LINES``, when the first holds a name or the
    header a contact line. Only a text of several lines has one."""
    if text.count("\n") < 2:
        return 0
    position = len(text) - len(text.lstrip())
    header = []
    for line in text[position:].split("\n")[:_HEADER_LINES]:
        if not line.strip() or SKILLS_HEADING.fullmatch(line) or OTHER_HEADING.fullmatch(line):
            break
        header.append(line)
    if not header:
        return 0
    if name_line(text) is None and not any(CONTACT.search(line) for line in header):
        return 0
    return position + sum(len(line) + 1 for line in header)


def without_person(text: str) -> tuple[str, frozenset[str]]:
    """Return a resume's ``text`` with what is personal blanked out, and its name's words.

    Blanked (same length, so offsets still hold): the name line, e-mail and web addresses,
    people named after a title or in a references line (see ``masked``), and the header's lines
    that hold a telephone number, an e-mail or a street address. The words are the name line's
    in lower case, two letters or more ("priya", "venkataraman", "holt"), and they are blanked
    wherever the text repeats them as a name is written ("Priya", "PRIYA" only when the name
    line is in capitals too; "LEO" in "LEO constellation" stays for a Leo): a name is never
    evidence.
    """
    line = name_line(text)
    names: frozenset[str] = frozenset()
    if line is not None:
        names = frozenset(word.lower() for word in _WORD.findall(text[line[0] : line[1]]))
    blanked = masked(text)
    stop = header_end(text)
    if stop:
        chars: list[str] | None = None
        position = 0
        for piece in blanked[:stop].split("\n"):
            end = position + len(piece)
            if CONTACT.search(piece) or ADDRESS.search(piece):
                chars = chars if chars is not None else list(blanked)
                chars[position:end] = " " * (end - position)
            position = end + 1
        if chars is not None:
            blanked = "".join(chars)
    if names:
        written = {m.group() for m in _WORD.finditer(text[line[0] : line[1]])} if line else set()
        forms = written | {word.capitalize() for word in names}
        blanked = re.sub(
            r"(?<![^\W\d_])(?:" + "|".join(sorted(map(re.escape, forms))) + r")(?![^\W\d_])",
            lambda m: " " * len(m.group()),
            blanked,
        )
    return blanked, names


_WORD = re.compile(r"[^\W\d_]{2,}")
