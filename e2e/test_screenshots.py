"""The screenshots command (``make screenshots``, issue 13) runs: each main page of the demo is
shot at 1280×800. ``PARCOURS_SCREENSHOTS=DIR`` writes them into DIR instead of a temporary
folder: that is what ``make screenshots`` does (scripts/screenshots.py) for docs/screenshots/."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from e2e.screenshots import shots, take

pytestmark = pytest.mark.e2e


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_the_screenshots_of_the_main_pages(
    browser, demo_server: str, demo_accounts: dict, demo_password: str, tmp_path: Path
) -> None:
    output = Path(os.environ.get("PARCOURS_SCREENSHOTS") or tmp_path)
    written = take(browser, demo_server, demo_accounts, demo_password, output)
    expected = {shot.file for shot in shots({"trainee": 0, "trainee_name": "", "session": 0})}
    assert {path.name for path in written} == expected
    for path in written:
        assert png_size(path) == (1280, 800), path
        assert path.stat().st_size < 400_000, f"{path} is too big for the README"
