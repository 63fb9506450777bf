"""The declared uncertain inputs of a standard's rules, and the runs drawn from them.

:class:`UncertainInputs` declares what is uncertain:

- a **cut-off**: a whole percent drawn uniformly from ``[low, high]``;
- a **core criterion**: kept as a gate (a city missing it is not certified) with probability ``p``,
  otherwise an ordinary criterion;
- the **outcome requirement**: applied with probability ``p``;
- a **criterion**: kept in the standard with probability ``p``; a dropped criterion counts for
  nobody, and the cut-offs apply to the criteria kept as percentages (``met * 100 >= pct * kept``).

Everything not declared stays as in the standard. :func:`sample_unit` draws ``N`` points of the unit
cube (scrambled Sobol' points from ``scipy.stats.qmc``, seeded, or pseudo-random ones) and
:func:`decode` turns them into a :class:`Design`: the rule of each run.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from wwc_analysis.rules.standards import TIERS, Standard, require_standard
from wwc_analysis.whatif.scenarios import ScenarioError

__all__ = [
    "METHODS",
    "Design",
    "Dimension",
    "UncertainInputs",
    "decode",
    "probability_problem",
    "sample_unit",
]

#: How the unit cube is sampled: scrambled Sobol' points (quasi-random) or pseudo-random points.
METHODS = ("sobol", "random")


@dataclass(frozen=True)
class Dimension:
    """One coordinate of the unit cube: which input it draws (``kind`` threshold, core, outcome or
    criterion; ``name`` the tier or criterion code), a machine ``key`` and a ``label`` for
    readers."""

    key: str
    label: str
    kind: str
    name: str


def probability_problem(where: str, p) -> str | None:
    """The problem line of ``p`` as the probability of an uncertain input (strictly between 0 and
    1), or None."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        return f"{where}: expected a probability between 0 and 1, got {p!r}"
    if not 0 < float(p) < 1:
        return (
            f"{where}: {p!r} is not strictly between 0 and 1 (a certain input is not uncertain: "
            "leave it out, or use wwc whatif for a fixed change)"
        )
    return None


@dataclass(frozen=True)
class UncertainInputs:
    """The declared uncertain inputs of a standard's rules.

    ``thresholds``: tier name (``"Gold"``) -> ``(low, high)``, whole percents drawn uniformly.
    ``core``: core criterion -> probability that it is kept as a gate. ``outcome``: probability that
    the outcome requirement applies (``None``: as in the standard). ``criteria``: criterion ->
    probability that it is kept in the standard. Inputs left out stay as in the standard.
    """

    thresholds: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    core: Mapping[str, float] = field(default_factory=dict)
    outcome: float | None = None
    criteria: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = {t.lower(): t for t in TIERS}
        th = {}
        for tier, bounds in dict(self.thresholds).items():
            name = names.get(str(tier).lower(), str(tier))
            th[name] = tuple(bounds) if isinstance(bounds, (tuple, list)) else bounds
        object.__setattr__(self, "thresholds", th)
        object.__setattr__(self, "core", dict(self.core))
        object.__setattr__(self, "criteria", dict(self.criteria))

    @property
    def empty(self) -> bool:
        return not (self.thresholds or self.core or self.criteria or self.outcome is not None)

    def problems(self, standard: Standard) -> list[str]:
        """Every problem of these inputs with ``standard``, one line each (empty: fine)."""
        std = require_standard(standard, "UncertainInputs.problems")
        out = _standard_problems(std)
        if out:
            return out
        if self.empty:
            return ["uncertain: declare at least one uncertain input"]
        out += _threshold_problems(self.thresholds, std)
        out += _core_problems(self.core, std)
        if self.outcome is not None:
            out += filter(None, [probability_problem("uncertain.outcome", self.outcome)])
        for code, p in self.criteria.items():
            if code not in std.criteria:
                out.append(f"uncertain.criteria: {_unknown_code(code, std.criteria, std)}")
            elif problem := probability_problem(f"uncertain.criteria.{code}", p):
                out.append(problem)
        return out

    def check(self, standard: Standard) -> None:
        """Raise :class:`~wwc_analysis.whatif.ScenarioError` listing every problem, one per line."""
        problems = self.problems(standard)
        if problems:
            raise ScenarioError("\n".join(problems))

    def dimensions(self, standard: Standard) -> list[Dimension]:
        """The coordinates of the unit cube, in order: cut-offs (Silver, Gold, Platinum), core
        criteria and criteria in the standard's order, the outcome requirement between them."""
        std = require_standard(standard, "UncertainInputs.dimensions")
        dims = [
            Dimension(f"threshold.{t.lower()}", f"{t} cut-off", "threshold", t)
            for t in TIERS
            if t in self.thresholds
        ]
        dims += [
            Dimension(f"core.{c}", f"core gate {c}", "core", c) for c in std.core if c in self.core
        ]
        if self.outcome is not None:
            dims.append(Dimension("outcome", "outcome requirement", "outcome", ""))
        dims += [
            Dimension(f"criterion.{c}", f"criterion {c} kept", "criterion", c)
            for c in std.criteria
            if c in self.criteria
        ]
        return dims

    def varying(self, standard: Standard) -> np.ndarray:
        """One boolean per criterion of ``standard``: whether its inclusion is uncertain."""
        return np.isin(np.array(standard.criteria), list(self.criteria))

    def describe(self, standard: Standard) -> list[str]:
        """Each uncertain input in words, one line each."""
        std = require_standard(standard, "UncertainInputs.describe")
        lines = []
        for t in TIERS:
            if t in self.thresholds:
                low, high = self.thresholds[t]
                now = std.threshold_map[t]
                lines.append(
                    f"{t} cut-off: a whole percent from {low} to {high}, each equally likely "
                    f"(the standard: {now} %)"
                )
        for c in std.core:
            if c in self.core:
                lines.append(
                    f"core criterion {c} kept as a gate with probability {_pct(self.core[c])}"
                )
        if self.outcome is not None:
            lines.append(f"the outcome requirement applied with probability {_pct(self.outcome)}")
        lines += _criteria_lines(self.criteria, std)
        return lines


def _pct(p: float) -> str:
    return f"{100 * float(p):g} %"


def _criteria_lines(criteria: Mapping[str, float], std: Standard) -> list[str]:
    """The criteria inputs in words: one line per probability (codes listed unless all)."""
    by_p: dict[float, list[str]] = {}
    for c in std.criteria:
        if c in criteria:
            by_p.setdefault(float(criteria[c]), []).append(c)
    lines = []
    for p, codes in by_p.items():
        if len(codes) == std.criteria_count:
            what = f"each of the {len(codes)} criteria"
        elif len(codes) == 1:
            what = f"criterion {codes[0]}"
        else:
            what = f"each of the {len(codes)} criteria {', '.join(codes)}"
        lines.append(f"{what} kept in the standard with probability {_pct(p)}")
    return lines


def _standard_problems(std: Standard) -> list[str]:
    if std.tier_rule != "percent_of_criteria" or not std.has_criteria:
        return [
            f"standard: {std.name} is not scored by a percent of listed criteria (the robustness "
            "analysis varies criteria and percent cut-offs)"
        ]
    return []


def _unknown_code(code, known, std: Standard) -> str:
    close = difflib.get_close_matches(str(code).upper(), known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown criterion {code!r}{hint} for standard {std.name}"


def _bounds_problem(where: str, bounds) -> str | None:
    ok = (
        isinstance(bounds, tuple)
        and len(bounds) == 2
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in bounds)
    )
    if not ok:
        return f"{where}: expected two whole percents (low, high), got {bounds!r}"
    low, high = bounds
    if not 0 <= low <= high <= 100:
        return f"{where}: [{low}, {high}] must satisfy 0 <= low <= high <= 100"
    return None


def _threshold_problems(thresholds: Mapping, std: Standard) -> list[str]:
    out = []
    unknown = [t for t in thresholds if t not in TIERS]
    for t in unknown:
        out.append(f"uncertain.thresholds: unknown tier {t!r}; tiers: silver, gold, platinum")
    ranges = {}
    for t in TIERS:
        if t in thresholds:
            problem = _bounds_problem(f"uncertain.thresholds.{t.lower()}", thresholds[t])
            if problem:
                out.append(problem)
                continue
        now = std.threshold_map[t]
        ranges[t] = thresholds.get(t, (now, now))
    for lower, upper in zip(TIERS, TIERS[1:]):
        if lower in ranges and upper in ranges and ranges[lower][1] > ranges[upper][0]:
            out.append(
                f"uncertain.thresholds: the {lower} cut-off (up to {ranges[lower][1]} %) could "
                f"exceed the {upper} cut-off (from {ranges[upper][0]} %); the ranges must keep "
                f"{lower} <= {upper}"
            )
    return out


def _core_problems(core: Mapping, std: Standard) -> list[str]:
    if core and not std.core_required:
        return [f"uncertain.core: standard {std.name} has no core gate to vary"]
    out = []
    for code, p in core.items():
        if code not in std.core:
            kind = "a criterion but not a core criterion" if code in std.criteria else "unknown"
            out.append(
                f"uncertain.core.{code}: {kind} of standard {std.name}; core criteria: "
                f"{', '.join(std.core)}"
            )
        elif problem := probability_problem(f"uncertain.core.{code}", p):
            out.append(problem)
    return out


# --- sampling ------------------------------------------------------------------------------------


def sample_unit(n: int, d: int, seed: int, method: str = "sobol") -> np.ndarray:
    """``n`` points of the unit cube ``[0, 1)^d``: scrambled Sobol' points (``scipy.stats.qmc``;
    ``n`` must be a power of 2, the size at which they are balanced) or pseudo-random ones
    (``method="random"``), seeded either way."""
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"the number of samples must be a positive integer, got {n!r}")
    if d < 1:
        raise ValueError("declare at least one uncertain input")
    if method == "random":
        return np.random.default_rng(seed).random((n, d))
    if n & (n - 1):
        raise ValueError(
            f"{n} samples: Sobol' points need a power of 2 (e.g. {1 << max(0, n.bit_length() - 1)}"
            f" or {1 << n.bit_length()})"
        )
    from scipy.stats import qmc

    return qmc.Sobol(d, scramble=True, rng=seed).random_base2(int(n).bit_length() - 1)


@dataclass(frozen=True)
class Design:
    """The rule of every run: ``thresholds`` (runs x 3 whole percents), ``core_gate`` (runs x core
    criteria of the standard: the criterion is a gate), ``outcome_gate`` (runs) and ``kept`` (runs x
    criteria: the criterion is in the standard)."""

    thresholds: np.ndarray
    core_gate: np.ndarray
    outcome_gate: np.ndarray
    kept: np.ndarray

    def __len__(self) -> int:
        return len(self.thresholds)

    @classmethod
    def baseline(cls, standard: Standard, runs: int = 1) -> Design:
        """``runs`` copies of ``standard`` as it is."""
        return cls(
            np.tile(np.array(standard.thresholds, dtype=np.int64), (runs, 1)),
            np.full((runs, len(standard.core)), standard.core_required),
            np.full(runs, standard.outcome_required),
            np.ones((runs, standard.criteria_count), dtype=bool),
        )

    def take(self, rows) -> Design:
        """The runs at ``rows`` (an index array or a slice)."""
        return Design(
            self.thresholds[rows], self.core_gate[rows], self.outcome_gate[rows], self.kept[rows]
        )

    def standard_at(self, run: int, standard: Standard) -> Standard:
        """The reduced standard of one run, built from scratch (for checks and explanations)."""
        kept = self.kept[run]
        if not kept.any():
            raise ValueError(f"run {run} keeps no criterion")
        codes = tuple(c for c, k in zip(standard.criteria, kept) if k)
        areas = tuple(a for a, k in zip(standard.practice_areas, kept) if k)
        core = tuple(c for c, g in zip(standard.core, self.core_gate[run]) if g and c in set(codes))
        return replace(
            standard,
            name=f"{standard.name} (run {run})",
            criteria=codes,
            practice_areas=areas,
            criteria_count=len(codes),
            core=core,
            core_required=bool(core),
            outcome_required=bool(self.outcome_gate[run]),
            thresholds=tuple(int(t) for t in self.thresholds[run]),
        )


def decode(unit: np.ndarray, inputs: UncertainInputs, standard: Standard) -> Design:
    """The :class:`Design` of the points ``unit`` (runs x dimensions of ``inputs``): a cut-off
    ``low + floor(u * (high - low + 1))``, a core gate, the outcome requirement or a criterion kept
    when ``u < p``; everything not declared uncertain as in ``standard``."""
    std = require_standard(standard, "decode")
    dims = inputs.dimensions(std)
    u = np.asarray(unit, dtype=np.float64)
    if u.ndim != 2 or u.shape[1] != len(dims):
        raise ValueError(f"expected points of shape (runs, {len(dims)}), got {u.shape}")
    d = Design.baseline(std, len(u))
    for j, dim in enumerate(dims):
        col = u[:, j]
        if dim.kind == "threshold":
            low, high = inputs.thresholds[dim.name]
            value = low + np.floor(col * (high - low + 1)).astype(np.int64)
            d.thresholds[:, TIERS.index(dim.name)] = np.minimum(value, high)
        elif dim.kind == "core":
            d.core_gate[:, std.core.index(dim.name)] = col < inputs.core[dim.name]
        elif dim.kind == "outcome":
            d.outcome_gate[:] = col < inputs.outcome
        else:
            d.kept[:, std.criteria.index(dim.name)] = col < inputs.criteria[dim.name]
    return d
