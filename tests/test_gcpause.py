"""gcpause: the collector is off inside a large piece of work and back on after, only if it was on."""
from __future__ import annotations

import gc

import pytest

from ftrack_orm import gcpause


def test_large_work_runs_with_the_collector_paused_and_resumes_it():
    assert gc.isenabled()
    with gcpause.paused(True):
        assert not gc.isenabled()
    assert gc.isenabled()


def test_small_work_leaves_the_collector_alone():
    with gcpause.paused(False):
        assert gc.isenabled()
    assert gc.isenabled()


def test_an_error_resumes_the_collector():
    with pytest.raises(RuntimeError):
        with gcpause.paused(True):
            raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused():
    gc.disable()
    try:
        with gcpause.paused(True):
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
