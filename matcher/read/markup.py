"""HTML and Markdown to plain text: headings kept as lines of their own, lists as lines.

HTML is parsed with the standard library's ``html.parser`` (a tolerant tokenizer that ships
with Python and knows every named entity; a listing's description needs no tree, only the order
of its text and where blocks start). Markdown is rendered to HTML by ``markdown-it-py`` (the
CommonMark parser that ``rich`` already depends on) and then read the same way, so setext
(``Requirements\\n---``), ATX (``## Requirements``) and bold (``**Requirements:**``) headings,
lists, links and backslash escapes all come out as a person reads them.

The text keeps: a heading as a line of its own; each list item as a line starting with "- ";
a link as its text (never its target); a table row as its cells joined by " | ". It drops
images, scripts, styles and comments.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

# Tags that start and end a line of their own.
_BLOCKS = frozenset(
    """address article aside blockquote dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody
    thead tfoot tr ul""".split()
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Tags whose content nobody reads as text.
_HIDDEN = frozenset(("script", "style", "template", "noscript", "head", "title", "svg"))
_SPACES = re.compile(r"[ \t\r\n\f]+")

# Tags that show a text is HTML rather than plain text that mentions "<" now and then.
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|strong|b|em|i|span|table|tr|td|a\s+href)\b[^<>]{0,500}>",
    re.IGNORECASE,
)
_ESCAPED_TAG = re.compile(r"&lt;/?(?:p|div|br|li|ul|ol|h[1-6]|strong|b|span)\b", re.IGNORECASE)
# Markdown's marks at a line start (ATX heading, list item, setext underline) or inline
# (strong emphasis, a link, a backslash escape).
_MARKDOWN = re.compile(
    r"^(?:#{1,6}[ \t]+\S|[*+-][ \t]+\S|=+[ \t]*$|-{3,}[ \t]*$)"
    r"|\*\*\S[^*\n]*\*\*|__\S[^_\n]*__|\]\([^)\s]+\)|\\[\\`*_{}\[\]()#+.!-]",
    re.MULTILINE,
)


class _TextParser(HTMLParser):
    """Collects the visible text of an HTML document as lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._hidden = 0
        self._pre = 0
        self._cells = 0

    def _end_line(self) -> None:
        line = "".join(self._line).strip()
        if line:
            self.lines.append(line)
        self._line = []
        self._cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self._end_line()
        elif tag in ("td", "th"):
            if self._cells:
                self._line.append(" | ")
            self._cells += 1
        elif tag in _BLOCKS:
            self._end_line()
            if tag in _HEADINGS:
                self.lines.append("")  # a blank line before a heading, as a writer leaves one
            elif tag == "li":
                self._line.append("- ")
            elif tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._end_line()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._pre:
            for i, part in enumerate(data.split("\n")):
                if i:
                    self._end_line()
                self._line.append(part)
            return
        text = _SPACES.sub(" ", data)
        if not self._line or self._line[-1].endswith((" ", "- ")):
            text = text.lstrip(" ")
        self._line.append(text)

    def text(self) -> str:
        self._end_line()
        out: list[str] = []
        for line in self.lines:
            if line or (out and out[-1]):  # at most one blank line in a row
                out.append(line)
        while out and not out[-1]:
            out.pop()
        return "\n".join(out)


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML document or fragment, one block per line.

    Character references are decoded; an HTML text that was itself entity-encoded
    (``&lt;p&gt;...``) is decoded and read again. Raises nothing: broken markup is read as far
    as it goes, as browsers do.
    """
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError:
        # html.parser refuses a marked section of an unknown keyword ("<![CDNTA[") with an
        # AssertionError; a browser reads it as a bogus comment ending at the next ">", which
        # is what "<!CDNTA[" is to html.parser too.
        parser = _TextParser()
        parser.feed(html.replace("<![", "<!"))
        parser.close()
    text = parser.text()
    if _HTML_TAG.search(text) and not _HTML_TAG.search(html):
        return html_to_text(text)  # it was "&lt;p&gt;...": once more, now as HTML
    return text


def markdown_to_text(markdown: str) -> str:
    """Return the text of a Markdown document as a person reads it, one block per line.

    Rendered by markdown-it-py (CommonMark, line breaks inside a paragraph kept, raw HTML
    allowed) and read with ``html_to_text``.
    """
    return html_to_text(_markdown().render(markdown))


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt  # imported here: only Markdown pays for it

    return MarkdownIt("commonmark", {"breaks": True, "html": True})


def looks_like_html(text: str) -> bool:
    """Return whether ``text`` holds HTML block or emphasis tags (or entity-encoded ones)."""
    return _HTML_TAG.search(text) is not None or _ESCAPED_TAG.search(text) is not None


def looks_like_markdown(text: str) -> bool:
    """Return whether ``text`` uses Markdown's marks: headings, lists, emphasis, links, escapes."""
    return _MARKDOWN.search(text) is not None


def markup_to_text(text: str) -> str:
    """Return ``text`` as plain text: HTML and Markdown converted, anything else unchanged."""
    if looks_like_html(text):
        return html_to_text(text)
    if looks_like_markdown(text):
        return markdown_to_text(text)
    return text
