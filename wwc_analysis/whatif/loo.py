"""Which criteria are binding? Each criterion left out of the standard, or made universal, one at a
time, and the cities that change tier (composite-indicator practice: COINr's ``remove_elements``).

:func:`leave_one_out`: for each criterion, the standard without it: the cut-offs apply to the
remaining criteria as percentages (``met * 100 >= pct * (total - 1)``, exact integers), and a core
criterion left out is no longer a gate. :func:`add_one`: for each criterion, every city meets it
(the symmetric question: which criterion, met by all, would move most cities). Both score every
variant at once (the counts met minus, or plus, one column; tiers from
:func:`~wwc_analysis.rules.scoring.threshold_tiers`) and return a :class:`CriterionImpacts`: per
criterion the cities that move up and down, the transition matrix, ranked by the cities that change
tier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS, score_matrix, threshold_tiers
from wwc_analysis.rules.standards import Standard
from wwc_analysis.whatif.scenarios import ScenarioError, as_population

__all__ = ["KINDS", "CriterionImpacts", "add_one", "leave_one_out"]

#: The two questions: a criterion left out of the standard, or met by every city.
KINDS = ("leave_one_out", "add_one")


@dataclass(frozen=True)
class CriterionImpacts:
    """What each criterion's change does to the tiers of a population.

    ``kind``: ``"leave_one_out"`` or ``"add_one"``. ``transitions``: criteria x 4 x 4 counts (rows:
    tier under the standard, columns: tier after the change), in the standard's criterion order.
    ``baseline``: tier counts under the standard.
    """

    kind: str
    standard: Standard
    transitions: np.ndarray
    baseline: np.ndarray
    simulated: bool

    @property
    def cities(self) -> int:
        return int(self.baseline.sum())

    def table(self, names: dict[str, str] | None = None) -> pd.DataFrame:
        """One row per criterion, ranked by ``changed`` (then ``down``, then the standard's order):
        ``practice_area``, (``name``), ``changed``, ``up``, ``down``, ``share_changed`` and the
        tier counts after the change (``Not certified`` ... ``Platinum``)."""
        t = self.transitions
        up = np.triu(t, 1).sum(axis=(1, 2))
        down = np.tril(t, -1).sum(axis=(1, 2))
        std = self.standard
        frame = pd.DataFrame(
            {
                "practice_area": list(std.practice_areas),
                "changed": up + down,
                "up": up,
                "down": down,
                "share_changed": (up + down) / max(self.cities, 1),
            },
            index=pd.Index(std.criteria, name="criterion"),
        )
        if names is not None:
            frame.insert(1, "name", [names.get(c, "") for c in std.criteria])
        after = t.sum(axis=1)
        for j, tier in enumerate(SCORE_TIERS):
            frame[tier] = after[:, j]
        frame["order"] = np.arange(len(frame))
        frame = frame.sort_values(["changed", "down", "order"], ascending=[False, False, True])
        frame = frame.drop(columns="order")
        frame.attrs.update(simulated=self.simulated, kind=self.kind, cities=self.cities)
        return frame

    def transition(self, code: str) -> pd.DataFrame:
        """The 4 x 4 transition matrix of one criterion (rows: before, columns: after)."""
        if code not in self.standard.criteria:
            raise KeyError(f"{code!r} is not a criterion of standard {self.standard.name}")
        frame = pd.DataFrame(
            self.transitions[self.standard.criteria.index(code)],
            index=pd.Index(SCORE_TIERS, name="before"),
            columns=pd.Index(SCORE_TIERS, name="after"),
        )
        frame.attrs["simulated"] = self.simulated
        return frame


def _setup(population, standard: Standard | None, what: str):
    pop = as_population(population, standard)
    std = pop.standard
    if std.tier_rule != "percent_of_criteria" or not std.has_criteria:
        raise ScenarioError(f"{what}: standard {std.name} is not scored by a percent of criteria")
    if what == "leave_one_out" and std.criteria_count < 2:
        raise ScenarioError(f"{what}: standard {std.name} has a single criterion")
    return pop, std


def _impacts(kind, std, pop, before: np.ndarray, met, core_unmet, total) -> CriterionImpacts:
    """The transitions from the tiers ``before`` to those of the counts ``met`` (cities x
    criteria) with ``core_unmet`` core criteria unmet, over ``total`` criteria."""
    thr = threshold_tiers(met, std, total)
    blocked = np.zeros(met.shape, dtype=bool)
    if std.core_required:
        blocked |= core_unmet > 0
    if std.outcome_required:
        blocked |= ~np.asarray(pop.outcome, dtype=bool)[:, None]
    after = np.where(blocked, 0, thr).astype(np.int64)
    k = std.criteria_count
    keys = np.arange(k)[None, :] * 16 + before[:, None] * 4 + after
    transitions = np.bincount(keys.ravel(), minlength=k * 16).reshape(k, 4, 4)
    return CriterionImpacts(
        kind, std, transitions, np.bincount(before, minlength=4), pop.any_simulated
    )


def _core_columns(std: Standard, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(is_core, unmet)``: which criteria are core, and each city's count of unmet core ones."""
    is_core = np.isin(np.array(std.criteria), list(std.core))
    return is_core, np.count_nonzero(~m[:, is_core], axis=1)


def leave_one_out(population, standard: Standard | None = None) -> CriterionImpacts:
    """Each criterion of the standard left out in turn (cut-offs as percentages of the others, a
    core criterion left out no longer a gate), scored exactly; see :class:`CriterionImpacts`.
    ``population``: anything :func:`~wwc_analysis.whatif.apply` takes; ``standard`` its
    standard."""
    pop, std = _setup(population, standard, "leave_one_out")
    m = np.asarray(pop.matrix, dtype=bool)
    before = np.asarray(score_matrix(m, std, pop.outcome).tier, dtype=np.int64)
    met = np.count_nonzero(m, axis=1)[:, None] - m
    is_core, unmet = _core_columns(std, m)
    core_unmet = unmet[:, None] - (~m & is_core[None, :])
    return _impacts("leave_one_out", std, pop, before, met, core_unmet, std.criteria_count - 1)


def add_one(population, standard: Standard | None = None) -> CriterionImpacts:
    """Each criterion of the standard met by every city in turn (the others as they are), scored
    exactly; see :class:`CriterionImpacts`."""
    pop, std = _setup(population, standard, "add_one")
    m = np.asarray(pop.matrix, dtype=bool)
    before = np.asarray(score_matrix(m, std, pop.outcome).tier, dtype=np.int64)
    met = np.count_nonzero(m, axis=1)[:, None] + ~m
    is_core, unmet = _core_columns(std, m)
    core_unmet = unmet[:, None] - (~m & is_core[None, :])
    return _impacts("add_one", std, pop, before, met, core_unmet, std.criteria_count)
