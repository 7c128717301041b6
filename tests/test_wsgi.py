"""The WSGI entry point's collector settings (parcours/wsgi.py)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from parcours.gc_tuning import DEFAULT_GC_THRESHOLDS, gc_thresholds


def test_thresholds_default_and_custom():
    assert gc_thresholds(None) == DEFAULT_GC_THRESHOLDS
    assert gc_thresholds("") == DEFAULT_GC_THRESHOLDS
    assert gc_thresholds("700, 10, 10") == (700, 10, 10)


@pytest.mark.parametrize("value", ["1,2", "a,b,c", "0,10,10", "1,2,3,4"])
def test_bad_thresholds_are_refused_with_a_message(value):
    with pytest.raises(ValueError, match="PARCOURS_GC_THRESHOLDS"):
        gc_thresholds(value)


def test_loading_the_application_freezes_and_sets_the_collector():
    code = "import gc, parcours.wsgi; print(gc.get_threshold(), gc.get_freeze_count() > 10000)"
    env = {**os.environ, "DJANGO_DEBUG": "1", "PARCOURS_GC_THRESHOLDS": "40000,15,30"}
    out = subprocess.run(  # noqa: S603 (the test's own interpreter and code)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["(40000,", "15,", "30)", "True"]
    assert gc.get_threshold() != (40000, 15, 30)  # the test process is untouched
