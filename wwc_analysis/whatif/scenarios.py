"""Scenarios: immutable changes to assessments or to a standard, composed and applied in order.

Changes (:class:`MarkMet`, :class:`MarkUnmet`, :class:`SetThresholds`, :class:`UseStandard`,
:class:`SetGates`, :class:`OutcomeMet`) compose into a :class:`Scenario` (``s1 + s2`` or
``Scenario([...])``), applied left to right by :func:`apply` to a long or wide assessment frame, an
:class:`~wwc_analysis.rules.scoring.AssessmentMatrix` or ``(matrix, outcome)`` arrays
(:func:`apply_arrays` is the fast path for arrays). A tier is always decided by
:func:`~wwc_analysis.rules.scoring.score_matrix` (the exact integer rule ``met * 100 >= pct *
total``), never re-implemented.

Every function takes the :class:`~wwc_analysis.rules.standards.Standard` it scores under (resolve a
name with ``get_standard(name, data)``): nothing here reads the project's data.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import (
    AssessmentMatrix,
    ScoreArrays,
    assessment_matrix,
    missing_core_labels,
    score_matrix,
)
from wwc_analysis.rules.standards import Standard, require_standard

__all__ = [
    "Change",
    "MarkMet",
    "MarkUnmet",
    "OutcomeMet",
    "Population",
    "Scenario",
    "ScenarioError",
    "SetGates",
    "SetThresholds",
    "UseStandard",
    "apply",
    "apply_arrays",
    "as_population",
    "check_criteria",
]


class ScenarioError(ValueError):
    """A scenario that cannot be applied: unknown criterion or key, threshold out of range..."""


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
        raise ScenarioError(
            "an empty list of cities selects nobody: leave 'cities' out to mean all cities"
        )
    return tuple(
        int(c) if isinstance(c, (int, np.integer)) and not isinstance(c, bool) else str(c)
        for c in items
    )


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
    more = f" and {len(cities) - 5} more" if len(cities) > 5 else ""
    shown = ", ".join(map(str, cities[:5])) + more
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
        """Row selector for ``cities`` (``None`` = all). Ids are matched against the ``city_id``
        level of the index (or the index itself); with bare arrays, cities are row positions."""
        if cities is None:
            return slice(None)
        if self.ids is None:
            return self._positions(cities)
        ids = self.ids
        if isinstance(ids, pd.MultiIndex):
            level = "city_id" if "city_id" in (ids.names or []) else 0
            ids = ids.get_level_values(level)
        ids = ids.astype(str)
        wanted = pd.Index([str(c) for c in cities])
        unknown = wanted.difference(pd.Index(ids.unique()))
        if len(unknown):
            raise ScenarioError(f"unknown city id(s) {', '.join(unknown)}: not in the assessments")
        return np.asarray(ids.isin(wanted))

    def _positions(self, cities) -> np.ndarray:
        n = len(self.outcome)
        bad = [c for c in cities if not isinstance(c, int) or not -n <= c < n]
        if bad:
            raise ScenarioError(
                f"unknown city {', '.join(map(str, bad))}: with bare arrays, cities are row "
                f"positions 0..{n - 1}"
            )
        mask = np.zeros(n, dtype=bool)
        mask[list(cities)] = True
        return mask


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
        state = "met" if self._value else "unmet"
        return f"mark {', '.join(self.criteria)} as {state} for {_scope(self.cities)}"

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


_TIER_FIELDS = ("silver", "gold", "platinum")


@dataclass(frozen=True)
class SetThresholds(Change):
    """Change one or more thresholds (whole percents 0-100; component counts for the 2017 rule)."""

    silver: int | None = None
    gold: int | None = None
    platinum: int | None = None

    def _given(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in _TIER_FIELDS if getattr(self, k) is not None}

    def __post_init__(self) -> None:
        given = self._given()
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
        parts = [f"{k.capitalize()} {v}" for k, v in self._given().items()]
        return "threshold" + ("s " if len(parts) > 1 else " ") + ", ".join(parts) + " %"

    def _apply(self, state: _State) -> None:
        try:
            state.standard = state.standard.with_thresholds(self.silver, self.gold, self.platinum)
        except ValueError as exc:
            raise ScenarioError(f"{self.describe()}: {exc}") from None


@dataclass(frozen=True)
class UseStandard(Change):
    """Score under another standard's thresholds (e.g. the 2022 population under 2018's 51/67/84).

    ``standard`` is that other :class:`Standard` (``get_standard("2018", data)``; a scenario file
    names it and :func:`~wwc_analysis.whatif.scenario_file.parse_scenario` resolves the name). The
    population keeps its own criteria (the 2018 criterion list is not in the data); only the tier
    thresholds are taken from ``standard``. Gates: by default those of ``standard`` are adopted
    (2018 had no core or outcome gate); ``keep_gates=True`` keeps the current ones. Both standards
    must use the percent rule.
    """

    standard: Standard
    keep_gates: bool = False

    def __post_init__(self) -> None:
        require_standard(self.standard, "UseStandard")

    @property
    def label(self) -> str:
        return self.standard.name

    def describe(self) -> str:
        gates = "keeping the current gates" if self.keep_gates else "with its gates"
        return f"use the {self.label} thresholds ({gates})"

    def _apply(self, state: _State) -> None:
        other, cur = self.standard, state.standard
        if other.tier_rule != cur.tier_rule:
            raise ScenarioError(
                f"use_standard: standard {other.name} uses the {other.tier_rule} rule; its "
                f"thresholds cannot score criteria of standard {cur.name} ({cur.tier_rule})"
            )
        gates = (
            {}
            if self.keep_gates
            else {
                "core_required": other.core_required and bool(cur.core),
                "outcome_required": other.outcome_required,
            }
        )
        state.standard = replace(
            cur,
            thresholds=other.thresholds,
            name=f"{cur.name} under {other.name} thresholds",
            **gates,
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
    """Treat the outcome requirement as met (``met=False``: unmet), for all or chosen cities."""

    cities: tuple | None = None
    met: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "cities", _cities(self.cities))

    def describe(self) -> str:
        state = "met" if self.met else "unmet"
        return f"treat the outcome requirement as {state} for {_scope(self.cities)}"

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
        steps = [f"  {i}. {c.describe()}" for i, c in enumerate(self.changes, 1)]
        return "\n".join([f"{title}:", *steps])

    def criteria_used(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for ch in self.changes for c in ch.criteria_used()))

    def standard_for(self, standard: Standard) -> Standard:
        """The standard in effect after the changes (validates criteria and thresholds)."""
        std = require_standard(standard, "Scenario.standard_for")
        check_criteria(self.criteria_used(), std, "scenario")
        empty = np.zeros((0, std.criteria_count), dtype=bool)
        state = _State(std, empty, np.zeros(0, dtype=bool), pd.Index([]))
        for ch in self.changes:
            if not isinstance(ch, (MarkMet, OutcomeMet)):
                ch._apply(state)
        return state.standard

    def transform(self, standard: Standard, matrix, outcome=True, ids: pd.Index | None = None):
        """Apply the changes to a boolean matrix and outcome flags: ``(standard, matrix, outcome)``.

        The input arrays are never modified (copied on first write). ``ids`` identifies the rows for
        changes restricted to some cities; without it, cities are row positions.
        """
        std = require_standard(standard, "Scenario.transform")
        m = np.asarray(matrix)
        if m.ndim != 2 or m.dtype != np.bool_:
            raise TypeError(
                f"the assessment matrix must be a 2-D boolean array, got {m.dtype} with shape "
                f"{m.shape}"
            )
        if m.shape[1] != std.criteria_count:
            raise ValueError(
                f"the matrix has {m.shape[1]} columns but standard {std.name} has "
                f"{std.criteria_count} criteria"
            )
        out = np.broadcast_to(np.asarray(outcome, dtype=bool), (m.shape[0],))
        state = _State(std, m, out, ids)
        for ch in self.changes:
            ch._apply(state)
        return state.standard, state.matrix, np.asarray(state.outcome)


# --- applying to the supported input shapes -----------------------------------------------------


@dataclass(frozen=True)
class Population:
    """Any supported assessment input as aligned arrays (``index`` and ``simulated`` are ``None``
    for bare arrays)."""

    standard: Standard
    matrix: np.ndarray
    outcome: np.ndarray
    index: pd.Index | None
    simulated: np.ndarray | None

    @property
    def any_simulated(self) -> bool:
        return bool(self.simulated.any()) if self.simulated is not None else False


def as_population(assessments, standard: Standard | None = None) -> Population:
    """``assessments`` (a long or wide frame, an AssessmentMatrix, a boolean matrix or a
    ``(matrix, outcome)`` tuple) as a :class:`Population`.

    ``standard`` is the population's standard; it may be left out only for an AssessmentMatrix,
    which carries its own.
    """
    if isinstance(assessments, AssessmentMatrix):
        own = assessments.standard
        std = own if standard is None else require_standard(standard, "as_population")
        return Population(
            std,
            assessments.matrix,
            assessments.outcome_met,
            assessments.index,
            assessments.simulated,
        )
    std = require_standard(standard, "the standard of a frame or of arrays")
    if isinstance(assessments, pd.DataFrame):
        am = assessment_matrix(assessments, std)
        return Population(am.standard, am.matrix, am.outcome_met, am.index, am.simulated)
    if isinstance(assessments, tuple) and len(assessments) == 2:
        m, outcome = assessments
    else:
        m, outcome = assessments, True
    m = np.asarray(m)
    if m.ndim == 1:
        m = m[None, :]
    if m.dtype != np.bool_:
        raise TypeError(f"the assessment matrix must be boolean, got dtype {m.dtype}")
    out = np.broadcast_to(np.asarray(outcome, dtype=bool), (m.shape[0],))
    return Population(std, m, out, None, None)


def apply_arrays(scenario: Scenario | Change, matrix, outcome, standard: Standard) -> ScoreArrays:
    """The fast path: apply ``scenario`` to a boolean (cities x criteria) matrix scored under
    ``standard``, with ``outcome`` the outcome flags (one per city, or one for all); returns
    ScoreArrays.

    ``ScoreArrays.standard`` is the standard in effect after the scenario. Cities in the scenario
    are row positions here.
    """
    std, m, out = Scenario(scenario).transform(standard, matrix, outcome)
    return score_matrix(m, std, out)


def apply(scenario: Scenario | Change, assessments, standard: Standard | None = None):
    """Score ``assessments`` under ``scenario``.

    ``assessments`` is a long frame (``city_id, round_id, criterion, met, outcome_met[,
    simulated]``), a wide frame (a boolean column per criterion, ``outcome_met``), an
    :class:`~wwc_analysis.rules.scoring.AssessmentMatrix`, a boolean matrix, or a
    ``(matrix, outcome)`` tuple. ``standard`` is the population's standard (required except for an
    AssessmentMatrix, whose own standard is the default).

    Returns, for frames and AssessmentMatrix, the frame of :func:`wwc_analysis.rules.scoring.score`
    (one row per city and round; ``attrs`` carry ``standard``, ``scenario`` and ``simulated``); for
    arrays, the :class:`~wwc_analysis.rules.scoring.ScoreArrays` (no frame is built: the
    1-million-city path).
    """
    scenario = Scenario(scenario)
    pop = as_population(assessments, standard)
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
