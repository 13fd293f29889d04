"""Views derived once per Dataset (:mod:`evidence_lib.dataset.derived`): never another Dataset's, never shared.

The build asks for the same views hundreds of times; each is computed once per Dataset
object. These tests check that the memo cannot serve one review's views for another (the
bundled review and the synthetic second review in one process, and Datasets made one after
another at what may be the same address), that a caller changing what it got changes
nothing for the next caller, and that the memoised views equal a fresh computation.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import pickle
from pathlib import Path

import pandas as pd
import pytest

import evidence_lib as ev
from evidence_lib.dataset.derived import DerivedViews, per_dataset
from evidence_lib.review.views import pain_differences, source_labels

SECOND = Path(__file__).resolve().parents[1] / "second_review" / "data"


@pytest.fixture(scope="module")
def second():
    return ev.load(SECOND)


def _fresh(func, ds, *args, **kwargs):
    """The function's value computed without any memo."""
    return func.__wrapped__(ds, *args, **kwargs)


def test_two_reviews_in_one_process_get_their_own_labels(ds, second):
    bundled = source_labels(ds)                 # the bundled review's labels are memoised first
    other = source_labels(second)
    assert other == _fresh(source_labels, second)
    assert set(other).isdisjoint(bundled), "the second review was served the bundled review's labels"
    assert source_labels(ds) == bundled == _fresh(source_labels, ds)


def test_two_reviews_in_one_process_get_their_own_tables(ds, second):
    a, b = pain_differences(ds), pain_differences(second)
    pd.testing.assert_frame_equal(b, _fresh(pain_differences, second))
    pd.testing.assert_frame_equal(a, _fresh(pain_differences, ds))
    assert set(b["source_id"]).isdisjoint(set(a["source_id"]))


def test_datasets_made_one_after_another_never_see_each_others_views(ds):
    """A memo keyed on ``id(ds)`` at module level would fail here: a freed Dataset's address is reused."""
    for i in range(20):
        sources = ds.sources.assign(first_author=f"Author{i} X", year=2000 + i)
        d = dataclasses.replace(ds, sources=sources)
        assert d.derived_views.values == {}, "dataclasses.replace must give the new Dataset an empty memo"
        labels = source_labels(d)
        assert set(labels.values()) == {f"Author{i} {2000 + i}"}
        del d
        gc.collect()


def test_a_shallow_copy_does_not_use_the_originals_memo(ds):
    source_labels(ds)
    clone = copy.copy(ds)
    assert clone.derived_views is ds.derived_views          # copy.copy shares the memo object ...
    object.__setattr__(clone, "sources", ds.sources.assign(first_author="Zed Q", year=1999))
    assert set(source_labels(clone).values()) == {"Zed 1999"}  # ... but the memo knows its owner
    assert clone.derived_views is not ds.derived_views
    assert "Zed 1999" not in source_labels(ds).values()


def test_pickled_and_deep_copied_datasets_start_with_an_empty_memo(ds):
    source_labels(ds)
    assert ds.derived_views.values
    assert pickle.loads(pickle.dumps(ds)).derived_views.values == {}
    assert copy.deepcopy(ds).derived_views.values == {}


def test_a_caller_changing_its_copy_changes_nothing_for_the_next(ds):
    labels = source_labels(ds)
    first = next(iter(labels))
    labels[first] = "changed"
    labels["new"] = "added"
    assert source_labels(ds)[first] != "changed" and "new" not in source_labels(ds)

    table = pain_differences(ds)
    table["yi"] = 0.0
    table.loc[table.index[0], "label"] = "changed"
    again = pain_differences(ds)
    pd.testing.assert_frame_equal(again, _fresh(pain_differences, ds))
    assert not (again["yi"] == 0.0).all()


def test_each_view_is_computed_once_per_dataset_and_arguments(ds):
    calls = []

    @per_dataset
    def view(d, *, scale: float = 1.0):
        """Parameters\n----------\nd\nscale\n\nReturns\n-------\nlist"""
        calls.append(scale)
        return [len(d.sources) * scale]

    other = dataclasses.replace(ds)
    assert view(ds) == view(ds) == view(ds, scale=1.0) == [len(ds.sources)]
    assert view(ds, scale=2.0) == [2 * len(ds.sources)]
    assert view(other) == [len(ds.sources)]
    assert calls == [1.0, 2.0, 1.0]               # once per Dataset and bound arguments
    with pytest.raises(TypeError):
        view(ds, scael=2.0)                       # a misspelt option still raises


def test_an_exception_is_not_kept_and_unhashable_arguments_are_computed_afresh(ds):
    calls = []

    @per_dataset
    def fragile(d, items=()):
        """Parameters\n----------\nd\nitems\n\nReturns\n-------\nint"""
        calls.append(items)
        if len(calls) == 1:
            raise ValueError("first call fails")
        return len(items)

    with pytest.raises(ValueError):
        fragile(ds)
    assert fragile(ds) == 0 and fragile(ds) == 0
    assert fragile(ds, ["a", "b"]) == 2 and fragile(ds, ["a", "b"]) == 2   # a list cannot be a key
    assert calls == [(), (), ["a", "b"], ["a", "b"]]


def test_an_object_without_a_memo_is_computed_every_time():
    from types import SimpleNamespace

    calls = []

    @per_dataset
    def view(d):
        """Parameters\n----------\nd\n\nReturns\n-------\nint"""
        calls.append(1)
        return 1

    stand_in = SimpleNamespace()
    assert view(stand_in) == view(stand_in) == 1 and len(calls) == 2


def test_the_memo_is_not_compared_or_shown(ds):
    assert "derived_views" not in repr(ds)
    assert isinstance(ds.derived_views, DerivedViews)
    assert "derived_views" not in {f.name for f in dataclasses.fields(ds) if f.init}
