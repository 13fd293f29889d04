"""Dataset layer: load and validate a data package (descriptor, tables, the article).

``load(path)`` returns a validated :class:`~evidence_lib.dataset.loader.Dataset` or raises
:class:`~evidence_lib.errors.DataValidationError` listing every problem at once. This layer
knows nothing of statistics; it sits beside :mod:`evidence_lib.meta`.
"""

from __future__ import annotations

from evidence_lib.dataset.loader import Dataset, default_data_path, load

__all__ = ["Dataset", "default_data_path", "load"]
