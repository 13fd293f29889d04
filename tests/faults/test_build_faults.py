"""Faults around ``evidence build``: interruptions, two builds at once, unwritable output, bad data.

After any of them the output folder holds one complete build (checked against its
manifest and, byte for byte, against the build that was there before), and the user
gets one line saying what happened and what to do, never a traceback.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evidence_lib.output import build as b

from tests.conftest import DATA
from tests.faults._faults import REPO, assert_clean_error, cli, edit_descriptor


def _tree(out: Path) -> dict[str, str]:
    """Every output file (not the lock or staging) and its hash."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.relative_to(out).as_posix().startswith(".evidence")}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A complete build of the bundled data (the 'old' version) and a data copy that builds differently."""
    root = tmp_path_factory.mktemp("built")
    b.build(DATA, root / "old", progress=False)
    new_data = root / "data"
    shutil.copytree(DATA, new_data)
    edit_descriptor(new_data, lambda d: d.update(version="9.9.9-fault-suite"))
    return root


def _fresh_out(built, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(built / "old", out)
    return out


def test_a_build_writes_a_manifest_that_verifies(built):
    from evidence_lib import __version__

    out = built / "old"
    manifest = (out / b.MANIFEST).read_text(encoding="utf-8")
    assert f'"version": "{__version__}"' in manifest and '"data_sha256"' in manifest
    assert b.verify_build(out) == []
    assert not (out / b.STAGING).exists() and not (out / b.LOCK).exists()
    copy = built / "tampered"
    shutil.copytree(out, copy)
    (copy / "figures" / "forest.svg").write_text("<svg/>")
    assert b.verify_build(copy) == ["figures/forest.svg differs from the build that wrote build-manifest.json"]


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_an_interrupted_build_leaves_the_previous_build_whole(sig, built, tmp_path):
    out = _fresh_out(built, tmp_path)
    before = _tree(out)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "evidence_lib.cli", "--data", str(built / "data"), "build",
                             "--out", str(out)], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    first = proc.stderr.readline()  # the first figure is written (into staging)
    assert first.startswith("[1/"), first
    proc.send_signal(getattr(signal, sig))
    stdout, stderr = proc.communicate(timeout=120)
    expected = {"SIGINT": 130, "SIGTERM": 143, "SIGKILL": -9}[sig]
    assert proc.returncode == expected, stderr
    assert "Traceback" not in stderr
    if sig != "SIGKILL":
        assert stderr.strip().splitlines() == [f"evidence build: interrupted; {out} is left as it was"]
        assert not (out / b.STAGING).exists()
    assert _tree(out) == before
    assert b.verify_build(out) == []
    if sig == "SIGKILL":  # the next build clears what the killed one left and completes
        b.build(built / "data", out, progress=False)
        assert b.verify_build(out) == [] and not (out / b.STAGING).exists()
        assert "9.9.9-fault-suite" in (out / "reports" / "claim-review.html").read_text(encoding="utf-8")


def test_a_build_killed_while_moving_its_output_is_finished_by_the_next(built, tmp_path, monkeypatch):
    out = _fresh_out(built, tmp_path)
    real_rename, calls = os.rename, []

    def crash_on_second(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise SystemExit("killed")  # stands in for SIGKILL between two renames
        return real_rename(src, dst)

    monkeypatch.setattr(b.os, "rename", crash_on_second)
    with pytest.raises(SystemExit):
        b.build(built / "data", out, progress=False)
    monkeypatch.setattr(b.os, "rename", real_rename)
    assert b.verify_build(out)[0].startswith("a build was interrupted while moving its output")
    assert b.recover(out) is True
    assert b.verify_build(out) == []
    assert "9.9.9-fault-suite" in (out / "reports" / "claim-review.html").read_text(encoding="utf-8")


def test_a_second_build_into_the_same_folder_refuses(built, tmp_path):
    out = _fresh_out(built, tmp_path)
    before = _tree(out)
    with b._locked(out):
        proc = cli("--data", built / "data", "build", "--out", out)
    assert_clean_error(proc, says=(f"another build (pid {os.getpid()}) is writing into {out}",
                                   "wait for it to finish"))
    assert _tree(out) == before


def test_two_builds_at_once_leave_one_complete_build(built, tmp_path):
    out = _fresh_out(built, tmp_path)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    args = [sys.executable, "-m", "evidence_lib.cli", "--data", str(built / "data"), "build", "--quiet", "--out", str(out)]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    codes = sorted(r[2] for r in results)
    assert codes in ([0, 0], [0, 1]), results  # the second waits its turn (already done) or refuses
    for stdout, stderr, code in results:
        assert "Traceback" not in stderr
        if code == 1:
            assert "another build" in stderr
    assert b.verify_build(out) == []


def test_invalid_review_date_stops_before_anything_is_written(built, tmp_path):
    out = _fresh_out(built, tmp_path)
    before = _tree(out)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    edit_descriptor(data, lambda d: d.update(review_date="25/11/2026"))
    proc = cli("--data", data, "build", "--out", out)
    assert_clean_error(proc, says=("datapackage.json [review_date]: must be a calendar date written YYYY-MM-DD",))
    assert _tree(out) == before


def test_out_is_a_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("mine")
    proc = cli("build", "--out", target)
    assert_clean_error(proc, says=("cannot write the build into", "--out must be a folder"))
    assert target.read_text() == "mine"


@pytest.mark.parametrize("fault", ["disk full", "read-only folder"])
def test_unwritable_output_is_one_message(fault, built, tmp_path, monkeypatch, capsys):
    from evidence_lib import cli as cli_module

    out = _fresh_out(built, tmp_path)
    before = _tree(out)
    code = errno.ENOSPC if fault == "disk full" else errno.EROFS

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(out / "figures" / "forest.png"))

    monkeypatch.setattr(b, "_draw_all", fail)  # a real full or read-only disk cannot be made in a test
    assert cli_module.main(["build", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and os.strerror(code) in err and "is left as it was" in err
    assert ("free some disk space" if fault == "disk full" else "read-only") in err
    assert _tree(out) == before and not (out / b.STAGING).exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_for_real(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        proc = cli("build", "--out", out)
    finally:
        out.chmod(0o755)
    assert_clean_error(proc, says=("choose a folder you can write to with --out",))


def test_a_users_own_file_in_figures_is_kept(built, tmp_path):
    out = _fresh_out(built, tmp_path)
    (out / "figures" / "my-notes.txt").write_text("keep me")
    b.build(built / "data", out, progress=False)
    assert (out / "figures" / "my-notes.txt").read_text() == "keep me"
    assert b.verify_build(out) == []


def test_ctrl_c_elsewhere_is_one_line(monkeypatch, capsys):
    from evidence_lib import cli as cli_module

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "_load", interrupted)
    assert cli_module.main(["validate"]) == 130
    assert capsys.readouterr().err == "evidence validate: interrupted\n"


def test_a_closed_pipe_is_not_a_traceback():
    proc = subprocess.run(f"{sys.executable} -m evidence_lib.cli review | head -1", shell=True, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_notebooks_without_the_extra(monkeypatch, capsys):
    from evidence_lib import cli as cli_module

    real = cli_module.importlib.util.find_spec
    monkeypatch.setattr(cli_module.importlib.util, "find_spec",
                        lambda name, *a: None if name in ("nbformat", "nbclient") else real(name, *a))
    assert cli_module.main(["notebooks"]) == 2
    err = capsys.readouterr().err
    assert 'pip install -e ".[notebooks]"' in err and "Traceback" not in err


def test_unknown_claim_is_one_line():
    proc = cli("review", "C99")
    assert_clean_error(proc, code=2, says=("no claim 'C99'",))
