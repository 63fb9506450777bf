"""The memo of derived tables (wwc_analysis.history.memo): computed once for the same content,
again for changed content (replaced or edited in place), a copy for every caller, nothing kept of
a table that cannot be pickled or of a call that raised, and a bounded size."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from wwc_analysis.history import memo
from wwc_analysis.history.cohorts import classify_events, round_summary
from wwc_analysis.history.rounds import cumulative


@dataclasses.dataclass
class _Data:
    rounds: pd.DataFrame
    certifications: pd.DataFrame


def _data(n: int = 3) -> _Data:
    rounds = pd.DataFrame({"round_id": ["2024-01", "2024-06"], "n": [1, 2]})
    certs = pd.DataFrame({"city_id": [f"c{i}" for i in range(n)], "level": ["Gold"] * n})
    return _Data(rounds, certs)


@pytest.fixture
def counted():
    """A memoised function of (certifications, rounds) that counts its calls."""
    memo.clear()
    calls = []

    @memo.derived("certifications", "rounds")
    def table(data) -> pd.DataFrame:
        calls.append(1)
        return data.certifications.assign(rounds=len(data.rounds))

    yield table, calls
    memo.clear()


def test_same_content_is_computed_once_even_in_another_object(counted):
    table, calls = counted
    first = table(_data())
    again = table(_data())  # equal tables, other objects
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, again)


def test_a_table_edited_in_place_or_replaced_is_computed_again(counted):
    table, calls = counted
    data = _data()
    table(data)
    data.certifications.loc[0, "level"] = "Silver"  # in place
    assert table(data).loc[0, "level"] == "Silver"
    assert len(calls) == 2
    replaced = dataclasses.replace(data, rounds=data.rounds.iloc[:1])
    assert table(replaced)["rounds"].eq(1).all()
    assert len(calls) == 3
    renamed = dataclasses.replace(
        data, certifications=data.certifications.rename(columns={"level": "tier"})
    )
    assert "tier" in table(renamed).columns  # same values, another column name: a new key
    assert len(calls) == 4


def test_a_dtype_change_alone_is_a_new_key(counted):
    table, calls = counted
    data = _data()
    table(data)
    cats = data.certifications.astype({"level": "category"})
    assert table(dataclasses.replace(data, certifications=cats))["level"].dtype == "category"
    assert len(calls) == 2
    # the same values with the categories in another order compare otherwise (level codes)
    levels = pd.CategoricalDtype(["Silver", "Gold"], ordered=True)
    ordered = data.certifications.astype({"level": levels})
    table(dataclasses.replace(data, certifications=ordered))
    reordered = ordered.astype({"level": pd.CategoricalDtype(["Gold", "Silver"], ordered=True)})
    table(dataclasses.replace(data, certifications=reordered))
    assert len(calls) == 4


def test_every_caller_gets_its_own_copy(counted):
    table, calls = counted
    data = _data()
    mine = table(data)
    mine.loc[0, "level"] = "changed"
    mine["extra"] = 1
    theirs = table(data)
    assert len(calls) == 1
    assert theirs.loc[0, "level"] == "Gold" and "extra" not in theirs.columns


def test_a_list_in_a_cell_changed_in_place_is_a_new_key(counted):
    table, calls = counted
    data = _data()
    data.certifications["sources"] = [["a"], ["b"], ["c"]]
    table(data)
    table(data)
    assert len(calls) == 1
    data.certifications["sources"].iloc[0].append("z")  # the same list object, longer
    assert table(data)["sources"].iloc[0] == ["a", "z"] and len(calls) == 2


def test_unpicklable_tables_and_errors_are_not_kept(counted):
    table, calls = counted
    data = _data()
    data.certifications["sources"] = [lambda: "a", lambda: "b", lambda: "c"]  # no pickle
    table(data)
    table(data)
    assert len(calls) == 2

    @memo.derived("certifications", "rounds")
    def failing(d):
        calls.append("x")
        raise ValueError("bad table")

    for _ in range(2):
        with pytest.raises(ValueError, match="bad table"):
            failing(_data())
    assert calls.count("x") == 2


def test_at_most_max_entries_are_kept(counted):
    table, calls = counted
    for n in range(memo.MAX_ENTRIES + 5):
        table(_data(n))
    assert len(memo._cache) == memo.MAX_ENTRIES
    table(_data(0))  # the oldest was dropped
    assert len(calls) == memo.MAX_ENTRIES + 6


def test_the_record_functions_give_what_they_gave_without_the_memo(tiny):
    memo.clear()
    for fn in (classify_events, cumulative, round_summary):
        kept = fn(tiny)
        pd.testing.assert_frame_equal(kept, fn.__wrapped__(tiny))
        pd.testing.assert_frame_equal(fn(tiny), kept)
