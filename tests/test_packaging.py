"""The installed package: every subpackage is listed for setuptools, and the data ships inside it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_for_setuptools():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "evidence_lib").rglob("__init__.py")}
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    assert "evidence_lib.bundled_data" in listed


def test_every_folder_with_modules_is_a_package():
    for folder in (ROOT / "evidence_lib").rglob("*"):
        if folder.is_dir() and folder.name != "__pycache__" and any(folder.glob("*.py")):
            assert (folder / "__init__.py").exists(), f"{folder.relative_to(ROOT)} has modules but no __init__.py"


def test_the_bundled_data_is_the_data_folder():
    from evidence_lib.dataset import default_data_path

    assert (default_data_path() / "datapackage.json").exists()
