"""Figures drawn once per report build, however many pages show them.

The annual summary repeats charts of other pages: the latest levels, the growth and the countries of
page 01, the map of the Americas of page 05. Each is the same chart function called with the same
arguments, so the same PNG bytes; drawing and encoding one costs 0.08-0.25 s. So in a report build
the chart functions marked :func:`shared` note on their figure a key of their call
(:func:`call_key`: the function, a fingerprint of every argument's content, the rcParams and
matplotlib's version), and
:func:`~wwc_analysis.report.outputs.save_figure` takes the PNG another notebook of the same build
saved under that key instead of drawing the figure again (:func:`read`, :func:`keep`).

A stored PNG is used only when all of these hold, and otherwise the figure is drawn as always (so a
miss changes nothing but the time):

- :data:`ENV` names the build's folder of figures (``wwc report`` sets it for its kernels; outside a
  report, in JupyterLab, nbval or a script, nothing here runs, not even the key);
- every argument has a fingerprint (data frames and series by their values, index, names, dtypes
  and ``attrs``; dataclasses such as the Dataset field by field; plain values by their type and
  ``repr``); a call with any other argument gets no key;
- nothing on the figure has changed since its caption
  (:func:`~wwc_analysis.figures.style.measured_box`): a figure a notebook changed after the chart
  function returned is drawn, never taken from the store;
- the PNG was saved at the same dpi.

What the key leaves out is the same in every kernel of one build: the chart functions' code, the
palettes and other constants of :mod:`wwc_analysis.figures`, the fonts. A notebook that changes one
of those constants in its kernel (rather than an rcParam) should not save charts in a report build.

The folder lives in the build folder and is removed before the report is published.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import inspect
import os
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wwc_analysis.data.paths import FIGURE_STORE_DIR, FIGURE_STORE_ENV
from wwc_analysis.figures.style import measured_box

#: The variable of a report's kernels that names the build's folder of figures.
ENV = FIGURE_STORE_ENV
#: The folder's name in a build folder.
DIR_NAME = FIGURE_STORE_DIR
_KEY = "_wwc_call_key"
_PLAIN = (type(None), bool, int, float, str, dt.date, dt.datetime, pd.Timestamp, PurePath)

F = TypeVar("F", bound=Callable[..., Figure])


class _NoFingerprint(Exception):
    """An argument whose content has no fingerprint here."""


def _fingerprint(value: Any, digest) -> None:
    """Feed ``digest`` with the type and content of ``value``; raise :class:`_NoFingerprint` for
    anything else than the kinds listed in the module docstring."""
    digest.update(f"<{type(value).__module__}.{type(value).__qualname__}>".encode())
    if isinstance(value, (*_PLAIN, np.generic)):
        digest.update(repr(value).encode())
    elif isinstance(value, pd.DataFrame | pd.Series):
        # Values hashed, not pickled as history.memo.content_key does: equal tables built by two
        # kernels may hold other string objects (one shared, or two equal), and their pickles differ
        digest.update(repr(_pandas_shape(value)).encode())
        try:
            hashed = pd.util.hash_pandas_object(value, index=True)
        except TypeError as exc:  # an unhashable value in an object column
            raise _NoFingerprint(str(exc)) from None
        digest.update(hashed.to_numpy().tobytes())
    elif isinstance(value, np.ndarray) and value.dtype.kind in "biufcmMUS":
        digest.update(repr((value.dtype.str, value.shape)).encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, list | tuple):
        digest.update(str(len(value)).encode())
        for item in value:
            _fingerprint(item, digest)
    elif isinstance(value, dict):
        digest.update(str(len(value)).encode())
        for key, item in value.items():
            _fingerprint(key, digest)
            _fingerprint(item, digest)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            digest.update(field.name.encode())
            _fingerprint(getattr(value, field.name), digest)
    else:
        raise _NoFingerprint(type(value).__qualname__)


def _pandas_shape(value: pd.DataFrame | pd.Series) -> tuple:
    """What a frame's or series' values hash leaves out: names, dtypes (with a category's
    categories and order), index names, ``attrs``."""
    if isinstance(value, pd.DataFrame):
        names, dtypes, columns = list(value.columns), list(value.dtypes), value.columns.names
    else:
        names, dtypes, columns = [value.name], [value.dtype], None
    return (names, [repr(t) for t in dtypes], value.index.names, repr(value.index.dtype), columns,
            sorted(value.attrs.items(), key=repr))  # fmt: skip


def _rc_text() -> str:
    """Every rcParam as set (the backend left out: reading it may switch backends)."""
    return repr(sorted((k, v) for k, v in dict.items(mpl.rcParams) if k != "backend"))


def call_key(fn: Callable, args: tuple, kwargs: dict) -> str | None:
    """The key of the chart ``fn(*args, **kwargs)``: None when an argument has no fingerprint.
    Arguments are bound to ``fn``'s parameters with their defaults first, so ``f(x)``,
    ``f(x, place="all countries")`` and ``f(place="all countries", counts=x)`` have one key."""
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:  # not a call fn accepts: it raises itself
        return None
    bound.apply_defaults()
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{fn.__module__}.{fn.__qualname__} {mpl.__version__}".encode())
    digest.update(_rc_text().encode())
    try:
        _fingerprint(dict(bound.arguments), digest)
    except _NoFingerprint:
        return None
    return digest.hexdigest()


def shared(fn: F) -> F:
    """Mark the chart function ``fn``: in a report build its figure carries the key of its call
    (computed before the call, from the arguments as given)."""

    @functools.wraps(fn)
    def chart(*args, **kwargs):
        if not os.environ.get(ENV):
            return fn(*args, **kwargs)
        key = call_key(fn, args, kwargs)
        fig = fn(*args, **kwargs)
        if key is not None and isinstance(fig, Figure):
            setattr(fig, _KEY, key)
        return fig

    return chart  # type: ignore[return-value]


def figure_key(fig: Figure, dpi: float) -> str | None:
    """The store's name for ``fig`` saved at ``dpi``: None outside a report build, for a figure no
    :func:`shared` function made, or one changed since its caption."""
    key = getattr(fig, _KEY, None)
    if not os.environ.get(ENV) or not isinstance(key, str) or measured_box(fig, dpi) is None:
        return None
    return f"{key}-{dpi:g}dpi.png"


def read(name: str | None) -> bytes | None:
    """The PNG another notebook of the build saved as ``name`` (:func:`figure_key`), if any."""
    folder = os.environ.get(ENV)
    if not name or not folder:
        return None
    try:
        return (Path(folder) / name).read_bytes()
    except OSError:
        return None


def keep(name: str | None, data: bytes) -> None:
    """Save the PNG ``data`` as ``name`` for the other notebooks of the build (written whole, then
    renamed: a reader never sees half a file). Nothing is lost if it cannot be written."""
    folder = os.environ.get(ENV)
    if not name or not folder:
        return
    target = Path(folder) / name
    part = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(data)
        os.replace(part, target)
    except OSError:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)


__all__ = ["DIR_NAME", "ENV", "call_key", "figure_key", "keep", "read", "shared"]
