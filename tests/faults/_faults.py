"""Helpers shared by the fault suite: break a copy of the data package in one way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import evidence_lib as ev
from evidence_lib.errors import DataValidationError

REPO = Path(__file__).resolve().parents[2]


def problems_of(root) -> list:
    """The problems a broken package gives (fails if it loads)."""
    with pytest.raises(DataValidationError) as exc:
        ev.load(root)
    return exc.value.problems


def edit_descriptor(root: Path, change) -> None:
    """Apply ``change(descriptor_dict)`` to the copy's datapackage.json."""
    path = root / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    change(desc)
    path.write_text(json.dumps(desc, indent=2), encoding="utf-8")


def resource(desc: dict, name: str) -> dict:
    return next(r for r in desc["resources"] if r["name"] == name)


def cli(*args, cwd=None, env=None, timeout=300):
    """Run ``python -m evidence_lib.cli ARGS`` in a subprocess."""
    full_env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run([sys.executable, "-m", "evidence_lib.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=full_env, timeout=timeout)


def assert_clean_error(proc, *, code=1, says=()):
    """One clear message: the exit status, no traceback, and the words that say what to do."""
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    for words in says:
        assert words in proc.stderr, (words, proc.stderr)
