"""Views derived from a Dataset, computed once per Dataset and handed out as copies.

A build asks for the same derived views many times (each source's label for every row of
every figure, the pain network's arms for each of its figures and sentences). A function
decorated with :func:`per_dataset` computes its value once per Dataset object and
argument values, keeps it in that Dataset's own memo (:class:`DerivedViews`, a field of
:class:`~evidence_lib.dataset.loader.Dataset`), and gives every caller a deep copy, so a
caller that changes what it got changes nothing another caller sees.

The memo belongs to one Dataset object: nothing is kept at module level, so a view of
one review is never served for another (``dataclasses.replace`` gives the new Dataset an
empty memo; a shallow copy of a Dataset notices that the memo is not its own and starts
an empty one). A Dataset's tables are read-only once loaded; code that needs other
tables makes a new Dataset (``dataclasses.replace``) rather than changing a table in
place, which the memo could not see.
"""

from __future__ import annotations

import copy
import functools
import inspect

__all__ = ["DerivedViews", "per_dataset"]


class DerivedViews:
    """One Dataset's memo of derived views: key -> value, for the Dataset it was made for.

    The owner is recorded by ``id`` when the memo is first used; a memo reached through
    another object (a shallow copy of the Dataset) is not used, and pickling or deep-copying
    gives an empty memo.
    """

    __slots__ = ("owner_id", "values")

    def __init__(self) -> None:
        self.owner_id: int | None = None
        self.values: dict = {}

    def __reduce__(self):
        return (DerivedViews, ())

    def __repr__(self) -> str:
        return f"DerivedViews({len(self.values)} views)"


def _memo_of(ds) -> DerivedViews | None:
    """The memo of ``ds`` (made and attached when missing or not its own); None for an object without one."""
    memo = getattr(ds, "derived_views", None)
    if not isinstance(memo, DerivedViews):
        return None
    if memo.owner_id is None:
        memo.owner_id = id(ds)
    elif memo.owner_id != id(ds):       # a shallow copy holds the original's memo: start its own
        memo = DerivedViews()
        memo.owner_id = id(ds)
        object.__setattr__(ds, "derived_views", memo)
    return memo


def per_dataset(func):
    """Decorate ``func(ds, ...)`` so that its value is computed once per Dataset and arguments.

    The value is kept in ``ds.derived_views`` under the function's module and name and its
    bound arguments (defaults filled in), and every call returns a deep copy of it. A call
    whose arguments cannot be hashed, or whose first argument has no memo (an object
    standing in for a Dataset), is computed afresh. An exception is not kept: the next call
    computes again.

    Parameters
    ----------
    func : callable
        A function of a Dataset (first argument) and hashable options, whose value depends on
        nothing but them.

    Returns
    -------
    callable
        The memoised function, with ``func``'s name, docstring and signature
        (``__wrapped__`` is ``func``).

    Examples
    --------
    >>> @per_dataset
    ... def labels(ds):
    ...     return {"a": 1}
    """
    signature = inspect.signature(func)
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def _memoised(ds, *args, **kwargs):
        memo = _memo_of(ds)
        if memo is None:
            return func(ds, *args, **kwargs)
        bound = signature.bind(ds, *args, **kwargs)
        bound.apply_defaults()
        key = (name, tuple(list(bound.arguments.items())[1:]))
        try:
            hit = key in memo.values
        except TypeError:               # an unhashable argument (a list): no memo for this call
            return func(ds, *args, **kwargs)
        if not hit:
            memo.values[key] = func(ds, *args, **kwargs)
        return copy.deepcopy(memo.values[key])

    return _memoised
