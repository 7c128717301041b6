"""Regenerates the screenshots of the main pages into docs/screenshots/ (``make screenshots``).

It runs the browser test e2e/test_screenshots.py with ``PARCOURS_SCREENSHOTS`` set: the demo is
built and served on loopback by the browser tests' own machinery (e2e/conftest.py), in a
throwaway test database, and Debian's chromium shoots each page. Usage:
``uv run python scripts/screenshots.py [DIR]``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    output = Path(argv[0]).resolve() if argv else ROOT / "docs" / "screenshots"
    os.environ["PARCOURS_SCREENSHOTS"] = str(output)
    os.chdir(ROOT)
    import pytest

    code = pytest.main(
        ["e2e/test_screenshots.py", "-q", "-p", "no:cacheprovider", "-n", "0"]
        if _has_xdist()
        else ["e2e/test_screenshots.py", "-q", "-p", "no:cacheprovider"]
    )
    if code == 0:
        print(f"Captures d'écran écrites dans {output}")
    return int(code)


def _has_xdist() -> bool:
    try:
        import xdist  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
