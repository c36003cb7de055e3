"""What one input may cost: sizes, ratios, pages and seconds, all raised by one setting.

Every reader takes a ``Limits``; ``Limits.from_env()`` reads ``MATCHER_MAX_INPUT_MB`` (default
16). The setting is the size in MB of the largest file read whole, and every other bound scales
with it, so a user who meets any limit raises the one number the message names:

================================  ==============  =========================================
bound                             at 16 (default)  why this size
================================  ==============  =========================================
a file read whole                 16 MB           a resume (any format), a ``.json`` or
                                                  ``.txt`` listings file; a designer's PDF
                                                  resume with photos stays under it
one record of a streamed file     16 MB           a JSON Lines line, a CSV/TSV row
text of one document              1 M characters  a resume's text, one listing's description;
                                                  ~500 pages; analysing it takes ~4 s
DOCX: unzipped size of all parts  128 MB          checked in the zip directory, before
                                                  inflating anything
DOCX: compression ratio per part  100 : 1         on parts over 1 MB unzipped; Word's XML
                                                  compresses about 10 : 1, zip bombs 1000 : 1
DOCX: parts in the package        10,000          a resume has 20-200
PDF: pages                        200
PDF: seconds                      30              a 2-page resume takes ~0.2 s
PDF: memory                       1 GB            the PDF is read in a child process that
                                                  the limits bind (POSIX)
================================  ==============  =========================================

An environment variable rather than an option: the readers are reached from every command
(``match``, ``match-many``, ``candidates``, ``gaps``, ``skills``, ``index build``/``add`` and
their worker processes) and from the library, and one variable reaches them all without a
parameter threaded through each. Library callers may pass ``Limits(max_input_mb=...)``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import MatcherError

ENV = "MATCHER_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 16.0
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on what one input may cost, all proportional to ``max_input_mb`` (see module).

    ``max_input_mb``: the largest file read whole, in MB (2**20 bytes); must be positive.
    """

    max_input_mb: float = DEFAULT_MAX_INPUT_MB

    def __post_init__(self) -> None:
        if not (self.max_input_mb > 0 and math.isfinite(self.max_input_mb)):
            raise ValueError(f"max_input_mb must be a positive number, not {self.max_input_mb!r}")

    @classmethod
    def from_env(cls) -> Limits:
        """Return the limits ``MATCHER_MAX_INPUT_MB`` sets, or the defaults when it is unset.

        Raises ``MatcherError`` naming the variable when it holds no positive number.
        """
        raw = os.environ.get(ENV, "").strip()
        if not raw:
            return cls()
        try:
            return cls(float(raw))
        except ValueError:
            raise MatcherError(ENV, f"expected a positive number of MB, not {raw!r}") from None

    @property
    def _scale(self) -> float:
        return self.max_input_mb / DEFAULT_MAX_INPUT_MB

    def _scaled(self, default: float) -> int:
        return max(1, int(default * self._scale))

    @property
    def file_bytes(self) -> int:
        """Bytes of a file read whole, and of one record of a streamed listings file."""
        return self._scaled(16 * _MB)

    @property
    def text_chars(self) -> int:
        """Characters of text one document may hold: a resume, one listing's description."""
        return self._scaled(_MB)

    @property
    def docx_unzipped_bytes(self) -> int:
        """Bytes all the parts of a DOCX package may hold once inflated."""
        return self._scaled(128 * _MB)

    @property
    def docx_ratio(self) -> int:
        """Largest uncompressed : compressed ratio of a DOCX part over 1 MB unzipped."""
        return self._scaled(100)

    @property
    def docx_parts(self) -> int:
        """Largest number of parts (zip members) in a DOCX package."""
        return self._scaled(10_000)

    @property
    def pdf_pages(self) -> int:
        """Largest number of pages of a PDF."""
        return self._scaled(200)

    @property
    def pdf_seconds(self) -> float:
        """Seconds reading one PDF may take."""
        return 30.0 * self._scale

    @property
    def pdf_memory_bytes(self) -> int:
        """Bytes of memory reading one PDF may add to the process (POSIX only)."""
        return self._scaled(1024 * _MB)

    def refuse(
        self,
        error: type[MatcherError],
        source: str | Path,
        found: str,
        allowed: str,
        ratio: float | None = None,
    ) -> MatcherError:
        """Return ``error`` for an input over a limit, naming the setting that would admit it.

        ``found`` says what was measured ("20.0 MB"), ``allowed`` the limit in the same words
        ("16.0 MB"), ``ratio`` is found / allowed when known: the setting that admits the
        input is then found in proportion.
        """
        if ratio is None:
            fix = f"raise {ENV} (now {self.max_input_mb:g}) to allow more"
        else:
            needed = math.ceil(self.max_input_mb * max(ratio, 1.0) * 1.01)
            fix = f"set {ENV}={needed} or more to read it; now {self.max_input_mb:g}"
        return error(source, f"{found}, over the limit of {allowed} ({fix})")


def megabytes(size: float) -> str:
    """Return a size in bytes as '12.3 MB' (2**20 bytes), for messages."""
    return f"{size / _MB:.1f} MB"
