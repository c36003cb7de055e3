"""Fuzz every reader on demand: ``python benchmarks/fuzz_readers.py --n 10000 [--reader docx]``.

The harness lives in ``tests/fuzz_readers.py`` (the test suite runs it with a small budget);
this script is its large-budget entry point. It prints, per reader, how many inputs crashed
(an exception outside matcher's error classes or ``MemoryError``) or hung.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzz_readers import main  # noqa: E402

if __name__ == "__main__":
    main()
