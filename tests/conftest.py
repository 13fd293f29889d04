import csv
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="session")
def ds():
    import evidence_lib as ev

    return ev.load()


class DataCopy:
    """A writable copy of the bundled data package, with helpers to break it."""

    def __init__(self, root: Path):
        self.root = root

    def rows(self, table):
        with open(self.root / f"{table}.csv", newline="", encoding="utf-8") as fh:
            r = csv.DictReader(fh)
            return r.fieldnames, list(r)

    def write(self, table, fieldnames, rows):
        with open(self.root / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fieldnames, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)

    def edit(self, table, index, **changes):
        """Change cells of data row ``index`` (0-based; file line index + 2)."""
        names, rows = self.rows(table)
        rows[index].update(changes)
        self.write(table, names, rows)

    def drop_column(self, table, column):
        names, rows = self.rows(table)
        names = [n for n in names if n != column]
        self.write(table, names, [{k: v for k, v in r.items() if k != column} for r in rows])

    def append(self, table, **row):
        names, rows = self.rows(table)
        rows.append({n: row.get(n, "") for n in names})
        self.write(table, names, rows)


@pytest.fixture
def data_copy(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    return DataCopy(root)
