"""Atomic file output: write to a temporary file in the target folder, then move it into place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers never see a half-written file.

    The bytes go to a temporary file in the same directory, are flushed to disk and
    then renamed over ``path`` (``os.replace`` is atomic on POSIX and Windows).
    Missing parent folders are created; the finished file has mode 0644.

    Parameters
    ----------
    path : str or os.PathLike
        Target file. An existing file is replaced.
    data : bytes
        The complete file content.

    Returns
    -------
    pathlib.Path
        ``path`` as a ``Path``.

    Raises
    ------
    OSError
        When the folder cannot be created or written; the temporary file is removed
        and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically (``\\n`` line endings, no platform translation).

    Parameters
    ----------
    path : str or os.PathLike
        Target file. An existing file is replaced.
    text : str
        The complete file content; encoded as UTF-8 and written byte for byte.

    Returns
    -------
    pathlib.Path
        ``path`` as a ``Path``.

    Raises
    ------
    OSError
        When the folder cannot be created or written (see ``atomic_write_bytes``).
    """
    return atomic_write_bytes(path, text.encode("utf-8"))
