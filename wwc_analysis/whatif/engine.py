"""What-if scoring: scenarios, paths to a higher tier, tier probabilities and threshold sweeps.

Everything here is built on :mod:`wwc_analysis.scoring`: a tier is always decided by
:func:`~wwc_analysis.scoring.threshold_tiers` / :func:`~wwc_analysis.scoring.score_matrix` (the exact
integer rule ``met * 100 >= pct * total``), never re-implemented.

Scenarios
    Immutable changes (:class:`MarkMet`, :class:`MarkUnmet`, :class:`SetThresholds`, :class:`UseStandard`,
    :class:`SetGates`, :class:`OutcomeMet`) composed into a :class:`Scenario` (``s1 + s2`` or
    ``Scenario([...])``) and applied in order by :func:`apply` to a long or wide assessment frame, an
    :class:`~wwc_analysis.scoring.AssessmentMatrix` or ``(matrix, outcome)`` arrays.
    :func:`compare` gives each city's tier before and after and a transition matrix
    (:meth:`Comparison.moves_text` and :meth:`Comparison.labelled_transitions` put them in prose and
    in a table for reading).
Paths to a higher tier
    :func:`path_to_tier` / :func:`paths_to_higher_tiers`: the fewest further criteria that reach a tier,
    always including the missing core criteria, the rest chosen by peer prevalence
    (:func:`peer_prevalence`) or by effort weights (cheapest set, exact). :func:`city_from_file` reads
    the one city of a self-assessment file.
Uncertainty
    :func:`tier_probabilities`: the exact probability of each tier when criteria are met with given
    (independent) probabilities, respecting the core and outcome gates; a Poisson-binomial dynamic
    programme vectorised over cities. :func:`format_probability` writes one for prose.
Threshold sensitivity
    :func:`threshold_sweep`: tier counts as each threshold sweeps 0..100 %, from the histogram of criteria
    met; :func:`plot_threshold_sweep` draws it.
CLI
    ``wwc whatif --file SCENARIO.yaml`` (see :func:`register` and ``docs/whatif-cookbook.md``).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import (
    SCORE_TIER_DTYPE,
    SCORE_TIERS,
    AssessmentMatrix,
    CityScore,
    ScoreArrays,
    assessment_matrix,
    missing_core_labels,
    score_city,
    score_matrix,
    threshold_tiers,
)
from wwc_analysis.rules.standards import TIERS, Standard, get_standard, tier_code

__all__ = [
    "Change",
    "CityWhatIf",
    "Comparison",
    "MarkMet",
    "MarkUnmet",
    "OutcomeMet",
    "Scenario",
    "ScenarioError",
    "ScenarioFile",
    "SelfAssessment",
    "SetGates",
    "SetThresholds",
    "TierPath",
    "UseStandard",
    "apply",
    "apply_arrays",
    "city_from_file",
    "city_tier_probabilities",
    "city_whatif",
    "compare",
    "count_distribution",
    "format_probability",
    "load_scenario_file",
    "met_criteria",
    "parse_scenario",
    "path_to_tier",
    "paths_to_higher_tiers",
    "peer_prevalence",
    "plot_threshold_sweep",
    "sweep_standard",
    "threshold_sweep",
    "tier_probabilities",
    "tier_probability_frame",
]


class ScenarioError(ValueError):
    """A scenario that cannot be applied: unknown criterion, threshold out of range, unknown key..."""


# =================================================================================================
# Scenarios
# =================================================================================================

def _codes(value: str | Iterable[str], what: str) -> tuple[str, ...]:
    """Normalise one code or an iterable of codes to a tuple of stripped, non-empty strings."""
    items = [value] if isinstance(value, str) else list(value)
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ScenarioError(f"{what}: criterion codes must be non-empty strings, got {item!r}")
        out.append(item.strip())
    if not out:
        raise ScenarioError(f"{what}: no criterion codes given")
    dup = sorted({c for c in out if out.count(c) > 1})
    if dup:
        raise ScenarioError(f"{what}: criterion code(s) listed twice: {', '.join(dup)}")
    return tuple(out)


def _cities(value) -> tuple | None:
    if value is None:
        return None
    items = [value] if isinstance(value, (str, int, np.integer)) else list(value)
    if not items:
        raise ScenarioError("an empty list of cities selects nobody: leave 'cities' out to mean all cities")
    return tuple(int(c) if isinstance(c, (int, np.integer)) and not isinstance(c, bool) else str(c) for c in items)


def check_criteria(codes: Iterable[str], standard: Standard, what: str = "scenario") -> None:
    """Raise :class:`ScenarioError` naming every code that is not a criterion of ``standard``."""
    unknown = [c for c in codes if c not in standard.criteria]
    if unknown:
        hints = []
        for c in unknown:
            close = difflib.get_close_matches(c.upper(), standard.criteria, n=1)
            hints.append(f"{c} (did you mean {close[0]}?)" if close else c)
        raise ScenarioError(
            f"{what}: unknown criterion {', '.join(hints)} for standard {standard.name}; "
            f"valid codes: {', '.join(standard.criteria)}"
        )


def _scope(cities) -> str:
    if cities is None:
        return "all cities"
    shown = ", ".join(map(str, cities[:5])) + (f" and {len(cities) - 5} more" if len(cities) > 5 else "")
    return f"{'city' if len(cities) == 1 else 'cities'} {shown}"


@dataclass
class _State:
    """Mutable working state while a scenario is applied (the changes themselves are immutable)."""

    standard: Standard
    matrix: np.ndarray
    outcome: np.ndarray
    ids: pd.Index | None
    owns_matrix: bool = False
    owns_outcome: bool = False

    def writable_matrix(self) -> np.ndarray:
        if not self.owns_matrix:
            self.matrix = np.array(self.matrix, dtype=bool, copy=True)
            self.owns_matrix = True
        return self.matrix

    def writable_outcome(self) -> np.ndarray:
        if not self.owns_outcome:
            self.outcome = np.array(self.outcome, dtype=bool, copy=True)
            self.owns_outcome = True
        return self.outcome

    def rows(self, cities) -> slice | np.ndarray:
        """Row selector for ``cities`` (``None`` = all). Ids are matched against the ``city_id`` level
        of the index (or the index itself); with bare arrays, cities are row positions."""
        if cities is None:
            return slice(None)
        n = len(self.outcome)
        if self.ids is None:
            pos = [c for c in cities if not isinstance(c, int) or not -n <= c < n]
            if pos:
                raise ScenarioError(
                    f"unknown city {', '.join(map(str, pos))}: with bare arrays, cities are row positions 0..{n - 1}"
                )
            mask = np.zeros(n, dtype=bool)
            mask[list(cities)] = True
            return mask
        ids = self.ids
        if isinstance(ids, pd.MultiIndex):
            ids = ids.get_level_values("city_id") if "city_id" in (ids.names or []) else ids.get_level_values(0)
        ids = ids.astype(str)
        wanted = pd.Index([str(c) for c in cities])
        unknown = wanted.difference(pd.Index(ids.unique()))
        if len(unknown):
            raise ScenarioError(f"unknown city id(s) {', '.join(unknown)}: not in the assessments")
        return np.asarray(ids.isin(wanted))


@dataclass(frozen=True)
class Change:
    """One immutable change to the assessments or to the standard. Compose with ``+``."""

    def __add__(self, other: Change | Scenario) -> Scenario:
        return Scenario((self, other))

    def __radd__(self, other) -> Scenario:
        if other == 0:  # sum([...])
            return Scenario((self,))
        return Scenario((other, self))

    def describe(self) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def criteria_used(self) -> tuple[str, ...]:
        return ()

    def _apply(self, state: _State) -> None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


@dataclass(frozen=True)
class MarkMet(Change):
    """Mark ``criteria`` as met, for all cities or for the city ids in ``cities``."""

    criteria: tuple[str, ...]
    cities: tuple | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", _codes(self.criteria, type(self).__name__))
        object.__setattr__(self, "cities", _cities(self.cities))

    _value = True

    def describe(self) -> str:
        return f"mark {', '.join(self.criteria)} as {'met' if self._value else 'unmet'} for {_scope(self.cities)}"

    def criteria_used(self) -> tuple[str, ...]:
        return self.criteria

    def _apply(self, state: _State) -> None:
        check_criteria(self.criteria, state.standard, type(self).__name__)
        cols = [state.standard.criteria.index(c) for c in self.criteria]
        rows = state.rows(self.cities)
        m = state.writable_matrix()
        if isinstance(rows, slice):
            m[:, cols] = self._value
        else:
            m[np.ix_(rows, cols)] = self._value


@dataclass(frozen=True)
class MarkUnmet(MarkMet):
    """Mark ``criteria`` as not met, for all cities or for the city ids in ``cities``."""

    _value = False


@dataclass(frozen=True)
class SetThresholds(Change):
    """Change one or more thresholds (whole percents 0-100; component counts for the 2017 rule)."""

    silver: int | None = None
    gold: int | None = None
    platinum: int | None = None

    def __post_init__(self) -> None:
        given = {k: v for k, v in (("silver", self.silver), ("gold", self.gold), ("platinum", self.platinum)) if v is not None}
        if not given:
            raise ScenarioError("SetThresholds: give at least one of silver, gold, platinum")
        for k, v in given.items():
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                else:
                    raise ScenarioError(f"threshold {k}: {v!r} is not a whole percent")
            if not 0 <= v <= 100:
                raise ScenarioError(f"threshold {k}: {v} is outside 0-100")
            object.__setattr__(self, k, int(v))

    def describe(self) -> str:
        parts = [f"{k.capitalize()} {v}" for k, v in (("silver", self.silver), ("gold", self.gold), ("platinum", self.platinum)) if v is not None]
        return "threshold" + ("s " if len(parts) > 1 else " ") + ", ".join(parts) + " %"

    def _apply(self, state: _State) -> None:
        try:
            state.standard = state.standard.with_thresholds(self.silver, self.gold, self.platinum)
        except ValueError as exc:
            raise ScenarioError(f"{self.describe()}: {exc}") from None


@dataclass(frozen=True)
class UseStandard(Change):
    """Score under another standard's thresholds (e.g. the 2022 population under 2018's 51/67/84).

    The population keeps its own criteria (the 2018 criterion list is not in the data); only the tier
    thresholds are taken from ``name``. Gates: by default those of ``name`` are adopted (2018 had no core
    or outcome gate); ``keep_gates=True`` keeps the current ones. Both standards must use the percent rule.
    """

    name: str | Standard
    keep_gates: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, Standard):
            object.__setattr__(self, "name", str(self.name))

    @property
    def label(self) -> str:
        return self.name.name if isinstance(self.name, Standard) else self.name

    def describe(self) -> str:
        gates = "keeping the current gates" if self.keep_gates else "with its gates"
        return f"use the {self.label} thresholds ({gates})"

    def _apply(self, state: _State) -> None:
        try:
            other = get_standard(self.name)
        except KeyError as exc:
            raise ScenarioError(f"use_standard: {exc.args[0]}") from None
        cur = state.standard
        if other.tier_rule != cur.tier_rule:
            raise ScenarioError(
                f"use_standard: standard {other.name} uses the {other.tier_rule} rule; its thresholds cannot score "
                f"criteria of standard {cur.name} ({cur.tier_rule})"
            )
        gates = {} if self.keep_gates else {
            "core_required": other.core_required and bool(cur.core),
            "outcome_required": other.outcome_required,
        }
        state.standard = replace(
            cur, thresholds=other.thresholds, name=f"{cur.name} under {other.name} thresholds", **gates
        )


@dataclass(frozen=True)
class SetGates(Change):
    """Switch the core gate and/or the outcome gate on (``True``) or off (``False``)."""

    core: bool | None = None
    outcome: bool | None = None

    def __post_init__(self) -> None:
        if self.core is None and self.outcome is None:
            raise ScenarioError("SetGates: give core and/or outcome")
        for k in ("core", "outcome"):
            v = getattr(self, k)
            if v is not None and not isinstance(v, (bool, np.bool_)):
                raise ScenarioError(f"{k}_gate: expected true or false, got {v!r}")

    def describe(self) -> str:
        parts = []
        if self.core is not None:
            parts.append(f"core gate {'on' if self.core else 'off'}")
        if self.outcome is not None:
            parts.append(f"outcome gate {'on' if self.outcome else 'off'}")
        return ", ".join(parts)

    def _apply(self, state: _State) -> None:
        state.standard = state.standard.with_gates(self.core, self.outcome)


@dataclass(frozen=True)
class OutcomeMet(Change):
    """Treat the outcome requirement as met (``met=False``: as unmet), for all or the chosen cities."""

    cities: tuple | None = None
    met: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "cities", _cities(self.cities))

    def describe(self) -> str:
        return f"treat the outcome requirement as {'met' if self.met else 'unmet'} for {_scope(self.cities)}"

    def _apply(self, state: _State) -> None:
        rows = state.rows(self.cities)
        state.writable_outcome()[rows] = self.met


@dataclass(frozen=True, init=False)
class Scenario:
    """An ordered, immutable composition of changes, applied left to right.

    ``Scenario([MarkMet(["EVAL2"]), SetThresholds(gold=70)], name="...")``, ``change1 + change2`` or
    ``scenario + change``. The empty scenario is the baseline.
    """

    changes: tuple[Change, ...]
    name: str

    def __init__(self, changes: Iterable[Change | Scenario] | Change | None = (), name: str = ""):
        if changes is None:
            changes = ()
        if isinstance(changes, Scenario) and not name:
            name = changes.name  # Scenario(scenario) is the same scenario
        if isinstance(changes, (Change, Scenario)):
            changes = (changes,)
        flat: list[Change] = []
        for c in changes:
            if isinstance(c, Scenario):
                flat.extend(c.changes)
            elif isinstance(c, Change):
                flat.append(c)
            else:
                raise TypeError(f"a scenario is made of changes, got {type(c).__name__}")
        object.__setattr__(self, "changes", tuple(flat))
        object.__setattr__(self, "name", str(name))

    def __add__(self, other: Change | Scenario) -> Scenario:
        return Scenario((*self.changes, other), name=self.name)

    def __radd__(self, other) -> Scenario:
        if other == 0:
            return self
        return Scenario((other, *self.changes))

    def __len__(self) -> int:
        return len(self.changes)

    def describe(self) -> str:
        """The scenario in words, one numbered change per line."""
        title = f"Scenario {self.name!r}" if self.name else "Scenario"
        if not self.changes:
            return f"{title}: no change (baseline)"
        return "\n".join([f"{title}:"] + [f"  {i}. {c.describe()}" for i, c in enumerate(self.changes, 1)])

    def criteria_used(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for ch in self.changes for c in ch.criteria_used()))

    def standard_for(self, standard: Standard | str = "2022") -> Standard:
        """The standard in effect after the scenario's changes (validates criteria and thresholds)."""
        std = get_standard(standard)
        check_criteria(self.criteria_used(), std, "scenario")
        state = _State(std, np.zeros((0, std.criteria_count), dtype=bool), np.zeros(0, dtype=bool), pd.Index([]))
        for ch in self.changes:
            if not isinstance(ch, (MarkMet, OutcomeMet)):
                ch._apply(state)
        return state.standard

    def transform(self, standard: Standard | str, matrix, outcome=True, ids: pd.Index | None = None):
        """Apply the changes to a boolean matrix and outcome flags: ``(standard, matrix, outcome)``.

        The input arrays are never modified (copied on first write). ``ids`` identifies the rows for
        changes restricted to some cities; without it, cities are row positions.
        """
        std = get_standard(standard)
        m = np.asarray(matrix)
        if m.ndim != 2 or m.dtype != np.bool_:
            raise TypeError(f"the assessment matrix must be a 2-D boolean array, got {m.dtype} with shape {m.shape}")
        if m.shape[1] != std.criteria_count:
            raise ValueError(f"the matrix has {m.shape[1]} columns but standard {std.name} has {std.criteria_count} criteria")
        out = np.broadcast_to(np.asarray(outcome, dtype=bool), (m.shape[0],))
        state = _State(std, m, out, ids)
        for ch in self.changes:
            ch._apply(state)
        return state.standard, state.matrix, np.asarray(state.outcome)


# --- applying to the supported input shapes -------------------------------------------------------

@dataclass(frozen=True)
class _Population:
    standard: Standard
    matrix: np.ndarray
    outcome: np.ndarray
    index: pd.Index | None
    simulated: np.ndarray | None


def _population(assessments, standard=None) -> _Population:
    """Any supported assessment input as aligned arrays."""
    if isinstance(assessments, AssessmentMatrix):
        std = assessments.standard if standard is None else get_standard(standard)
        return _Population(std, assessments.matrix, assessments.outcome_met, assessments.index, assessments.simulated)
    if isinstance(assessments, pd.DataFrame):
        am = assessment_matrix(assessments, "2022" if standard is None else standard)
        return _Population(am.standard, am.matrix, am.outcome_met, am.index, am.simulated)
    std = get_standard("2022" if standard is None else standard)
    if isinstance(assessments, tuple) and len(assessments) == 2:
        m, outcome = assessments
    else:
        m, outcome = assessments, True
    m = np.asarray(m)
    if m.ndim == 1:
        m = m[None, :]
    if m.dtype != np.bool_:
        raise TypeError(f"the assessment matrix must be boolean, got dtype {m.dtype}")
    return _Population(std, m, np.broadcast_to(np.asarray(outcome, dtype=bool), (m.shape[0],)), None, None)


def apply_arrays(scenario: Scenario | Change, matrix, outcome=True, standard: Standard | str = "2022") -> ScoreArrays:
    """The fast path: apply ``scenario`` to a boolean (cities x criteria) matrix; returns ScoreArrays.

    ``ScoreArrays.standard`` is the standard in effect after the scenario. Cities in the scenario are
    row positions here.
    """
    std, m, out = Scenario(scenario).transform(standard, matrix, outcome)
    return score_matrix(m, std, out)


def apply(scenario: Scenario | Change, assessments, standard: Standard | str | None = None):
    """Score ``assessments`` under ``scenario``.

    ``assessments`` is a long frame (``city_id, round_id, criterion, met, outcome_met[, simulated]``), a
    wide frame (a boolean column per criterion, ``outcome_met``), an
    :class:`~wwc_analysis.scoring.AssessmentMatrix`, a boolean matrix, or a ``(matrix, outcome)`` tuple.
    ``standard`` is the population's standard (default: the matrix's own, else 2022).

    Returns, for frames and AssessmentMatrix, the frame of :func:`wwc_analysis.scoring.score` (one row per
    city and round; ``attrs`` carry ``standard``, ``scenario`` and ``simulated``); for arrays, the
    :class:`~wwc_analysis.scoring.ScoreArrays` (no frame is built: the 1-million-city path).
    """
    scenario = Scenario(scenario)
    pop = _population(assessments, standard)
    std, m, out = scenario.transform(pop.standard, pop.matrix, pop.outcome, pop.index)
    arrays = score_matrix(m, std, out)
    if pop.index is None:
        return arrays
    frame = arrays.to_frame(index=pop.index, missing_core=missing_core_labels(m, std))
    frame["simulated"] = pop.simulated
    frame.attrs.update(
        standard=std.name,
        scenario=scenario.describe(),
        simulated=bool(pop.simulated.all()) if len(pop.simulated) else False,
    )
    return frame


# --- comparing ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    """Each city's tier before and after a scenario, and the summary.

    ``cities``: one row per city (and round): ``tier_before, tier_after`` (ordered categoricals),
    ``met_before, met_after``, ``reason_after``, ``change`` (``up``/``down``/``unchanged``), ``steps``
    (tier codes moved, signed), ``simulated``. ``transitions``: crosstab of tiers, rows before, columns
    after, all four tiers always present. ``summary``: counts ``up, down, unchanged, total``.
    """

    cities: pd.DataFrame
    transitions: pd.DataFrame
    summary: pd.Series
    simulated: bool
    scenario: str = ""
    standard_before: str = ""
    standard_after: str = ""

    def changed(self) -> pd.DataFrame:
        """The cities whose tier changed."""
        return self.cities[self.cities["change"] != "unchanged"]

    def _n_cities(self) -> int:
        """Distinct cities compared (the rows are assessments: a city may have several rounds)."""
        idx = self.cities.index
        if isinstance(idx, pd.MultiIndex) and "city_id" in idx.names:
            return int(idx.get_level_values("city_id").nunique())
        return int(self.summary["total"])

    def explain(self, flag_simulated: bool = True) -> str:
        """The summary in words (``flag_simulated=False`` leaves out the SIMULATED line)."""
        s = self.summary
        lines = []
        if self.simulated and flag_simulated:
            lines.append("SIMULATED assessments (fictional cities), not real certification results.")
        if self.scenario:
            lines.append(self.scenario)
        n_cities = self._n_cities()
        what = f"{s['total']} cities" if n_cities == s["total"] else f"{s['total']} assessments of {n_cities} cities"
        lines.append(
            f"{what}: {s['up']} move up, {s['down']} move down, {s['unchanged']} keep their tier "
            f"({self.standard_before} -> {self.standard_after})."
        )
        before = self.transitions.sum(axis=1)
        after = self.transitions.sum(axis=0)
        for t in SCORE_TIERS:
            if before[t] or after[t]:
                lines.append(f"  {t}: {before[t]} -> {after[t]}")
        return "\n".join(lines)

    def moves_text(self, markdown: bool = True) -> str:
        """The moves in one clause for prose, e.g. ``'**0** of the 500 fictional cities move up and **8**
        move down (Silver 130 → 138; Gold 62 → 54)'``: the counts up and down (bold unless
        ``markdown=False``), then each tier whose count changed, before → after, lowest tier first.

        "fictional cities" when the comparison is simulated, "cities" otherwise; when a city has
        several assessments the rows are counted as assessments.
        """
        s, before, after = self.summary, self.transitions.sum(axis=1), self.transitions.sum(axis=0)
        b = "**" if markdown else ""
        kind = "fictional cities" if self.simulated else "cities"
        n_cities = self._n_cities()
        what = f"{s['total']} {kind}" if n_cities == s["total"] else f"{s['total']} assessments of {n_cities} {kind}"
        shifts = [f"{t} {before[t]} → {after[t]}" for t in self.transitions.index if before[t] != after[t]]
        return (f"{b}{s['up']}{b} of the {what} {'moves' if s['up'] == 1 else 'move'} up and "
                f"{b}{s['down']}{b} {'moves' if s['down'] == 1 else 'move'} down"
                + (f" ({'; '.join(shifts)})" if shifts else ""))

    def labelled_transitions(self, before_label: str, after_label: str) -> pd.DataFrame:
        """:attr:`transitions` with its axes named for reading: rows ``before_label`` (the tier before),
        columns ``after_label`` (the tier after), e.g. ``("2022 rules ↓", "Gold at 70 % →")``.
        A copy: :attr:`transitions` itself keeps the axis names ``before`` / ``after``."""
        return self.transitions.rename_axis(index=str(before_label), columns=str(after_label))

    def to_dict(self, max_cities: int | None = None) -> dict:
        ch = self.changed()
        if max_cities is not None:
            ch = ch.head(max_cities)
        return {
            "simulated": self.simulated,
            "scenario": self.scenario,
            "standard_before": self.standard_before,
            "standard_after": self.standard_after,
            "summary": {k: int(v) for k, v in self.summary.items()},
            "transitions": {str(b): {str(a): int(v) for a, v in row.items()} for b, row in self.transitions.iterrows()},
            "changed": [
                {**_index_dict(idx, ch.index.names), **{k: _jsonable(v) for k, v in row.items()}}
                for idx, row in zip(ch.index, ch.to_dict("records"))
            ],
        }


def _index_dict(idx, names) -> dict:
    if not isinstance(idx, tuple):
        idx = (idx,)
    names = [n or f"level_{i}" for i, n in enumerate(names)]
    return {n: _jsonable(v) for n, v in zip(names, idx)}


def _jsonable(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v if isinstance(v, (int, float, bool, type(None))) else str(v)


def _tier_codes(scores) -> np.ndarray:
    if isinstance(scores, ScoreArrays):
        return np.asarray(scores.tier, dtype=np.int64)
    return np.asarray(pd.Categorical(scores["tier"], dtype=SCORE_TIER_DTYPE).codes, dtype=np.int64)


def _met(scores) -> np.ndarray:
    return np.asarray(scores.met if isinstance(scores, ScoreArrays) else scores["met"], dtype=np.int64)


def _simulated(scores, n: int) -> np.ndarray:
    if isinstance(scores, pd.DataFrame) and "simulated" in scores.columns:
        return scores["simulated"].to_numpy(dtype=bool)
    flag = bool(scores.attrs.get("simulated", False)) if isinstance(scores, pd.DataFrame) else False
    return np.full(n, flag)


def compare(first, second, baseline: Scenario | Change | None = None, *, standard: Standard | str | None = None) -> Comparison:
    """Tiers before and after: ``compare(baseline_scores, scenario_scores)`` or
    ``compare(assessments, scenario, baseline=None)``.

    Scores are frames from :func:`apply` / :func:`wwc_analysis.scoring.score` (aligned on the index) or
    :class:`~wwc_analysis.scoring.ScoreArrays` of equal length. With assessments, the baseline is the
    empty scenario unless ``baseline`` is given. The ``simulated`` flag is carried through (column and
    ``attrs``); the comparison is flagged simulated if any city is.
    """
    if isinstance(second, (Scenario, Change)):
        scenario = Scenario(second)
        before = apply(Scenario(baseline), first, standard)
        after = apply(scenario, first, standard)
        label = scenario.describe()
        if baseline is not None:
            label = "Baseline " + Scenario(baseline).describe() + "\n" + label
    else:
        if baseline is not None:
            raise TypeError("compare(baseline_scores, scenario_scores) takes no baseline= argument")
        before, after, label = first, second, ""
        if isinstance(after, pd.DataFrame):
            label = after.attrs.get("scenario", "")
    if isinstance(before, pd.DataFrame) != isinstance(after, pd.DataFrame):
        raise TypeError("compare: give two score frames or two ScoreArrays, not one of each")
    if isinstance(before, pd.DataFrame):
        if not before.index.equals(after.index):
            if set(before.index) != set(after.index):
                raise ValueError("compare: the two score frames do not cover the same cities")
            after = after.reindex(before.index)
        index = before.index
    else:
        if len(before) != len(after):
            raise ValueError(f"compare: {len(before)} cities before but {len(after)} after")
        index = pd.RangeIndex(len(before), name="row")
    b, a = _tier_codes(before), _tier_codes(after)
    n = len(b)
    steps = a - b
    change = np.where(steps > 0, 0, np.where(steps < 0, 1, 2)).astype(np.int8)
    sim = _simulated(after, n) | _simulated(before, n)
    # reasons in words come from scoring's own frame (ScoreArrays.to_frame), never re-encoded here
    reason_after = after["reason"] if isinstance(after, pd.DataFrame) else after.to_frame()["reason"]
    cities = pd.DataFrame(
        {
            "tier_before": pd.Categorical.from_codes(b, dtype=SCORE_TIER_DTYPE),
            "tier_after": pd.Categorical.from_codes(a, dtype=SCORE_TIER_DTYPE),
            "met_before": _met(before),
            "met_after": _met(after),
            "reason_after": pd.Categorical(reason_after.to_numpy(), dtype=reason_after.dtype),
            "change": pd.Categorical.from_codes(change, categories=["up", "down", "unchanged"]),
            "steps": steps,
            "simulated": sim,
        },
        index=index,
    )
    counts = np.bincount(b * 4 + a, minlength=16).reshape(4, 4)
    transitions = pd.DataFrame(
        counts,
        index=pd.Index(SCORE_TIERS, name="before"),
        columns=pd.Index(SCORE_TIERS, name="after"),
    )
    summary = pd.Series(
        {"up": int((steps > 0).sum()), "down": int((steps < 0).sum()), "unchanged": int((steps == 0).sum()), "total": n},
        dtype="int64",
    )
    simulated = bool(sim.any())
    for obj in (cities, transitions):
        obj.attrs["simulated"] = simulated
    return Comparison(
        cities=cities,
        transitions=transitions,
        summary=summary,
        simulated=simulated,
        scenario=label,
        standard_before=_std_name(before),
        standard_after=_std_name(after),
    )


def _std_name(scores) -> str:
    if isinstance(scores, ScoreArrays):
        return scores.standard.name
    return str(scores.attrs.get("standard", ""))


# =================================================================================================
# Paths to a higher tier
# =================================================================================================

def peer_prevalence(population, standard: Standard | str | None = None) -> pd.DataFrame:
    """Share of cities meeting each criterion, by the tier the population reaches under ``standard``.

    Rows: the standard's criteria; columns: the four tiers (NaN where no city is at that tier).
    ``attrs["cities"]`` holds the number of cities at each tier, ``attrs["simulated"]`` the flag.
    """
    pop = _population(population, standard)
    arrays = score_matrix(pop.matrix, pop.standard, pop.outcome)
    tier = np.asarray(arrays.tier, dtype=np.int64)
    counts = np.bincount(tier, minlength=4)
    sums = np.zeros((4, pop.standard.criteria_count), dtype=np.float64)
    for t in range(4):
        if counts[t]:
            sums[t] = np.count_nonzero(pop.matrix[tier == t], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = sums / counts[:, None]
    frame = pd.DataFrame(shares.T, index=pd.Index(pop.standard.criteria, name="criterion"), columns=list(SCORE_TIERS))
    frame.attrs["cities"] = dict(zip(SCORE_TIERS, map(int, counts)))
    frame.attrs["simulated"] = bool(pop.simulated.any()) if pop.simulated is not None else False
    frame.attrs["standard"] = pop.standard.name
    return frame


def met_criteria(assessments, city_id: str, round_id: str | None = None) -> tuple[tuple[str, ...], bool]:
    """The criteria one city meets in a long assessment frame and its outcome flag: ``(codes, outcome_met)``.

    ``round_id`` defaults to the city's latest round. Codes are in the standard's order (as listed in the
    frame).
    """
    rows = assessments[assessments["city_id"].astype(str) == str(city_id)]
    if rows.empty:
        raise ScenarioError(f"unknown city id {city_id}: not in the assessments")
    rounds = sorted(set(rows["round_id"].astype(str)))
    rnd = rounds[-1] if round_id is None else str(round_id)
    if rnd not in rounds:
        raise ScenarioError(f"city {city_id} has no assessment in round {rnd}; its rounds: {', '.join(rounds)}")
    rows = rows[rows["round_id"].astype(str) == rnd]
    codes = tuple(rows.loc[rows["met"].astype(bool), "criterion"].astype(str))
    outcome = bool(rows["outcome_met"].astype(bool).iloc[0]) if "outcome_met" in rows.columns else True
    return codes, outcome


class SelfAssessment(NamedTuple):
    """The one city of a self-assessment file (see :func:`city_from_file`)."""

    met: tuple[str, ...]
    outcome_met: bool
    city_id: str
    round_id: str


#: How many city ids an error message lists before saying "and N more".
_SHOWN_IDS = 10


def city_from_file(path: str | Path, data_dir: str | Path | None = None) -> SelfAssessment:
    """The criteria met, the outcome flag, the city id and the round id of the one city in a
    self-assessment file (long format ``city_id, round_id, criterion, met, outcome_met``, ``.csv`` or
    ``.xlsx``, validated by :func:`wwc_analysis.load_assessments` against the rounds and criteria of
    ``data_dir``). When the city was assessed in several rounds, its latest round is used.

    A file with more than one city is refused with a :class:`ScenarioError` naming the file and the
    cities in it; a file that fails validation (including one without a data row) raises the loader's
    :class:`~wwc_analysis.errors.DataValidationError`. Returns a :class:`SelfAssessment`, which unpacks
    as ``met, outcome_met, city_id, round_id``.
    """
    from wwc_analysis.data.load import load_assessments

    own = load_assessments(path, data_dir)
    ids = list(dict.fromkeys(own["city_id"].astype(str)))
    if len(ids) > 1:  # (a file without a data row is already refused by load_assessments)
        shown = ", ".join(ids[:_SHOWN_IDS]) + (f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else "")
        raise ScenarioError(f"{path} holds {len(ids)} cities ({shown}); a self-assessment file holds one city: "
                            "keep the rows of one city_id")
    round_id = max(own["round_id"].astype(str))  # round ids are YYYY-MM, so the latest sorts last
    codes, outcome = met_criteria(own, ids[0], round_id)
    return SelfAssessment(codes, outcome, ids[0], round_id)


_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _num(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def _criteria(n: int) -> str:
    return f"{n} more criterion" if n == 1 else f"{n} more criteria"


@dataclass(frozen=True)
class TierPath:
    """The fewest further criteria that take a city to ``target``.

    ``criteria`` = ``missing_core`` (forced) + ``others`` (chosen by ``ranking``), with their
    ``practice_areas``. ``outcome_needed`` says the outcome requirement must also be met (it is not yet,
    and the gate is on). ``met_after``, ``share_after`` and ``tier_after`` describe the city once it meets
    ``criteria`` (and the outcome requirement if needed). ``peer_share`` is, per criterion, the share of
    cities at the target tier meeting it (NaN without a population); ``costs`` the effort weights
    (NaN without weights).
    """

    target: str
    current_tier: str
    current_met: int
    total: int
    required: int
    criteria: tuple[str, ...]
    practice_areas: tuple[str, ...]
    missing_core: tuple[str, ...]
    others: tuple[str, ...]
    outcome_needed: bool
    met_after: int
    tier_after: str
    ranking: str
    peer_share: tuple[float, ...]
    peer_cities: int
    costs: tuple[float, ...]
    standard: Standard = field(repr=False)

    @property
    def count(self) -> int:
        return len(self.criteria)

    @property
    def share_after(self) -> float:
        return self.met_after / self.total

    @property
    def cost(self) -> float:
        """Total effort of the path (NaN without weights)."""
        return float(sum(self.costs)) if self.costs else 0.0

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "current_tier": self.current_tier,
            "count": self.count,
            "criteria": [
                {
                    "code": c,
                    "practice_area": a,
                    "core": c in self.missing_core,
                    "peer_share": None if math.isnan(p) else round(p, 4),
                    "cost": None if math.isnan(w) else w,
                }
                for c, a, p, w in zip(self.criteria, self.practice_areas, self.peer_share, self.costs)
            ],
            "outcome_needed": self.outcome_needed,
            "met_after": self.met_after,
            "total": self.total,
            "share_after": round(self.share_after, 4),
            "tier_after": self.tier_after,
            "ranking": self.ranking,
            "cost": None if self.ranking != "effort" else self.cost,
            "explanation": self.explain(),
        }

    def _describe_other(self, i: int) -> str:
        j = len(self.missing_core) + i
        code, area = self.criteria[j], self.practice_areas[j]
        if self.ranking == "effort":
            return f"{code} ({area}; effort {self.costs[j]:g})"
        if self.ranking == "prevalence":
            return f"{code} ({area}; met by {self.peer_share[j]:.0%} of {self.target} cities)"
        return f"{code} ({area})"

    def explain(self) -> str:
        """The path in the words a city data team would use."""
        t = self.target
        outcome = (
            " You must also meet the outcome requirement (an internationally recognised standard on at least one "
            "outcome), which you do not yet meet."
            if self.outcome_needed
            else ""
        )
        if self.count == 0:
            if self.outcome_needed:
                return f"You already meet enough criteria for {t} ({self.current_met} of {self.total}).{outcome}"
            return f"You are already at {t} or above."
        core, others, k = self.missing_core, self.others, len(self.others)
        head = f"To reach {t} you need {_criteria(self.count)}"
        parts = []
        if core:
            word = "criterion" if len(core) == 1 else "criteria"
            parts.append(f"you still lack the core {word} {_join(core)}")
        if others:
            what = {
                "prevalence": f"most common among {t} cities",
                "effort": "with the lowest effort estimates",
                "standard order": "first in the standard's order",
            }[self.ranking]
            if core:
                noun = "the other" if k == 1 else f"the {_num(k)} others"
            else:
                noun = "the criterion" if k == 1 else f"the {_num(k)} criteria"
            verb = "is" if k == 1 else "are"
            described = _join([self._describe_other(i) for i in range(k)])
            parts.append(f"{noun} {what} that you do not yet meet {verb} {described}")
        elif core and self.current_met >= self.required:
            parts.append(f"your share already clears the {t} threshold")
        text = head + ": " + "; ".join(parts) + "."
        if self.ranking == "prevalence" and others:
            peers = f"the one {t} city" if self.peer_cities == 1 else f"the {self.peer_cities} {t} cities"
            text += f" (Peer shares from {peers} of the comparison population.)"
        text += (
            f" You would then meet {self.met_after} of {self.total} criteria ({self.share_after:.1%}, "
            f"{t} needs {self.required}), which is {self.tier_after}."
        )
        if self.ranking == "effort":
            text += f" Total effort: {self.cost:g}."
        return text + outcome


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _met_codes(met, std: Standard) -> tuple[str, ...]:
    if isinstance(met, np.ndarray) and met.dtype == np.bool_:
        if met.shape != (std.criteria_count,):
            raise ValueError(f"a city's met vector must have {std.criteria_count} entries")
        return tuple(c for c, v in zip(std.criteria, met) if v)
    codes = [met] if isinstance(met, str) else [c.strip() for c in met if c and str(c).strip()]
    check_criteria(codes, std, "met criteria")
    return tuple(c for c in std.criteria if c in set(codes))


def _weights(weights: Mapping[str, float] | None, std: Standard, default_weight: float | None) -> dict[str, float] | None:
    if weights is None:
        return None
    check_criteria(list(weights), std, "effort weights")
    out = {}
    for c in std.criteria:
        w = weights.get(c, default_weight)
        if w is None:
            continue
        w = float(w)
        if not math.isfinite(w) or w < 0:
            raise ScenarioError(f"effort weight of {c} must be a finite number >= 0, got {weights.get(c, default_weight)!r}")
        out[c] = w
    return out


def path_to_tier(
    met: Iterable[str] | np.ndarray,
    target: str | int,
    standard: Standard | str = "2022",
    *,
    outcome_met: bool = True,
    population=None,
    prevalence: pd.DataFrame | None = None,
    weights: Mapping[str, float] | None = None,
    default_weight: float | None = None,
) -> TierPath:
    """The fewest further criteria that take a city meeting ``met`` to ``target``.

    Size. Let ``m`` be the criteria met, ``r = standard.required_met(target)`` and ``C`` the core criteria
    still missing (when the core gate is on). A set ``S`` of further criteria reaches the target iff
    ``S`` contains ``C`` and ``m + |S| >= r`` (the tier depends only on the count and the gates), so the
    fewest is ``max(|C|, r - m)``: ``C`` plus ``k = max(0, r - m - |C|)`` others.

    Choice of the others. Without weights, the ``k`` criteria most common among cities at the target tier
    in ``population`` (or a precomputed ``prevalence`` from :func:`peer_prevalence`), ties broken by the
    standard's order; without either, the standard's order.

    With ``weights`` (effort per criterion, >= 0; criteria without a weight get ``default_weight``, or
    are never suggested when it is ``None``), the ``k`` cheapest. This is exact, and optimal among *all*
    sets that reach the target, not only the smallest ones: every feasible ``S`` is ``C`` plus at least
    ``k`` other unmet criteria, and since weights are non-negative, ``cost(S) >= cost(C) + (sum of its k
    cheapest others) >= cost(C) + (sum of the k cheapest candidates)``, the cost of the set returned. (The
    feasible sets form the bases of a uniform matroid, where greedy is optimal; no knapsack is involved
    because every criterion counts the same towards the share.)

    The outcome requirement cannot be bought with criteria: ``outcome_needed`` says it must also be met.
    """
    std = get_standard(standard)
    code = tier_code(target)
    if code == 0:
        raise ValueError("the target tier must be Silver, Gold or Platinum")
    have = _met_codes(met, std)
    have_set = set(have)
    base = score_city(have, std, outcome_met)
    missing_core = tuple(c for c in std.core if c not in have_set) if std.core_required else ()
    r = std.required_met(code)
    m = len(have)
    k = max(0, r - m - len(missing_core))
    forced = set(missing_core)
    candidates = [c for c in std.criteria if c not in have_set and c not in forced]
    area_of = dict(zip(std.criteria, std.practice_areas)) if std.practice_areas else {}
    target_name = TIERS[code - 1]

    if prevalence is None and population is not None:
        prevalence = peer_prevalence(population, std)
    peer = prevalence[target_name] if prevalence is not None else None
    peer_cities = int(prevalence.attrs.get("cities", {}).get(target_name, 0)) if prevalence is not None else 0
    wts = _weights(weights, std, default_weight)
    order = {c: i for i, c in enumerate(std.criteria)}

    def peer_of(c: str) -> float:
        if peer is None or c not in peer.index:
            return float("nan")
        v = peer[c]
        return float("nan") if pd.isna(v) else float(v)

    if wts is not None:
        ranking = "effort"
        pool = [c for c in candidates if c in wts]
        if len(pool) < k:
            raise ScenarioError(
                f"only {len(pool)} unmet criteria have an effort weight but {target_name} needs {k} more: "
                "give weights for more criteria or a default_weight"
            )
        pool.sort(key=lambda c: (wts[c], -np.nan_to_num(peer_of(c), nan=-1.0), order[c]))
    elif peer is not None and peer_cities > 0:
        ranking = "prevalence"
        pool = sorted(candidates, key=lambda c: (-np.nan_to_num(peer_of(c), nan=-1.0), order[c]))
    else:
        ranking = "standard order"
        pool = list(candidates)
    others = tuple(pool[:k])
    chosen = missing_core + others
    outcome_needed = bool(std.outcome_required and not outcome_met)
    after = score_city(have + chosen, std, outcome_met or outcome_needed)
    if tier_code(after.tier) < code:  # pragma: no cover - the size argument above rules this out
        raise AssertionError(f"internal error: the path to {target_name} reaches only {after.tier}")
    return TierPath(
        target=target_name,
        current_tier=base.tier,
        current_met=m,
        total=std.criteria_count,
        required=r,
        criteria=chosen,
        practice_areas=tuple(area_of.get(c, "") for c in chosen),
        missing_core=missing_core,
        others=others,
        outcome_needed=outcome_needed,
        met_after=after.met,
        tier_after=after.tier,
        ranking=ranking,
        peer_share=tuple(peer_of(c) for c in chosen),
        peer_cities=peer_cities,
        costs=tuple(wts[c] if wts is not None and c in wts else float("nan") for c in chosen),
        standard=std,
    )


def paths_to_higher_tiers(
    met: Iterable[str] | np.ndarray,
    standard: Standard | str = "2022",
    *,
    outcome_met: bool = True,
    population=None,
    prevalence: pd.DataFrame | None = None,
    weights: Mapping[str, float] | None = None,
    default_weight: float | None = None,
) -> list[TierPath]:
    """:func:`path_to_tier` for every tier above the city's current tier (empty at Platinum)."""
    std = get_standard(standard)
    have = _met_codes(met, std)
    current = tier_code(score_city(have, std, outcome_met).tier)
    if prevalence is None and population is not None:
        prevalence = peer_prevalence(population, std)
    return [
        path_to_tier(have, t, std, outcome_met=outcome_met, prevalence=prevalence, weights=weights, default_weight=default_weight)
        for t in range(current + 1, 4)
    ]


@dataclass(frozen=True)
class CityWhatIf:
    """One city before and after a scenario, with its paths to higher tiers under the scenario."""

    before: CityScore
    after: CityScore
    scenario: str
    paths: tuple[TierPath, ...]
    simulated_population: bool = False

    def explain(self) -> str:
        b, a = self.before, self.after
        if not self.scenario:
            lines = [f"{b.met} of {b.total} criteria ({b.share:.1%}) under {b.standard.name}: {b.tier}."]
            lines += [f"  - {r}" for r in b.reasons]
        else:
            lines = [self.scenario.replace(" for all cities", " for this city")]
            lines.append(f"Before: {b.met} of {b.total} criteria ({b.share:.1%}) under {b.standard.name}: {b.tier}.")
            lines += [f"  - {r}" for r in b.reasons]
            lines.append(f"After:  {a.met} of {a.total} criteria ({a.share:.1%}) under {a.standard.name}: {a.tier}.")
            lines += [f"  - {r}" for r in a.reasons]
        for p in self.paths:
            lines.append(p.explain())
        if self.simulated_population and any(p.ranking == "prevalence" for p in self.paths):
            lines.append("(Peer prevalence computed from SIMULATED assessments of fictional cities.)")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "paths": [p.as_dict() for p in self.paths],
            "peer_population_simulated": self.simulated_population,
        }


def city_whatif(
    met: Iterable[str],
    scenario: Scenario | Change | None = None,
    standard: Standard | str = "2022",
    *,
    outcome_met: bool = True,
    population=None,
    weights: Mapping[str, float] | None = None,
    default_weight: float | None = None,
) -> CityWhatIf:
    """Score one city (its met criteria) before and after ``scenario``, with its paths to higher tiers.

    Changes restricted to some cities do not apply to a lone city (it has no id): give them without
    ``cities``. Paths use the standard in effect after the scenario; peer prevalence is taken from
    ``population`` scored under that standard.
    """
    std = get_standard(standard)
    scenario = Scenario(scenario)
    for ch in scenario.changes:
        if getattr(ch, "cities", None) is not None:
            raise ScenarioError("a single-city what-if cannot restrict changes to some cities: leave 'cities' out")
    have = _met_codes(met, std)
    row = np.isin(np.array(std.criteria), have)[None, :]
    std_after, m, out = scenario.transform(std, row, bool(outcome_met))
    met_after = tuple(c for c, v in zip(std_after.criteria, m[0]) if v)
    before = score_city(have, std, outcome_met)
    after = score_city(met_after, std_after, bool(out[0]))
    prevalence = peer_prevalence(population, std_after) if population is not None else None
    paths = paths_to_higher_tiers(
        met_after, std_after, outcome_met=bool(out[0]), prevalence=prevalence, weights=weights, default_weight=default_weight
    )
    sim = bool(prevalence.attrs.get("simulated", False)) if prevalence is not None else False
    return CityWhatIf(before, after, scenario.describe() if len(scenario) else "", tuple(paths), sim)


# =================================================================================================
# Uncertainty: exact tier probabilities
# =================================================================================================

def count_distribution(p) -> tuple[np.ndarray, np.ndarray]:
    """Distribution of the number of criteria met, per city, for independent criteria met with
    probabilities ``p`` (shape cities x criteria).

    Returns ``(base, dist)``: ``base[i]`` is the number of certain criteria (p == 1) of city ``i`` and
    ``dist[i, j]`` the probability that exactly ``j`` of its uncertain criteria (0 < p < 1) are met, so
    ``P(count = base + j) = dist[:, j]``. ``dist`` has ``U + 1`` columns, ``U`` the largest number of
    uncertain criteria of any city: certain criteria never enter the dynamic programme, so its cost is
    ``cities x U^2``, not ``cities x criteria^2``.

    The Poisson-binomial recursion: after criterion ``q``, ``P_new(j) = P(j) (1 - q) + P(j - 1) q``,
    exact up to floating-point rounding (no approximation).
    """
    P = np.asarray(p, dtype=np.float64)
    if P.ndim != 2:
        raise ValueError(f"probabilities must have shape (cities, criteria), got {P.shape}")
    if np.isnan(P).any() or (P < 0).any() or (P > 1).any():
        raise ValueError("probabilities must lie in [0, 1] (no NaN)")
    n = P.shape[0]
    certain = P == 1.0
    uncertain = (P > 0.0) & ~certain
    base = certain.sum(axis=1).astype(np.int64)
    per_row = uncertain.sum(axis=1)
    U = int(per_row.max()) if n else 0
    # pack each row's uncertain probabilities to the left; padding with 0 leaves the distribution as is
    Q = np.zeros((n, U), dtype=np.float64)
    if U:
        pos = np.cumsum(uncertain, axis=1) - 1
        r, c = np.nonzero(uncertain)
        Q[r, pos[r, c]] = P[r, c]
    dist = np.zeros((n, U + 1), dtype=np.float64)
    dist[:, 0] = 1.0
    for j in range(U):
        q = Q[:, j : j + 1]
        head = dist[:, : j + 1] * q  # mass moving up by one
        dist[:, : j + 1] *= 1.0 - q
        dist[:, 1 : j + 2] += head
    return base, dist


def tier_probabilities(p, outcome=1.0, standard: Standard | str = "2022") -> np.ndarray:
    """Exact probability of each tier (Not certified, Silver, Gold, Platinum) per city.

    ``p``: probability that each criterion will be met, shape (cities, criteria) in the standard's order
    (or one city as a 1-D array); certain criteria are 0 or 1. ``outcome``: probability that the outcome
    requirement will be met (scalar or one per city). Criteria and the outcome are taken as independent.

    With the core gate on, a city is certified only if every core criterion is met: the probability is
    ``P(all core met) * P(outcome) * P(threshold tier of |core| + N = t)`` with ``N`` the number of
    non-core criteria met (given all core met, the count is ``|core| + N``). With the gate off, ``N``
    counts all criteria. The threshold tier of each possible count comes from
    :func:`~wwc_analysis.scoring.threshold_tiers` (the exact integer rule). Returns shape (cities, 4)
    (or (4,) for 1-D input); each row sums to 1.
    """
    std = get_standard(standard)
    P = np.asarray(p, dtype=np.float64)
    one = P.ndim == 1
    P = np.atleast_2d(P)
    if P.shape[1] != std.criteria_count:
        raise ValueError(f"probabilities have {P.shape[1]} columns but standard {std.name} has {std.criteria_count} criteria")
    n = P.shape[0]
    out_p = np.broadcast_to(np.asarray(outcome, dtype=np.float64), (n,))
    if np.isnan(out_p).any() or (out_p < 0).any() or (out_p > 1).any():
        raise ValueError("the outcome probability must lie in [0, 1]")
    if std.core_required and std.core:
        core_idx = [std.criteria.index(c) for c in std.core]
        rest_idx = [i for i in range(std.criteria_count) if i not in set(core_idx)]
        if np.isnan(P[:, core_idx]).any():
            raise ValueError("probabilities must lie in [0, 1] (no NaN)")
        gate = P[:, core_idx].prod(axis=1)
        offset = len(core_idx)
        base, dist = count_distribution(P[:, rest_idx])
    else:
        gate = np.ones(n)
        offset = 0
        base, dist = count_distribution(P)
    if std.outcome_required:
        gate = gate * out_p
    # threshold tier of every possible count 0..total, by the scoring rule itself
    codes = threshold_tiers(np.arange(std.criteria_count + 1), std)
    counts = np.minimum(base[:, None] + offset + np.arange(dist.shape[1])[None, :], std.criteria_count)
    tiers = codes[counts]  # (n, U + 1)
    probs = np.zeros((n, 4), dtype=np.float64)
    for t in (1, 2, 3):
        probs[:, t] = gate * np.where(tiers == t, dist, 0.0).sum(axis=1)
    probs[:, 0] = (1.0 - gate) + gate * np.where(tiers == 0, dist, 0.0).sum(axis=1)
    return probs[0] if one else probs


def tier_probability_frame(probabilities: pd.DataFrame, standard: Standard | str = "2022", outcome_column: str = "outcome") -> pd.DataFrame:
    """:func:`tier_probabilities` for a frame with one column per criterion (and optionally
    ``outcome_column``, default probability 1); returns one row per city with the four tier columns and
    ``at_least_silver / gold / platinum``."""
    std = get_standard(standard)
    check_criteria([c for c in probabilities.columns if c != outcome_column and c != "simulated"], std, "probability frame")
    missing = [c for c in std.criteria if c not in probabilities.columns]
    if missing:
        raise ValueError(f"probability frame lacks criterion column(s) {missing}")
    out = probabilities[outcome_column].to_numpy(dtype=float) if outcome_column in probabilities.columns else 1.0
    probs = tier_probabilities(probabilities[list(std.criteria)].to_numpy(dtype=float), out, std)
    frame = pd.DataFrame(probs, index=probabilities.index, columns=list(SCORE_TIERS))
    for t in TIERS:
        frame[f"at_least_{t.lower()}"] = frame.loc[:, list(SCORE_TIERS[tier_code(t):])].sum(axis=1)
    return frame


def city_tier_probabilities(
    met: Iterable[str],
    uncertain: Mapping[str, float],
    outcome: float = 1.0,
    standard: Standard | str = "2022",
) -> pd.Series:
    """Tier probabilities of one city: ``met`` are certain, ``uncertain`` maps codes to the probability of
    being met (overriding ``met``), every other criterion is certainly unmet. Returns a Series over the
    four tiers."""
    std = get_standard(standard)
    have = _met_codes(met, std)
    check_criteria(list(uncertain), std, "uncertain criteria")
    p = np.isin(np.array(std.criteria), have).astype(float)
    for c, v in uncertain.items():
        v = float(v)
        if not 0 <= v <= 1:
            raise ValueError(f"probability of {c} must lie in [0, 1], got {v}")
        p[std.criteria.index(c)] = v
    return pd.Series(tier_probabilities(p, outcome, std), index=list(SCORE_TIERS), name="probability")


_NOISE = 1e-12  # floating-point noise of a probability computed as a sum


def format_probability(p: float) -> str:
    """A probability for prose, to one decimal of a percent: ``0.5 -> '50.0%'``.

    A chance that is not zero never reads as "0.0%" (``'less than 0.1%'``) and one that is not certain
    never reads as "100.0%" (``'more than 99.9%'``); 0 and 1 read ``'0.0%'`` and ``'100.0%'``.
    Within 1e-12 of 1 counts as 1, and that far outside [0, 1] as the bound: floating-point noise of a
    sum of probabilities that is exactly 1 (a tiny positive value is a real chance, such as 0.5 ** 50,
    and stays "less than 0.1%"). Anything else outside [0, 1], or NaN, is a ValueError.
    """
    v = float(p)
    if math.isnan(v) or not -_NOISE <= v <= 1 + _NOISE:
        raise ValueError(f"a probability must lie in [0, 1], got {p!r}")
    v = 0.0 if v < 0 else 1.0 if v > 1 - _NOISE else v
    if 0 < v < 0.0005:
        return "less than 0.1%"
    if 0.9995 <= v < 1:
        return "more than 99.9%"
    return f"{v:.1%}"


# =================================================================================================
# Threshold sensitivity
# =================================================================================================

def sweep_standard(standard: Standard, tier: str | int, value: int) -> Standard:
    """``standard`` with ``tier``'s threshold set to ``value``, the others kept in order.

    A lower tier's threshold above ``value`` is lowered to ``value`` and a higher tier's threshold below
    it raised to ``value`` (thresholds never decrease), so the sweep always scores a valid standard.
    """
    code = tier_code(tier)
    if code == 0:
        raise ValueError("sweep a Silver, Gold or Platinum threshold")
    value = int(value)
    th = list(standard.thresholds)
    th[code - 1] = value
    for i in range(code - 1):
        th[i] = min(th[i], value)
    for i in range(code, 3):
        th[i] = max(th[i], value)
    return replace(standard, thresholds=tuple(th), name=f"{standard.name} ({TIERS[code - 1]} {value})")


def threshold_sweep(
    population,
    standard: Standard | str | None = None,
    tiers: Sequence[str] = TIERS,
    values: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Tier counts of ``population`` as each threshold in ``tiers`` sweeps ``values`` (default 0..100).

    Computed from the histogram of criteria met among the cities that pass the gates (the others are Not
    certified at every threshold): for each swept value the threshold tier of every possible count
    0..total is taken from :func:`~wwc_analysis.scoring.threshold_tiers` and the histogram is summed by
    tier, so the cost is one pass over the population plus ``len(values) x (total + 1)``, not a rescoring
    per point. Other thresholds stay as in the standard, kept in order by :func:`sweep_standard`.

    ``population``: anything :func:`apply` takes, or ScoreArrays. Returns a tidy frame: ``swept``,
    ``threshold``, ``silver_min``, ``gold_min``, ``platinum_min`` (in effect), ``tier``, ``cities``,
    ``share`` (of the population), ``at_least`` (cities at this tier or above). ``attrs`` carry
    ``standard``, ``simulated`` and ``cities``.
    """
    if isinstance(population, ScoreArrays):
        std = population.standard if standard is None else get_standard(standard)
        met, core, out, total = population.met, population.core_ok, population.outcome_ok, population.total
        simulated = False
    else:
        pop = _population(population, standard)
        std = pop.standard
        met = np.count_nonzero(pop.matrix, axis=1)
        if std.core_required and std.core:
            core = pop.matrix[:, [std.criteria.index(c) for c in std.core]].all(axis=1)
        else:
            core = np.ones(len(met), dtype=bool)
        out, total = pop.outcome, std.criteria_count
        simulated = bool(pop.simulated.any()) if pop.simulated is not None else False
    eligible = np.ones(len(met), dtype=bool)
    if std.core_required:
        eligible &= np.asarray(core, dtype=bool)
    if std.outcome_required:
        eligible &= np.asarray(out, dtype=bool)
    hist = np.bincount(np.asarray(met, dtype=np.int64)[eligible], minlength=total + 1).astype(np.int64)
    n = len(met)
    blocked = n - int(eligible.sum())
    counts_axis = np.arange(total + 1)
    values = list(range(101)) if values is None else [int(v) for v in values]
    upper = 100 if std.tier_rule == "percent_of_criteria" else total
    bad = [v for v in values if not 0 <= v <= upper]
    if bad:
        raise ValueError(f"sweep values {bad[:5]} are outside 0..{upper}")
    rows_swept, rows_value, rows_th, rows_counts = [], [], [], []
    for tier in tiers:
        name = TIERS[tier_code(tier) - 1]
        for v in values:
            sv = sweep_standard(std, name, v)
            codes = threshold_tiers(counts_axis, sv, total)
            c = np.bincount(codes, weights=hist, minlength=4).astype(np.int64)
            c[0] += blocked
            rows_swept.append(name)
            rows_value.append(v)
            rows_th.append(sv.thresholds)
            rows_counts.append(c)
    counts = np.array(rows_counts, dtype=np.int64).reshape(-1, 4)
    at_least = counts[:, ::-1].cumsum(axis=1)[:, ::-1]
    m = len(rows_swept)
    th = np.array(rows_th, dtype=np.int64).reshape(-1, 3)
    frame = pd.DataFrame(
        {
            "swept": pd.Categorical(np.repeat(rows_swept, 4), categories=list(TIERS), ordered=True),
            "threshold": np.repeat(rows_value, 4).astype(np.int64),
            "silver_min": np.repeat(th[:, 0], 4),
            "gold_min": np.repeat(th[:, 1], 4),
            "platinum_min": np.repeat(th[:, 2], 4),
            "tier": pd.Categorical.from_codes(np.tile(np.arange(4), m), dtype=SCORE_TIER_DTYPE),
            "cities": counts.ravel(),
            "share": counts.ravel() / n if n else np.zeros(m * 4),
            "at_least": at_least.ravel(),
        }
    )
    frame.attrs.update(standard=std.name, simulated=simulated, cities=n, thresholds=std.threshold_map)
    return frame


def plot_threshold_sweep(sweep: pd.DataFrame, ax=None, *, share: bool = False, mark_current: bool = True):
    """Draw a :func:`threshold_sweep`: one panel per swept tier, the count at or above each tier.

    Uses ``wwc_analysis.plotting`` (palette and caption) when that module is available, plain
    matplotlib otherwise. ``ax``: one Axes per swept tier (or a single Axes when one tier was swept).
    Returns the figure.
    """
    import matplotlib.pyplot as plt

    try:  # the project palette and caption, when the plotting module exists
        from wwc_analysis.figures import style as plotting

        palette, caption = dict(plotting.TIER_PALETTE), plotting.caption
    except ImportError:  # pragma: no cover - plotting ships with the package
        palette, caption = {}, None
    default = {"Not certified": "#7F7F7F", "Silver": "#9DB4CF", "Gold": "#D89B1C", "Platinum": "#3D5A80"}
    swept = [t for t in TIERS if t in set(sweep["swept"].astype(str))]
    if ax is None:
        fig, axes = plt.subplots(1, len(swept), figsize=(4.2 * len(swept), 3.4), sharey=True, squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(np.atleast_1d(ax))
        fig = axes[0].figure
    if len(axes) != len(swept):
        raise ValueError(f"{len(swept)} swept tier(s) but {len(axes)} Axes given")
    n = sweep.attrs.get("cities", 0)
    current = sweep.attrs.get("thresholds", {})
    for axis, name in zip(axes, swept):
        part = sweep[sweep["swept"] == name]
        for t in TIERS:
            rows = part[part["tier"] == t]
            y = rows["at_least"] / n if share and n else rows["at_least"]
            axis.plot(rows["threshold"], y, label=f"{t} or above", color=palette.get(t, default[t]), lw=1.8)
        if mark_current and name in current:
            axis.axvline(current[name], color="k", lw=0.8, ls=":")
            axis.annotate(f"current {current[name]} %", (current[name], 0), xytext=(3, 3),
                          textcoords="offset points", fontsize="x-small", xycoords=("data", "axes fraction"))
        axis.set_title(f"Sweeping the {name} threshold")
        axis.set_xlabel(f"{name} threshold (% of criteria)")
        axis.set_xlim(0, 100)
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("share of cities" if share else "cities")
    axes[-1].legend(loc="upper right", fontsize="small", frameon=False)
    simulated = bool(sweep.attrs.get("simulated"))
    note = f"Threshold sweep of {n:,} cities, standard {sweep.attrs.get('standard', '')}; other thresholds kept in order."
    fig.tight_layout()
    if caption is not None:
        caption(fig, note, simulated=simulated)
    else:  # pragma: no cover
        fig.text(0.01, -0.01, ("SIMULATED DATA - fictional cities. " if simulated else "") + note, va="top", fontsize="small")
    return fig


# =================================================================================================
# Scenario files and the CLI
# =================================================================================================

SCENARIO_KEYS = (
    "name", "standard", "round", "use_standard", "keep_gates", "thresholds", "core_gate", "outcome_gate",
    "mark_met", "mark_unmet", "cities", "outcome_met", "city",
)
CITY_KEYS = ("met", "outcome_met", "weights", "default_weight")
THRESHOLD_KEYS = ("silver", "gold", "platinum")


@dataclass(frozen=True)
class ScenarioFile:
    """A parsed scenario file: the scenario, the population's standard, optional round and single city."""

    scenario: Scenario
    standard: str = "2022"
    round: str | None = None
    city_met: tuple[str, ...] | None = None
    city_outcome_met: bool = True
    weights: Mapping[str, float] | None = None
    default_weight: float | None = None


def _unknown_keys(d: Mapping, allowed: Sequence[str], where: str) -> None:
    unknown = [k for k in d if k not in allowed]
    if unknown:
        hints = []
        for k in unknown:
            close = difflib.get_close_matches(str(k), allowed, n=1)
            hints.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ScenarioError(f"unknown key {', '.join(hints)} in {where}; allowed keys: {', '.join(allowed)}")


def _bool(v, key: str) -> bool:
    if isinstance(v, bool):
        return v
    raise ScenarioError(f"{key}: expected true or false, got {v!r}")


def _code_list(v, key: str) -> list[str]:
    if isinstance(v, str):
        v = [s for s in v.replace(",", " ").split()]
    if not isinstance(v, list) or not all(isinstance(c, str) for c in v):
        raise ScenarioError(f"{key}: expected a list of criterion codes, got {v!r}")
    return v


def parse_scenario(data: Mapping[str, Any], *, validate: bool = True) -> ScenarioFile:
    """Build a :class:`ScenarioFile` from a mapping (the YAML/JSON schema of ``docs/whatif-cookbook.md``).

    Changes are applied in this order: ``use_standard``, ``thresholds``, ``core_gate``/``outcome_gate``,
    ``mark_met``, ``mark_unmet``, ``outcome_met``. With ``validate`` the criterion codes and thresholds are
    checked against the standard now, so errors name the culprit before any data is read.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError(f"a scenario file must hold a mapping of keys, got {type(data).__name__}")
    _unknown_keys(data, SCENARIO_KEYS, "the scenario file")
    standard = str(data.get("standard", "2022"))
    changes: list[Change] = []
    if "use_standard" in data:
        changes.append(UseStandard(str(data["use_standard"]), keep_gates=_bool(data.get("keep_gates", False), "keep_gates")))
    elif "keep_gates" in data:
        raise ScenarioError("keep_gates only applies together with use_standard")
    if "thresholds" in data:
        th = data["thresholds"]
        if not isinstance(th, Mapping):
            raise ScenarioError(f"thresholds: expected a mapping like {{gold: 70}}, got {th!r}")
        _unknown_keys(th, THRESHOLD_KEYS, "thresholds")
        changes.append(SetThresholds(**{k: th[k] for k in THRESHOLD_KEYS if k in th}))
    core_gate = _bool(data["core_gate"], "core_gate") if "core_gate" in data else None
    outcome_gate = _bool(data["outcome_gate"], "outcome_gate") if "outcome_gate" in data else None
    if core_gate is not None or outcome_gate is not None:
        changes.append(SetGates(core=core_gate, outcome=outcome_gate))
    cities = data.get("cities")
    if cities is not None and (not isinstance(cities, list) or not cities):
        raise ScenarioError(f"cities: expected a non-empty list of city ids, got {cities!r}")
    if cities is not None and not any(k in data for k in ("mark_met", "mark_unmet", "outcome_met")):
        raise ScenarioError("cities: only restricts mark_met, mark_unmet and outcome_met, and none is given")
    if cities is not None:
        cities = [str(c) for c in cities]
    if "mark_met" in data:
        changes.append(MarkMet(_code_list(data["mark_met"], "mark_met"), cities=cities))
    if "mark_unmet" in data:
        changes.append(MarkUnmet(_code_list(data["mark_unmet"], "mark_unmet"), cities=cities))
    if "outcome_met" in data:
        changes.append(OutcomeMet(cities=cities, met=_bool(data["outcome_met"], "outcome_met")))
    city = data.get("city")
    city_met = None
    city_outcome = True
    weights = None
    default_weight = None
    if city is not None:
        if not isinstance(city, Mapping):
            raise ScenarioError(f"city: expected a mapping like {{met: [DM1, LC1], outcome_met: true}}, got {city!r}")
        _unknown_keys(city, CITY_KEYS, "city")
        if cities is not None:
            raise ScenarioError("'cities' cannot be combined with 'city' (a single-city what-if applies to that city)")
        city_met = tuple(_code_list(city.get("met", []), "city.met"))
        city_outcome = _bool(city.get("outcome_met", True), "city.outcome_met")
        if "weights" in city:
            w = city["weights"]
            if not isinstance(w, Mapping) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in w.values()):
                raise ScenarioError(f"city.weights: expected a mapping of criterion codes to numbers, got {w!r}")
            weights = {str(k): float(v) for k, v in w.items()}
        if "default_weight" in city:
            dw = city["default_weight"]
            if isinstance(dw, bool) or not isinstance(dw, (int, float)):
                raise ScenarioError(f"city.default_weight: expected a number, got {dw!r}")
            default_weight = float(dw)
    name = str(data.get("name", ""))
    rnd = data.get("round")
    sf = ScenarioFile(
        scenario=Scenario(changes, name=name),
        standard=standard,
        round=None if rnd is None else str(rnd),
        city_met=city_met,
        city_outcome_met=city_outcome,
        weights=weights,
        default_weight=default_weight,
    )
    if validate:
        try:
            std = get_standard(standard)
        except KeyError as exc:
            raise ScenarioError(f"standard: {exc.args[0]}") from None
        sf.scenario.standard_for(std)
        if city_met is not None:
            check_criteria(city_met, std, "city.met")
            _weights(weights, std, default_weight)
    return sf


def load_scenario_file(path: str | Path, *, validate: bool = True) -> ScenarioFile:
    """Read a YAML (``yaml.safe_load``) or JSON scenario file and parse it."""
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario file {p}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"scenario file {p} is not valid {'JSON' if p.suffix.lower() == '.json' else 'YAML'}: {exc}") from None
    if data is None:
        raise ScenarioError(f"scenario file {p} is empty")
    return parse_scenario(data, validate=validate)

