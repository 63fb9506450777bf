"""Derived tables computed once for the content of the tables they read.

A notebook asks for the same derived table many times over one Dataset: the annual summary's
sections, its headline numbers and its coverage text each start from the per-round summary
(:func:`~wwc_analysis.history.cohorts.round_summary`), 13 times in one run, and each of those
classifies every event again. :func:`derived` memoises such a function of a Dataset on the
*content* of the tables it reads: a hash of their pickle, which holds their values, index, column
names, dtypes and ``attrs`` (about 0.1 ms for the record's tables, against 10-25 ms for the derived
table; ``pandas.util.hash_pandas_object`` took ten times as long). So

- a table replaced (``dataclasses.replace(data, certifications=...)``) or edited in place gives a
  new key, and the table is computed again: a result never outlives its inputs;
- every caller gets its own copy (copy-on-write: free until it is changed), so a caller that
  changes the table it got changes nobody else's;
- a table that cannot be pickled (a function in an object column) is computed as if there were
  no memo, and so is an error: nothing is kept of a call that raised. Two tables of the same
  content pickled differently (a string shared in one, repeated in the other) only compute the
  table once more.

At most :data:`MAX_ENTRIES` results are kept, the least recently used dropped first.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

if TYPE_CHECKING:
    from wwc_analysis.data.dataset import Dataset

#: The most results kept (each is a small table of the record).
MAX_ENTRIES = 32

_cache: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_lock = threading.Lock()

F = TypeVar("F", bound=Callable[..., pd.DataFrame])


def content_key(frame: pd.DataFrame) -> bytes:
    """A digest of ``frame``'s pickle (its values, index, column names, dtypes with a category's
    categories and order, and ``attrs``); ``TypeError`` when it cannot be pickled."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"not a DataFrame: {type(frame).__name__}")
    try:
        data = pickle.dumps(frame, protocol=5)
    except (pickle.PicklingError, AttributeError, TypeError, RecursionError) as exc:
        raise TypeError(f"cannot pickle the table: {exc}") from None
    return hashlib.blake2b(data, digest_size=16).digest()


def derived(*tables: str) -> Callable[[F], F]:
    """Memoise a function ``f(data)`` of a Dataset that reads only the Dataset's ``tables`` (by
    attribute name) and returns a DataFrame; see the module docstring."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(data: Dataset) -> pd.DataFrame:
            try:
                key = (
                    fn.__module__,
                    fn.__qualname__,
                    *(content_key(getattr(data, t)) for t in tables),
                )
            except (AttributeError, TypeError, ValueError):  # not a Dataset, or no pickle: no memo
                return fn(data)
            with _lock:
                hit = _cache.get(key)
                if hit is not None:
                    _cache.move_to_end(key)
            if hit is None:
                hit = fn(data)
                with _lock:
                    _cache[key] = hit
                    while len(_cache) > MAX_ENTRIES:
                        _cache.popitem(last=False)
            return hit.copy()

        wrapper.cache_clear = clear  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def clear() -> None:
    """Forget every kept result."""
    with _lock:
        _cache.clear()


__all__ = ["MAX_ENTRIES", "clear", "content_key", "derived"]
