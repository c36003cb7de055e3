"""One normalisation step for every text matcher reads, before any analysis.

What it changes, in this order:

1. HTML character references are decoded (``&amp;`` -> ``&``, ``&#39;`` -> ``'``, ``&nbsp;``
   -> a space): listings scraped from web pages carry them in plain-text fields.
2. Line ends become ``\\n`` (``\\r\\n``, ``\\r``, U+2028, U+2029 and U+0085 included), so that
   every reader's lines look alike.
3. Unicode compatibility forms are folded (NFKC): ligatures (``ﬁ`` -> ``fi``, ``ﬃ`` -> ``ffi``),
   full-width letters and signs (``Ｐｙｔｈｏｎ`` -> ``Python``, ``C＃`` -> ``C#``), no-break and
   other fixed-width spaces -> a space, superscripts, ``…`` -> ``...``. The music sharp ``♯`` is
   written for ``#`` in "C♯" and becomes ``#`` too.
4. Invisible characters are dropped: soft hyphens (U+00AD), zero-width space, joiners and
   non-joiners, the word joiner, byte-order marks and other format characters (Unicode category
   Cf) that no reader sees.
5. Lone surrogates (U+D800-U+DFFF, which a JSON file may write as ``"\\ud800"`` escapes but no
   text holds) become U+FFFD, the replacement character, so the text can be encoded again.
6. A word hyphenated at a line end ("Kuber-\\nnetes") is joined ("Kubernetes\\n") when the joined
   word is known: a word of a built-in skill's name or forms (read from the vocabulary's file,
   ``builtin_skill_words``), or a word written whole elsewhere in the same text. Otherwise the
   hyphen and the line break stay ("data-\\ndriven").

Positions: readers return the normalised text, and every span ``extract_skills`` reports
points into that text (``matcher skills`` shows it), not into the file's bytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

_OTHER_LINE_ENDS = re.compile("[\u2028\u2029\u0085]")
# Format characters (Unicode category Cf, as of Unicode 14.0.0) are invisible; the soft hyphen
# is one of them. U+0600-U+0605 are left: they shape the numbers they stand before.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
# An entity needs its ";" here: "R&D", "AT&T" and "&copy2020" stay as written.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A word broken at a line end: letters, a hyphen, the line break, letters.
_BROKEN = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-[ \t]*\n[ \t]*([^\W\d_]+)(\S*)[ \t]?")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=1)
def builtin_skill_words() -> frozenset[str]:
    """Return the lower-case words (two letters or more) of the built-in skills' names and forms.

    Read from ``matcher/data/skills.csv`` itself (its ``name``, ``aliases`` and ``ambiguous``
    columns), not through ``matcher.skills``: a reader stands below the skills in the pipeline.
    Read once, when a hyphenated line end first needs it. Raises ``OSError`` if the packaged
    file is missing (a broken install).
    """
    import csv  # here: most texts hold no hyphenated line end
    import io
    from importlib import resources

    text = resources.files("matcher").joinpath("data/skills.csv").read_text(encoding="utf-8")
    words: set[str] = set()
    for row in csv.DictReader(io.StringIO(text)):
        for field in ("name", "aliases", "ambiguous"):
            words.update(w.lower() for w in _WORD.findall(row.get(field) or ""))
    return frozenset(words)


def normalise(text: str, known: Callable[[str], bool] | None = None) -> str:
    """Return ``text`` normalised as the module docstring says, as a string of any length.

    Most steps shorten a text or leave its length, but NFKC may lengthen it (``"¼"`` becomes
    ``"1⁄4"``, ``"ﬃ"`` ``"ffi"``): positions in the result are not those of ``text``.

    ``known(word)`` says whether a lower-case word is a word, for joining words hyphenated at
    a line end; by default a word of a built-in skill, or one written whole elsewhere in
    ``text``. Raises nothing; an empty text stays empty.
    """
    if "&" in text:
        import html  # here: most texts hold no entity

        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        if _OTHER_LINE_ENDS.search(text):
            text = _OTHER_LINE_ENDS.sub("\n", text)
        if "\u266f" in text:  # MUSIC SHARP SIGN, as in "C♯", "F♯" (str.translate is slow)
            text = text.replace("\u266f", "#")
        text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE.sub("", text)
        text = valid_unicode(text)
    if "-\n" in text or "- \n" in text:
        text = _join_hyphenated(text, known)
    return text


def valid_unicode(text: str) -> str:
    """Return ``text`` with lone surrogates replaced by U+FFFD (step 5 of ``normalise``)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _join_hyphenated(text: str, known: Callable[[str], bool] | None) -> str:
    if known is None:
        whole = {w.lower() for w in _WORD.findall(text)}
        vocabulary = builtin_skill_words()

        def known(word: str) -> bool:
            return word in whole or word in vocabulary

    def join(m: re.Match[str]) -> str:
        first, second = m.group(1), m.group(2)
        if known((first + second).lower()):
            return first + second + m.group(3) + "\n"
        return m.group()

    return _BROKEN.sub(join, text)
