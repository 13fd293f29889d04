"""The main job: regenerate every figure (and the report) from the data package.

A build is whole or not at all. Everything is written into a staging folder
(``OUT/.evidence-build/new``) and only moved into place once complete; the move is
recorded in a journal first, so that a build killed while moving is finished by the next
build, and SIGINT and SIGTERM are held back for the few milliseconds the move takes.
``OUT/build-manifest.json`` records the data's hash, the package version and every
output file's SHA-256 (:func:`verify_build` checks a folder against it). A lock
(``OUT/.evidence-build.lock``) makes a second build into the same folder refuse with a
message instead of mixing its files with the first's.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from evidence_lib._io import atomic_write_text
from evidence_lib.errors import BuildBusyError, BuildError, BuildInterrupted

#: The folders a build writes, each replaced whole.
OUTPUT_DIRS = ("figures", "reports")
MANIFEST = "build-manifest.json"
STAGING = ".evidence-build"
LOCK = ".evidence-build.lock"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: file paths and each figure's alt text."""

    files: tuple[Path, ...]
    alt_text: dict
    seconds: float


def build(data_path=None, out_dir: str | Path = ".", *, progress: bool = True, stream=None) -> BuildResult:
    """Write every figure to ``out_dir/figures`` and the report to ``out_dir/reports``, whole or not at all.

    Parameters
    ----------
    data_path : path, optional
        Data package folder (default: the bundled one).
    out_dir : path
        Folder receiving ``figures/``, ``reports/`` and ``build-manifest.json``.
    progress : bool
        Print one line per output as it is written.
    stream : file, optional
        Where progress goes (default stderr).

    Returns
    -------
    BuildResult

    Raises
    ------
    DataValidationError
        The data package has problems; nothing is written.
    BuildBusyError
        Another build is writing into ``out_dir``; nothing is written.
    BuildError
        ``out_dir`` cannot be written (read-only, a file, a full disk); it is left as it was.
    BuildInterrupted
        SIGINT or SIGTERM arrived before the build finished; ``out_dir`` is left as it was.
    """
    from evidence_lib.dataset import loader

    stream = stream or sys.stderr
    t0 = time.perf_counter()
    ds = loader.load(data_path)
    out = Path(out_dir)
    with _os_errors(out), _signals_raise(), _locked(out):
        recover(out)
        stage = out / STAGING / "new"
        stage.mkdir(parents=True)
        try:
            files, alt = _draw_all(ds, stage, progress=progress, stream=stream)
            manifest = _manifest(ds, stage, files)
            _carry_over_foreign_files(out, stage, manifest)
            _commit(out, manifest)
        except BaseException:
            if not (out / STAGING / "journal.json").exists():
                shutil.rmtree(out / STAGING, ignore_errors=True)
            raise
    final = tuple(out / p.relative_to(stage) for p in files)
    return BuildResult(final, alt, time.perf_counter() - t0)


def _draw_all(ds, stage: Path, *, progress: bool, stream):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from evidence_lib.output.figures import registry, save_figure
    from evidence_lib.output.report import write_report
    from evidence_lib.plotting import style

    specs = registry()
    files, alt, svgs = [], {}, {}
    for i, spec in enumerate(specs, 1):
        t1 = time.perf_counter()
        with style():
            fig = spec.draw(ds)
            try:
                paths = save_figure(fig, stage / "figures" / spec.name)
            finally:
                plt.close(fig)
        alt[spec.name] = spec.describe(ds)
        svgs[spec.name] = next(p for p in paths if p.suffix == ".svg").read_text(encoding="utf-8")
        files.extend(paths)
        if progress:
            exts = ", ".join(("." if j else "") + p.name.split(".", 1)[1] if j else f"figures/{p.name}"
                             for j, p in enumerate(paths))
            print(f"[{i}/{len(specs)}] {exts}  ({time.perf_counter() - t1:.1f} s)", file=stream, flush=True)
    # the report inlines the SVG just written instead of drawing every figure a second time
    files.extend(write_report(ds, stage / "reports", alt_text=alt, svgs=svgs, progress=progress, stream=stream))
    return files, alt


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_files(ds) -> dict[str, str]:
    """SHA-256 of the descriptor and of every file it lists, by name.

    Parameters
    ----------
    ds : Dataset
        A loaded data package.

    Returns
    -------
    dict of str to str
        File name (relative to the package folder) -> hex digest; absent optional tables
        are left out.
    """
    root = Path(ds.root)
    names = ["datapackage.json"] + [r["path"] for r in ds.descriptor.get("resources", [])]
    return {n: _sha256(root / n) for n in sorted(set(names)) if (root / n).is_file()}


def _manifest(ds, stage: Path, files) -> dict:
    from evidence_lib import __version__

    data = data_files(ds)
    digest = hashlib.sha256("".join(f"{k}\t{v}\n" for k, v in data.items()).encode()).hexdigest()
    return {
        "package": "evidence_lib",
        "version": __version__,
        "data_sha256": digest,
        "data_files": data,
        "absent_tables": list(getattr(ds, "absent_tables", ())),
        "files": {p.relative_to(stage).as_posix(): _sha256(p) for p in sorted(files)},
    }


def _previous_files(out: Path) -> set[str]:
    try:
        return set(json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("files", {}))
    except (OSError, ValueError, AttributeError):
        return set()


def _carry_over_foreign_files(out: Path, stage: Path, manifest: dict) -> None:
    """Keep files in ``figures/`` and ``reports/`` that no build wrote (a user's own), in the new folders."""
    ours = set(manifest["files"]) | _previous_files(out)
    for d in OUTPUT_DIRS:
        if not (out / d).is_dir():
            continue
        for p in (out / d).iterdir():
            rel = f"{d}/{p.name}"
            if rel in ours or (p.name.startswith(".") and p.name.endswith(".tmp")):
                continue
            target = stage / d / p.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if p.is_dir() and not p.is_symlink():
                shutil.copytree(p, target, symlinks=True)
            else:
                shutil.copy2(p, target, follow_symlinks=False)


def _commit(out: Path, manifest: dict) -> None:
    """Move the staged folders into place; journalled, with SIGINT and SIGTERM held back."""
    with _signals_deferred():
        old = out / STAGING / "old"
        shutil.rmtree(old, ignore_errors=True)
        atomic_write_text(out / STAGING / "journal.json", json.dumps({"manifest": manifest}, indent=1))
        _roll_forward(out)


def _roll_forward(out: Path) -> None:
    base = out / STAGING
    manifest = json.loads((base / "journal.json").read_text(encoding="utf-8"))["manifest"]
    (base / "old").mkdir(exist_ok=True)
    for d in OUTPUT_DIRS:
        new, cur, old = base / "new" / d, out / d, base / "old" / d
        if not new.exists():
            continue  # already moved
        if cur.exists() or cur.is_symlink():
            if old.exists():
                shutil.rmtree(old)
            os.rename(cur, old)
        os.rename(new, cur)
    atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    (base / "journal.json").unlink()
    shutil.rmtree(base, ignore_errors=True)


def recover(out: str | Path) -> bool:
    """Finish a build that was killed while moving its output into place; drop abandoned staging.

    Parameters
    ----------
    out : path
        A build's output folder (call with its lock held, as :func:`build` does).

    Returns
    -------
    bool
        True when an interrupted move was finished.
    """
    out = Path(out)
    base = out / STAGING
    if (base / "journal.json").exists():
        _roll_forward(out)
        return True
    if base.exists():
        shutil.rmtree(base)
    return False


def verify_build(out: str | Path) -> list[str]:
    """Check a build folder against its manifest.

    Parameters
    ----------
    out : path
        A folder written by :func:`build`.

    Returns
    -------
    list of str
        What does not match (a file missing or changed, an unfinished build); empty when
        the folder holds exactly one complete build.
    """
    out = Path(out)
    issues = []
    if (out / STAGING / "journal.json").exists():
        issues.append("a build was interrupted while moving its output into place; run evidence build again")
    try:
        files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return issues + [f"no readable {MANIFEST} in {out}"]
    for rel, digest in sorted(files.items()):
        p = out / rel
        if not p.is_file():
            issues.append(f"{rel} is missing")
        elif _sha256(p) != digest:
            issues.append(f"{rel} differs from the build that wrote {MANIFEST}")
    return issues


@contextlib.contextmanager
def _locked(out: Path):
    """Hold an exclusive lock on ``out`` (refuse at once when another build holds it)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _try_lock(fd)
        except BlockingIOError:
            os.lseek(fd, 0, 0)
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise BuildBusyError(f"another build (pid {holder}) is writing into {out}; wait for it to finish, "
                                 f"or build into another folder with --out") from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the lock file as we opened it: take the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _try_lock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            raise BlockingIOError from None
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _signals_raise():
    """Turn SIGTERM into :class:`BuildInterrupted` (SIGINT too), so that staging is cleaned up."""
    if not _main_thread():
        yield
        return

    def handler(signum, frame):
        raise BuildInterrupted(signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM back while the output is moved into place; the build then completes."""
    if not _main_thread():
        yield
        return
    old = {s: signal.signal(s, lambda signum, frame: None) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


_HINTS = {
    errno.ENOSPC: "free some disk space, or build into another folder with --out",
    errno.EDQUOT: "free some disk space, or build into another folder with --out",
    errno.EACCES: "choose a folder you can write to with --out",
    errno.EPERM: "choose a folder you can write to with --out",
    errno.EROFS: "the file system is read-only; choose another folder with --out",
    errno.ENOTDIR: "--out must be a folder (or a path where one can be made), not a file",
    errno.EEXIST: "--out must be a folder (or a path where one can be made), not a file",
}


@contextlib.contextmanager
def _os_errors(out: Path):
    """Report an OSError while writing as a :class:`BuildError` naming the folder and the fix."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, BlockingIOError):
            raise
        hint = _HINTS.get(exc.errno, "check the folder and try again")
        what = exc.strerror or str(exc)
        where = f" ({exc.filename})" if exc.filename else ""
        raise BuildError(f"cannot write the build into {out}: {what}{where}; {hint}. "
                         f"{out} is left as it was") from exc
