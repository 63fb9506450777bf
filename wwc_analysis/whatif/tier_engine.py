"""The engine of the robustness analysis: the tier of every city in every run of a rule, with one
matrix product per block of cities.

:class:`TierEngine` scores a population under a
:class:`~wwc_analysis.whatif.uncertain_inputs.Design`: the criteria met by each city over the
criteria each run keeps, with the gates folded in as a penalty that takes a blocked city below
zero; a tier is then three comparisons with the counts each run's cut-offs need
(:func:`required_counts`, the integer rule of
:meth:`~wwc_analysis.rules.standards.Standard.required_met`). Cities with the same relevant row are
scored once. :func:`evaluate` returns the whole (cities x runs) matrix of tier codes, for small
cases; :meth:`TierEngine.at_least` only the counts per city and per run, block by block, for large
ones. A run whose standard keeps no criterion at all certifies nobody.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from wwc_analysis.rules.standards import Standard
from wwc_analysis.whatif.scenarios import as_population
from wwc_analysis.whatif.uncertain_inputs import Design

__all__ = ["TierEngine", "evaluate", "required_counts"]

#: Elements of the (cities x runs) block scored at once: 2 Mi float32 = 8 MiB.
_BLOCK = 1 << 21


def required_counts(thresholds: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Fewest criteria met that reach each cut-off: ``ceil(pct * total / 100)`` in integers, the
    count at which ``met * 100 >= pct * total`` first holds (``Standard.required_met``)."""
    return -(-np.asarray(thresholds, dtype=np.int64) * np.asarray(total, dtype=np.int64) // 100)


# --- the engine ----------------------------------------------------------------------------------


class TierEngine:
    """Tier codes of one population under many runs of a rule at once.

    The rows scored are ``[met over the criteria whose inclusion varies | met over the others |
    core criteria unmet | outcome unmet]``; a run is the column ``[kept | 1 | -P * core gate on |
    -P * outcome gate on]`` with ``P = criteria + 1``, so one float32 product gives each city's
    count of criteria met over the criteria kept, below zero when a gate of the run blocks it (all
    values are small integers: float32 is exact). Identical rows are scored once when that saves
    at least a fifth of the work (``rows``, ``inverse``, ``weights``).
    """

    def __init__(self, matrix: np.ndarray, outcome: np.ndarray, standard: Standard, varying):
        self.standard = std = standard
        m = np.asarray(matrix, dtype=bool)
        self.varying = np.asarray(varying, dtype=bool)
        core_idx = [std.criteria.index(c) for c in std.core]
        parts = [
            m[:, self.varying],
            np.count_nonzero(m[:, ~self.varying], axis=1)[:, None],
            ~m[:, core_idx],
            ~np.broadcast_to(np.asarray(outcome, dtype=bool), (len(m),))[:, None],
        ]
        x = np.concatenate(parts, axis=1).astype(np.float32)
        self.n = len(x)
        first, inverse, counts = _unique_rows(parts)
        if len(first) <= 0.8 * self.n:
            self.rows, self.inverse, self.weights = x[first], inverse, counts.astype(np.float64)
        else:
            self.rows, self.inverse, self.weights = x, np.arange(self.n), None

    def _columns(self, design: Design) -> tuple[np.ndarray, np.ndarray]:
        """``(W, req)``: the runs as columns of the product, and the counts (3 x runs) each tier
        needs (``inf`` in a run that keeps no criterion: it certifies nobody)."""
        std, kept = self.standard, design.kept
        core_idx = [std.criteria.index(c) for c in std.core]
        penalty = -float(std.criteria_count + 1)
        gates = np.concatenate(
            [design.core_gate & kept[:, core_idx], design.outcome_gate[:, None]], axis=1
        )
        w = np.concatenate(
            [kept[:, self.varying], np.ones((len(design), 1)), gates * penalty], axis=1
        )
        total = np.count_nonzero(kept, axis=1)
        req = required_counts(design.thresholds, total[:, None]).T.astype(np.float32)
        req[:, total == 0] = np.inf
        return np.ascontiguousarray(w.T, dtype=np.float32), req

    def blocks(self, design: Design) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
        """For each block of :attr:`rows`: its slice, the counts (rows x runs, float32, below zero
        when a gate blocks) and the counts each tier needs (3 x runs): a city reaches tier ``j + 1``
        in a run when ``counts >= needed[j]``."""
        w, needed = self._columns(design)
        step = max(1, _BLOCK // max(1, len(design)))
        for start in range(0, len(self.rows), step):
            rows = slice(start, min(start + step, len(self.rows)))
            yield rows, self.rows[rows] @ w, needed

    def at_least(self, design: Design) -> tuple[np.ndarray, np.ndarray]:
        """``(per_city, per_run)``: runs in which each city reaches at least Silver, Gold,
        Platinum (cities x 3), and cities at least at each tier in each run (runs x 3)."""
        per_row = np.zeros((len(self.rows), 3), dtype=np.int64)
        per_run = np.zeros((len(design), 3), dtype=np.int64)
        for rows, counts, needed in self.blocks(design):
            weights = None if self.weights is None else self.weights[rows]
            for j in range(3):  # one comparison at a time, while the block is in cache
                reach = counts >= needed[j]
                per_row[rows, j] = _row_counts(reach)
                per_run[:, j] += _column_counts(reach, weights)
        return per_row[self.inverse], per_run

    def tiers(self, design: Design) -> np.ndarray:
        """Tier code of every city in every run (cities x runs, int8): for small populations."""
        out = np.zeros((len(self.rows), len(design)), dtype=np.int8)
        for rows, counts, needed in self.blocks(design):
            for j in range(3):
                out[rows] += (counts >= needed[j]).view(np.int8)
        return out[self.inverse]


def _unique_rows(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(first, inverse, counts)`` of the distinct rows of the boolean and small-integer columns
    ``parts``, from their packed bits (a few bytes a row, so the sort is cheap)."""
    bits = [p.astype(bool) for p in parts if p.dtype == bool]
    for p in parts:
        if p.dtype != bool and p.size:
            width = max(1, int(p.max()).bit_length())
            bits.append((p >> np.arange(width)) & 1 != 0)
    packed = np.packbits(np.concatenate(bits, axis=1), axis=1)
    pad = -packed.shape[1] % 8
    packed = np.ascontiguousarray(np.pad(packed, ((0, 0), (0, pad))))
    keys = packed.view(np.uint64) if packed.shape[1] == 8 else packed.view(f"V{packed.shape[1]}")
    _, first, inverse, counts = np.unique(
        keys.ravel(), return_index=True, return_inverse=True, return_counts=True
    )
    return first, inverse.ravel(), counts


def _row_counts(b: np.ndarray) -> np.ndarray:
    """True values in each row of a boolean matrix (a popcount of the packed bits)."""
    return np.bitwise_count(np.packbits(b, axis=1)).sum(axis=1, dtype=np.int64)


def _column_counts(b: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """True values in each column (weighted by row when ``weights`` is given)."""
    if weights is not None:
        return np.rint(weights @ b).astype(np.int64)
    dtype = np.uint16 if len(b) < (1 << 16) else np.int64
    return np.add.reduce(b.view(np.uint8), axis=0, dtype=dtype).astype(np.int64)


def evaluate(population, design: Design, standard: Standard | None = None) -> np.ndarray:
    """Tier code of every city of ``population`` in every run of ``design`` (cities x runs, int8).

    ``population``: anything :func:`~wwc_analysis.whatif.scenarios.apply` takes; meant for small
    populations or designs (the full matrix is returned). :func:`uncertainty` keeps only the shares
    and counts, which it computes block by block."""
    pop = as_population(population, standard)
    varying = ~np.all(design.kept, axis=0)
    return TierEngine(pop.matrix, pop.outcome, pop.standard, varying).tiers(design)
