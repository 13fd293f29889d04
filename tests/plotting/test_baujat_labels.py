"""The Baujat plot's study labels: none overlaps another, none leaves the axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from evidence_lib.plotting.influence import baujat_plot  # noqa: E402


@pytest.mark.parametrize("x, y", [
    # two points at the same height, closer than a label is long; one in the top-right corner
    ([0.0005, 0.0238, 0.0074, 0.0033], [0.00005, 0.0070, 0.0025, 0.0025]),
    # four points in a tight cluster
    ([1.0, 1.02, 1.04, 1.06], [2.0, 2.01, 2.0, 2.01]),
])
def test_labels_do_not_overlap_and_stay_inside(x, y):
    labels = ["Kerr 2003", "Leibing 2002", "Mendelson 1983", "Molsberger 2002"]
    ax = baujat_plot(x, y, labels)
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert sorted(t.get_text() for t in ax.texts) == sorted(labels)
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1, ax.texts[i].get_text()
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    plt.close(ax.figure)
