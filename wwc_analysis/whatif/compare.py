"""Comparing tiers before and after a scenario: each city's move and the transition matrix.

:func:`compare` gives each city's tier before and after and a 4 x 4 transition matrix, as a
:class:`Comparison` (:meth:`Comparison.explain` and :meth:`Comparison.moves_text` put the summary in
words; :meth:`Comparison.labelled_transitions` names the matrix's axes for a reader).
:func:`rule_scenarios` compares two rule changes over one population and one city: a Gold cut-off
moved, and another standard's thresholds (with the current gates, and with that standard's own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIER_DTYPE, SCORE_TIERS, CityScore, ScoreArrays
from wwc_analysis.rules.standards import Standard
from wwc_analysis.whatif.paths import city_whatif
from wwc_analysis.whatif.scenarios import Change, Scenario, SetThresholds, UseStandard, apply

__all__ = ["Comparison", "RuleScenarios", "compare", "rule_scenarios"]


@dataclass(frozen=True)
class Comparison:
    """Each city's tier before and after a scenario, and the summary.

    ``cities``: one row per city (and round): ``tier_before, tier_after`` (ordered categoricals),
    ``met_before, met_after``, ``reason_after``, ``change`` (``up``/``down``/``unchanged``),
    ``steps`` (tier codes moved, signed), ``simulated``. ``transitions``: crosstab of tiers, rows
    before, columns after, all four tiers always present. ``summary``: counts
    ``up, down, unchanged, total``.
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

    def counts(self) -> dict[str, int]:
        """:attr:`summary` as plain integers (``up``, ``down``, ``unchanged``, ``total``)."""
        return {k: int(v) for k, v in self.summary.items()}

    @property
    def n_cities(self) -> int:
        """Distinct cities compared (the rows are assessments: a city may have several rounds)."""
        idx = self.cities.index
        if isinstance(idx, pd.MultiIndex) and "city_id" in idx.names:
            return int(idx.get_level_values("city_id").nunique())
        return int(self.summary["total"])

    def _what(self, kind: str) -> str:
        """``'500 cities'`` or ``'723 assessments of 500 cities'`` (``kind`` names the cities)."""
        total, n_cities = self.summary["total"], self.n_cities
        if n_cities == total:
            return f"{total} {kind}"
        return f"{total} assessments of {n_cities} {kind}"

    def explain(self, flag_simulated: bool = True) -> str:
        """The summary in words (``flag_simulated=False`` leaves out the SIMULATED line)."""
        s = self.summary
        lines = []
        if self.simulated and flag_simulated:
            lines.append(
                "SIMULATED assessments (fictional cities), not real certification results."
            )
        if self.scenario:
            lines.append(self.scenario)
        lines.append(
            f"{self._what('cities')}: {s['up']} move up, {s['down']} move down, "
            f"{s['unchanged']} keep their tier ({self.standard_before} -> {self.standard_after})."
        )
        before = self.transitions.sum(axis=1)
        after = self.transitions.sum(axis=0)
        for t in SCORE_TIERS:
            if before[t] or after[t]:
                lines.append(f"  {t}: {before[t]} -> {after[t]}")
        return "\n".join(lines)

    def moves_text(self, markdown: bool = True) -> str:
        """The moves in one clause for prose, e.g. ``'**0** of the 500 fictional cities move up and
        **8** move down (Silver 130 → 138; Gold 62 → 54)'``: the counts up and down (bold unless
        ``markdown=False``), then each tier whose count changed, before → after, lowest tier first.

        "fictional cities" when the comparison is simulated, "cities" otherwise; when a city has
        several assessments the rows are counted as assessments.
        """
        s, before, after = self.summary, self.transitions.sum(axis=1), self.transitions.sum(axis=0)
        b = "**" if markdown else ""
        what = self._what("fictional cities" if self.simulated else "cities")
        shifts = [
            f"{t} {before[t]} → {after[t]}" for t in self.transitions.index if before[t] != after[t]
        ]
        return (
            f"{b}{s['up']}{b} of the {what} {'moves' if s['up'] == 1 else 'move'} up and "
            f"{b}{s['down']}{b} {'moves' if s['down'] == 1 else 'move'} down"
            + (f" ({'; '.join(shifts)})" if shifts else "")
        )

    def labelled_transitions(self, before_label: str, after_label: str) -> pd.DataFrame:
        """:attr:`transitions` with its axes named for reading: rows ``before_label`` (the tier
        before), columns ``after_label`` (the tier after), e.g. ``("2022 rules ↓", "Gold at 70 %
        →")``. A copy: :attr:`transitions` itself keeps the axis names ``before`` / ``after``."""
        return self.transitions.rename_axis(index=str(before_label), columns=str(after_label))

    def to_dict(self, max_cities: int | None = None) -> dict:
        ch = self.changed()
        if max_cities is not None:
            ch = ch.head(max_cities)
        transitions = {
            str(b): {str(a): int(v) for a, v in row.items()}
            for b, row in self.transitions.iterrows()
        }
        return {
            "simulated": self.simulated,
            "scenario": self.scenario,
            "standard_before": self.standard_before,
            "standard_after": self.standard_after,
            "summary": self.counts(),
            "transitions": transitions,
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
    return np.asarray(
        scores.met if isinstance(scores, ScoreArrays) else scores["met"], dtype=np.int64
    )


def _simulated(scores, n: int) -> np.ndarray:
    if isinstance(scores, pd.DataFrame) and "simulated" in scores.columns:
        return scores["simulated"].to_numpy(dtype=bool)
    flag = bool(scores.attrs.get("simulated", False)) if isinstance(scores, pd.DataFrame) else False
    return np.full(n, flag)


def _std_name(scores) -> str:
    if isinstance(scores, ScoreArrays):
        return scores.standard.name
    return str(scores.attrs.get("standard", ""))


def _scores(first, second, baseline, standard):
    """``(before, after, label)``: the two sets of scores to compare and the scenario in words."""
    if isinstance(second, (Scenario, Change)):
        scenario = Scenario(second)
        before = apply(Scenario(baseline), first, standard)
        after = apply(scenario, first, standard)
        label = scenario.describe()
        if baseline is not None:
            label = "Baseline " + Scenario(baseline).describe() + "\n" + label
        return before, after, label
    if baseline is not None:
        raise TypeError("compare(baseline_scores, scenario_scores) takes no baseline= argument")
    label = second.attrs.get("scenario", "") if isinstance(second, pd.DataFrame) else ""
    return first, second, label


def _aligned(before, after):
    """``(after, index)``: ``after`` in the order of ``before`` and the index of the comparison."""
    if isinstance(before, pd.DataFrame) != isinstance(after, pd.DataFrame):
        raise TypeError("compare: give two score frames or two ScoreArrays, not one of each")
    if isinstance(before, pd.DataFrame):
        if not before.index.equals(after.index):
            if set(before.index) != set(after.index):
                raise ValueError("compare: the two score frames do not cover the same cities")
            after = after.reindex(before.index)
        return after, before.index
    if len(before) != len(after):
        raise ValueError(f"compare: {len(before)} cities before but {len(after)} after")
    return after, pd.RangeIndex(len(before), name="row")


def _city_frame(before, after, index, b: np.ndarray, a: np.ndarray) -> pd.DataFrame:
    """One row per city: tiers and counts before and after, the move and the simulated flag."""
    steps = a - b
    change = np.where(steps > 0, 0, np.where(steps < 0, 1, 2)).astype(np.int8)
    n = len(b)
    # reasons in words come from scoring's own frame (ScoreArrays.to_frame), never re-encoded here
    reason = after["reason"] if isinstance(after, pd.DataFrame) else after.to_frame()["reason"]
    return pd.DataFrame(
        {
            "tier_before": pd.Categorical.from_codes(b, dtype=SCORE_TIER_DTYPE),
            "tier_after": pd.Categorical.from_codes(a, dtype=SCORE_TIER_DTYPE),
            "met_before": _met(before),
            "met_after": _met(after),
            "reason_after": pd.Categorical(reason.to_numpy(), dtype=reason.dtype),
            "change": pd.Categorical.from_codes(change, categories=["up", "down", "unchanged"]),
            "steps": steps,
            "simulated": _simulated(after, n) | _simulated(before, n),
        },
        index=index,
    )


def compare(
    first, second, baseline: Scenario | Change | None = None, *, standard: Standard | None = None
) -> Comparison:
    """Tiers before and after: ``compare(baseline_scores, scenario_scores)`` or
    ``compare(assessments, scenario, baseline=None, standard=std)``.

    Scores are frames from :func:`apply` / :func:`wwc_analysis.rules.scoring.score` (aligned on the
    index) or :class:`~wwc_analysis.rules.scoring.ScoreArrays` of equal length. With assessments,
    the baseline is the empty scenario unless ``baseline`` is given, and ``standard`` is the
    population's standard (as for :func:`apply`). The ``simulated`` flag is carried through (column
    and ``attrs``); the comparison is flagged simulated if any city is.
    """
    before, after, label = _scores(first, second, baseline, standard)
    after, index = _aligned(before, after)
    b, a = _tier_codes(before), _tier_codes(after)
    cities = _city_frame(before, after, index, b, a)
    steps = a - b
    counts = np.bincount(b * 4 + a, minlength=16).reshape(4, 4)
    transitions = pd.DataFrame(
        counts,
        index=pd.Index(SCORE_TIERS, name="before"),
        columns=pd.Index(SCORE_TIERS, name="after"),
    )
    summary = pd.Series(
        {
            "up": int((steps > 0).sum()),
            "down": int((steps < 0).sum()),
            "unchanged": int((steps == 0).sum()),
            "total": len(b),
        },
        dtype="int64",
    )
    simulated = bool(cities["simulated"].any())
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


@dataclass(frozen=True)
class RuleScenarios:
    """Two rule changes compared with ``standard`` over one population, and one city's tier under
    each: ``gold`` (the Gold cut-off at ``gold_threshold`` %), ``thresholds`` (``other``'s
    thresholds, keeping ``standard``'s gates) and ``rules`` (``other``'s thresholds and gates);
    ``city_gold`` and ``city_thresholds`` score the city under the first two."""

    standard: Standard
    other: Standard
    gold_threshold: int
    gold: Comparison
    thresholds: Comparison
    rules: Comparison
    city_gold: CityScore
    city_thresholds: CityScore

    @property
    def gold_standard(self) -> Standard:
        """``standard`` with the Gold cut-off moved."""
        return Scenario(SetThresholds(gold=self.gold_threshold)).standard_for(self.standard)

    def metrics(self) -> dict[str, dict[str, int]]:
        """The counts up, down, unchanged and total of each comparison, keyed for ``metrics.json``:
        ``gold_scenario`` (with ``gold``), ``<other>_thresholds`` and ``<other>_rules``."""
        return {
            "gold_scenario": {"gold": int(self.gold_threshold), **self.gold.counts()},
            f"{self.other.name}_thresholds": self.thresholds.counts(),
            f"{self.other.name}_rules": self.rules.counts(),
        }


def rule_scenarios(
    population, standard: Standard, other: Standard, gold: int, met, outcome_met: bool = True
) -> RuleScenarios:
    """:class:`RuleScenarios` of ``population`` (assessments of ``standard``) and of the city that
    meets ``met``: Gold at ``gold`` %, and ``other``'s thresholds with and without its gates."""
    gold_change = SetThresholds(gold=gold)
    thresholds_only = UseStandard(other, keep_gates=True)
    return RuleScenarios(
        standard=standard,
        other=other,
        gold_threshold=int(gold),
        gold=compare(population, gold_change, standard=standard),
        thresholds=compare(population, thresholds_only, standard=standard),
        rules=compare(population, UseStandard(other), standard=standard),
        city_gold=city_whatif(met, gold_change, standard, outcome_met=outcome_met).after,
        city_thresholds=city_whatif(met, thresholds_only, standard, outcome_met=outcome_met).after,
    )
