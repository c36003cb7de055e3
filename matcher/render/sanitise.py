"""One sanitising step for text from input on its way to a terminal or a text report.

Listings are scraped from the web and resumes come from anywhere: a title, company, location,
skill name or file name may hold terminal escape sequences (``ESC ] 8 ;; URL BEL`` links,
``ESC [ 2 J`` clear screen, ``ESC ] 0 ; ... BEL`` window titles), other C0 and C1 control
characters, or bidirectional overrides (U+202E) that make a terminal show text in another
order than it is. A terminal must only ever see what matcher itself prints, so every text
renderer and every message to stderr passes what came from input through ``clean``.

Only control characters are touched: letters, marks, symbols and spaces of every script stay.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

# Escape sequences as ECMA-48 defines them, 7-bit (ESC ...) and 8-bit (C1) forms:
# - CSI: ESC [ or U+009B, parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, a final
#   byte 0x40-0x7E ("ESC[2J", "ESC[31m");
# - control strings: OSC (ESC ] or U+009D), DCS (ESC P, U+0090), SOS (ESC X, U+0098), PM
#   (ESC ^, U+009E), APC (ESC _, U+009F), ended by BEL (xterm's OSC ending), ST (ESC \ or
#   U+009C); the payload goes with the sequence, since a terminal would swallow it too;
# - any other ESC and the one character after it ("ESC c" resets a terminal).
# An unended control string loses only its introducer: its payload is then plain text, and
# nothing after it in the report is swallowed.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[\x20-\x7e]?"
)
# What is left after the sequences: C0 controls but tab and line feed (carriage return,
# backspace and bell included: each can rewrite or sound what a terminal shows), DEL, C1
# controls, and the bidirectional controls (embeddings, overrides, isolates, marks) that make
# a terminal reorder what it shows (Trojan Source, CVE-2021-42574).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# Fields not cleaned by ``clean_data``: texts that renderers slice by offsets found before
# (a document's ``text``, a skill's spans into it) or never show whole (a listing's
# ``description``). The renderers' output is cleaned as a whole, slices included.
_KEPT_WHOLE = frozenset({"text", "description"})

T = TypeVar("T")


def clean(text: str) -> str:
    """Return ``text`` without escape sequences and control characters, line breaks kept.

    Removed: escape sequences with their parameters and payloads (a CSI sequence, an OSC,
    DCS, SOS, PM or APC string to its BEL or ST), then every C0 control but tab and line feed,
    DEL, every C1 control (U+0080-U+009F), and the bidirectional embeddings, overrides,
    isolates and marks (U+061C, U+200E-F, U+202A-E, U+2066-9). A carriage return ends a line
    (``\\r\\n`` and a lone ``\\r`` become ``\\n``), as the readers read it. Any ``str`` in,
    a ``str`` out, never longer.
    """
    if not _CONTROL.search(text):  # most texts hold none (ESC and C1 are in the class)
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


def clean_line(text: str) -> str:
    """Return ``text`` cleaned as ``clean`` does and on one line (breaks and tabs as spaces):
    for messages, which are one line each."""
    return " ".join(clean(text).replace("\t", " ").splitlines())


def clean_data(value: T) -> T:
    """Return ``value`` with every string in it cleaned (``clean``), the same shape and types.

    Walks frozen dataclasses, tuples (named ones too), lists and dicts; other values are kept.
    A dataclass's ``text`` and ``description`` fields are kept as they are (see
    ``_KEPT_WHOLE``). What holds nothing to clean is returned itself, not a copy.
    """
    cleaned: T = _clean(value)
    return cleaned


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if field.name in _KEPT_WHOLE or not field.init:
                continue
            old = getattr(value, field.name)
            new = _clean(old)
            if new is not old:
                changes[field.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = [_clean(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        items = [_clean(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items
    if isinstance(value, dict):
        pairs = [(_clean(k), _clean(v)) for k, v in value.items()]
        if all(
            k is old_k and v is old_v
            for (k, v), (old_k, old_v) in zip(pairs, value.items(), strict=True)
        ):
            return value
        return dict(pairs)
    return value


def sanitised(output: bool = True) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Return a decorator for a renderer: its arguments pass through ``clean_data`` first, and,
    when ``output``, the text it returns through ``clean`` (a table with terminal hyperlinks
    says ``output=False``: its escape codes are matcher's own, around cleaned fields)."""

    def decorate(render: Callable[..., str]) -> Callable[..., str]:
        @functools.wraps(render)
        def wrapper(*args: Any, **kwargs: Any) -> str:
            args = tuple(_clean(a) for a in args)
            kwargs = {k: _clean(v) for k, v in kwargs.items()}
            text = render(*args, **kwargs)
            return clean(text) if output else text

        return wrapper

    return decorate


# JSON for programs keeps every value as it was read, but a JSON text shown in a terminal
# (``matcher match --format json`` without a pipe) must not carry C1 or bidi controls raw:
# json.dumps escapes C0 controls already (\u001b), and these become \u escapes too, which
# leave the decoded value unchanged. They can stand only inside strings, so this is exact.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def escape_json(text: str) -> str:
    """Return a JSON text with C1, DEL and bidi controls (and U+2028-9) as ``\\uXXXX`` escapes;
    the JSON decodes to the same value."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
