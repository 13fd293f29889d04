"""Output layer: what the package writes for readers.

The figure registry (``figures``, with its data in ``figure_data`` and ``figure_series``), the
HTML report (``report`` with ``templates/`` and ``static/``), exports (``exports``), terminal
text (``text``) and the whole-or-nothing build (``build``). Submodules are imported on use.
"""
