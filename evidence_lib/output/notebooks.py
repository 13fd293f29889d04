"""Re-execute the notebooks and store their outputs (``evidence notebooks``).

nbval compares a notebook's stored outputs with a fresh run, so after the library or
the data changes, run this once and commit the notebooks. Volatile metadata (execution
timestamps) is removed so that a re-run over unchanged data changes nothing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from evidence_lib._io import atomic_write_text

# object reprs such as "<Styler at 0x7f...>" carry a memory address that changes every run;
# stored as in tests/nbval_sanitize.cfg so that a re-run over unchanged data changes nothing
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,16}")


def notebook_paths(folder: str | Path | None = None) -> list[Path]:
    """Notebooks in reading order (their file names start with a number).

    Parameters
    ----------
    folder : str or Path, optional
        Default: the source checkout's ``notebooks/`` (beside ``evidence_lib/``).

    Returns
    -------
    list of Path

    Raises
    ------
    FileNotFoundError
        If the folder holds no numbered notebook (an installed package has no notebooks:
        pass the folder of a checkout).
    """
    folder = Path(folder) if folder else Path(__file__).resolve().parents[2] / "notebooks"
    paths = sorted(folder.glob("[0-9][0-9]-*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no numbered notebooks (NN-name.ipynb) in {folder}; pass the notebooks folder "
                                f"of a source checkout: evidence notebooks PATH/notebooks")
    return paths


def execute_notebook(path: str | Path, *, timeout: int = 600) -> None:
    """Execute one notebook in its own folder and write it back with outputs.

    Parameters
    ----------
    path : str or Path
        The notebook.
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    None
        The notebook file is rewritten in place (atomically).
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain")
            if isinstance(text, str) and _ADDRESS.search(text):
                out["data"]["text/plain"] = _ADDRESS.sub("0xADDRESS", text)
    nb.metadata.pop("widgets", None)
    atomic_write_text(path, nbformat.writes(nb) + "\n")


def execute_all(folder=None, *, stream=None) -> list[Path]:
    """Execute every notebook in order, printing one line each.

    Parameters
    ----------
    folder : str or Path, optional
        Folder of the numbered notebooks (default: as :func:`notebook_paths`).
    stream : file-like, optional
        Where the progress lines go (default: standard error).

    Returns
    -------
    list of Path
        The notebooks executed, in order.

    Raises
    ------
    FileNotFoundError
        If the folder holds no numbered notebooks.
    """
    stream = stream or sys.stderr
    done = []
    paths = notebook_paths(folder)
    for i, p in enumerate(paths, 1):
        print(f"[{i}/{len(paths)}] executing {p.name}", file=stream, flush=True)
        execute_notebook(p)
        done.append(p)
    return done
