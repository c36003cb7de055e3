"""Where matcher keeps what it writes for the user beyond a command's own output.

One folder, ``MATCHER_DATA_DIR`` if set, else the platform's user data folder
(``~/.local/share/matcher`` on Linux, via platformdirs): imported vocabularies and their
compiled forms (``matcher.skills.taxonomy``), and the record of the reports matcher wrote
(``matcher.output``). Nothing in it is resume text.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Return matcher's user data folder (``MATCHER_DATA_DIR`` overrides); it may not exist yet."""
    override = os.environ.get("MATCHER_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("matcher", appauthor=False))
