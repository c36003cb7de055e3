"""Bytes to text: the encodings a user's text file may be in, and reading a file's bytes."""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import MatcherError
from .limits import Limits, megabytes


def decode_text(data: bytes, source: str | Path, error: type[MatcherError]) -> str:
    """Return ``data`` decoded as UTF-8 (BOM or not), UTF-16 with a BOM, or Windows-1252/Latin-1.

    Raises ``error`` for binary data (NUL bytes without a UTF-16 BOM) and for bytes that only
    decode to control characters, which means the file is in no encoding we can trust.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8", source, error)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", source, error)
    if b"\x00" in data:
        raise error(source, "looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _legacy(data)
    bad = _CONTROL.search(text)
    if bad:
        raise error(
            source,
            f"undecodable byte at character {bad.start()}: save the file as UTF-8 text",
        )
    return text


# C0 controls other than tab, newline, vertical tab, form feed and carriage return, DEL, and the
# C1 block: real text in any of our encodings does not contain them.
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f-\x9f]")


def _strict(data: bytes, encoding: str, source: str | Path, error: type[MatcherError]) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise error(
            source, f"not valid {encoding.upper()} at byte {exc.start} despite its byte-order mark"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def read_bytes(path: Path, error: type[MatcherError], limits: Limits | None = None) -> bytes:
    """Return a file's bytes; raise ``error`` naming it when it is missing or unreadable, or,
    given ``limits``, larger than ``limits.file_bytes`` (checked before reading, and again while
    reading for files whose size the file system does not know, such as pipes)."""
    with open_binary(path, error) as file:
        if limits is None:
            return file.read()
        size = os.fstat(file.fileno()).st_size
        if size <= limits.file_bytes:
            data = file.read(limits.file_bytes + 1)
            size = len(data)
            if size <= limits.file_bytes:
                return data
    raise too_large(path, error, size, limits)


def open_binary(path: Path, error: type[MatcherError]) -> BinaryIO:
    """Return ``path`` opened for reading bytes; raise ``error`` naming it when it is missing,
    a folder, or not readable."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise error(path, "no such file") from None
    except IsADirectoryError:
        raise error(path, "is a folder, not a file") from None
    except PermissionError:
        raise error(path, "permission denied") from None


def read_stream(stream: BinaryIO, source: str, error: type[MatcherError], limits: Limits) -> bytes:
    """Return the bytes of ``stream`` (standard input); raise ``error`` past ``file_bytes``."""
    data = stream.read(limits.file_bytes + 1)
    if len(data) > limits.file_bytes:
        raise too_large(source, error, len(data), limits)
    return data


def too_large(
    source: str | Path, error: type[MatcherError], size: int, limits: Limits
) -> MatcherError:
    """Return the error for a file of ``size`` bytes over ``limits.file_bytes``."""
    limit = limits.file_bytes
    found = f"over {megabytes(limit)}" if size == limit + 1 else megabytes(size)
    return limits.refuse(error, source, f"{found} in one file", megabytes(limit), size / limit)


def text_lines(
    path: Path, error: type[MatcherError], limits: Limits, newline: str = ""
) -> Iterator[str]:
    """Yield the lines of a text file one at a time, decoded as ``decode_text`` decodes a file.

    For reading large listings files in memory that does not grow with the file. Lines keep
    their ends; ``newline`` is ``TextIOWrapper``'s: ``""`` ends lines at ``\\n``, ``\\r`` or
    ``\\r\\n``, ``"\\n"`` only at ``\\n``. Without a byte-order mark a line that is not UTF-8 is
    read as Windows-1252. Raises ``error`` naming the file for a missing or unreadable file,
    binary data, a line of control characters, or a line longer than ``limits.file_bytes``.
    """
    with open_binary(path, error) as raw:
        head = raw.read(4)
        raw.seek(0)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding, errors = "utf-16", "strict"
        elif head.startswith(codecs.BOM_UTF8):
            encoding, errors = "utf-8-sig", "strict"
        else:
            encoding, errors = "utf-8", "surrogateescape"
        stream = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline=newline)
        limit = limits.file_bytes
        number = 0
        while True:
            try:
                line = stream.readline(limit + 1)
            except UnicodeDecodeError as exc:
                raise error(
                    path,
                    f"not valid {encoding.upper().removesuffix('-SIG')} at line {number + 1}"
                    f" (byte {exc.start} of a block) despite its byte-order mark",
                ) from None
            if not line:
                return
            number += 1
            if len(line) > limit:
                raise limits.refuse(
                    error, path, f"line {number} is over {megabytes(limit)}", megabytes(limit)
                )
            if errors == "surrogateescape":
                line = _line_text(line, path, error, number)
            yield line


def _line_text(line: str, path: Path, error: type[MatcherError], number: int) -> str:
    """Return a line read as UTF-8 with escaped bytes, as text (Windows-1252 if not UTF-8)."""
    if "\x00" in line:
        raise error(path, "looks like a binary file, not text")
    if _ESCAPED.search(line):
        line = _legacy(line.encode("utf-8", "surrogateescape"))
    bad = _CONTROL.search(line)
    if bad:
        raise error(
            path,
            f"undecodable byte at line {number}, character {bad.start() + 1}:"
            " save the file as UTF-8 text",
        )
    return line


_ESCAPED = re.compile("[\udc80-\udcff]")


def _legacy(data: bytes) -> str:
    """Return bytes that are not UTF-8 as Windows-1252 text, or Latin-1 where that fails
    (Windows-1252 leaves five bytes undefined; Latin-1 decodes every byte)."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")
