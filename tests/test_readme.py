"""The README's "Use" example runs as written (a reader copies it first)."""

import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[1] / "README.md"


def _use_block():
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Use\n", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the README's Use section has no python block"
    return blocks[0]


def test_use_example_runs():
    import matplotlib.pyplot as plt

    code = _use_block()
    namespace = {"__name__": "readme_example"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a copied example should not greet the reader with a warning
        exec(compile(code, "README.md (Use)", "exec"), namespace)  # noqa: S102 - our own README
    plt.close("all")
    # the names the prose relies on exist and hold what the comments say
    assert 0 <= float(namespace["post"].prob_above(15.0)) <= 1
    assert len(namespace["sof"]) > 0
    assert namespace["res"].k == len(namespace["rep"].trials)
