"""Silence for the libraries that read documents: their logs and warnings may quote the text.

pdfminer.six logs through ``logging`` (and Python prints an unhandled warning record to stderr
by itself, through ``logging.lastResort``); python-docx and lxml may issue Python warnings. A
resume is personal data, so while one is read nothing of theirs reaches a handler or stderr.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

# The document libraries matcher calls, and what they call.
_LOGGERS = ("pdfminer", "docx", "lxml", "PIL", "fontTools", "charset_normalizer")
_PREFIXES = tuple(f"{name}." for name in _LOGGERS)


@contextmanager
def quiet() -> Iterator[None]:
    """Disable the document libraries' loggers and ignore Python warnings inside the block.

    Call it after importing the library, whose modules make their loggers at import.
    """
    # A disabled logger still passes its children's records to its handlers, so each logger
    # under the libraries' names is disabled (they exist once the library is imported).
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    loggers += [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and name.startswith(_PREFIXES)
    ]
    before = [logger.disabled for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.disabled = True
        try:
            yield
        finally:
            for logger, disabled in zip(loggers, before, strict=True):
                logger.disabled = disabled
