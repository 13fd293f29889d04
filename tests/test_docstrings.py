"""Every public function, class and method of evidence_lib carries a numpydoc docstring.

The rule, read from the source with ``ast`` (nothing is imported):

* a class (name not starting with ``_``) has a docstring;
* a function (name not starting with ``_``) that takes arguments besides ``self``/``cls``
  has a docstring with a ``Parameters`` section and a ``Returns`` (or ``Yields``) section,
  each a numpydoc heading underlined with dashes;
* a public method (name not starting with ``_``) of a public class is held to the same rule:
  with arguments besides ``self``/``cls`` it needs both sections; without (a property,
  ``to_frame``) a docstring of any length.

One test per module, every module of the package, all strict.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "evidence_lib"


def _has_section(doc: str, *names: str) -> bool:
    return any(re.search(rf"^\s*{name}\s*\n\s*-{{3,}}\s*$", doc, re.M) for name in names)


def _arguments(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    a = node.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
    return [n for n in names if n not in ("self", "cls")]


def _faults_of(node, name: str) -> list[str]:
    doc = ast.get_docstring(node) or ""
    if not doc.strip():
        return [f"{name}: no docstring"]
    if isinstance(node, ast.ClassDef) or not _arguments(node):
        return []
    missing = []
    if not _has_section(doc, "Parameters"):
        missing.append("Parameters")
    if not _has_section(doc, "Returns", "Yields"):
        missing.append("Returns")
    return [f"{name}: no {' or '.join(missing)} section"] if missing else []


def docstring_faults(source: str) -> list[str]:
    """The public top-level functions, classes and class methods of ``source`` whose docstrings fall short.

    Parameters
    ----------
    source : str
        Python source code of one module.

    Returns
    -------
    list of str
        One entry per fault, ``"name: what is missing"`` (``"Class.method: ..."`` for a
        method); empty when every docstring is complete.
    """
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    faults = []
    for node in ast.parse(source).body:
        if not isinstance(node, (*functions, ast.ClassDef)) or node.name.startswith("_"):
            continue
        faults += _faults_of(node, node.name)
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, functions) and not member.name.startswith("_"):
                    faults += _faults_of(member, f"{node.name}.{member.name}")
    return faults


def _modules():
    return [pytest.param(path, id=path.relative_to(PACKAGE).as_posix()) for path in sorted(PACKAGE.rglob("*.py"))]


@pytest.mark.parametrize("path", _modules())
def test_public_docstrings_have_numpydoc_sections(path):
    faults = docstring_faults(path.read_text(encoding="utf-8"))
    assert not faults, f"{path.relative_to(PACKAGE.parent)}:\n  " + "\n  ".join(faults)


def test_modules_are_found():
    ids = {p.id for p in _modules()}
    assert {"vocab.py", "review/grading.py", "plotting/forest.py", "dataset/loader.py"} <= ids


def test_every_module_is_checked_strictly():
    ids = {p.id for p in _modules()}
    assert {"meta/pooling.py", "meta/_core.py", "output/report.py", "cli.py"} <= ids
    assert not any(p.marks for p in _modules())


_METHOD = "class C:\n    '''A class.'''\n"


@pytest.mark.parametrize("source, expected", [
    ("def f(x):\n    '''Summary.'''\n", ["f: no Parameters or Returns section"]),
    ("def f(x):\n    '''Summary.\n\n    Parameters\n    ----------\n    x : int\n        X.\n    '''\n",
     ["f: no Returns section"]),
    ("class C:\n    pass\n", ["C: no docstring"]),
    ("def f(x):\n    return x\n", ["f: no docstring"]),
    ("def f(self):\n    '''Summary only: no arguments besides self.'''\n", []),
    ("def _private(x):\n    return x\n", []),
    ("def g(x):\n    '''Summary.\n\n    Parameters\n    ----------\n    x : int\n        X.\n\n"
     "    Yields\n    ------\n    int\n        X again.\n    '''\n", []),
    (_METHOD + "    def m(self, x):\n        '''Summary.'''\n", ["C.m: no Parameters or Returns section"]),
    (_METHOD + "    @classmethod\n    def of(cls, x):\n        return x\n", ["C.of: no docstring"]),
    (_METHOD + "    @property\n    def p(self):\n        return 1\n", ["C.p: no docstring"]),
    (_METHOD + "    @property\n    def p(self):\n        '''One line is enough.'''\n", []),
    (_METHOD + "    def _m(self, x):\n        return x\n    def __len__(self):\n        return 0\n", []),
    ("class _C:\n    def m(self, x):\n        return x\n", []),
    (_METHOD + "    def m(self, x):\n        '''Summary.\n\n        Parameters\n        ----------\n"
     "        x : int\n            X.\n\n        Returns\n        -------\n        int\n            X.\n        '''\n", []),
])
def test_checker_flags_what_it_should(source, expected):
    assert docstring_faults(source) == expected
