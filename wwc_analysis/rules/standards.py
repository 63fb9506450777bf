"""Certification standards, built from the data (``standards.csv`` and the criteria files), never
hard-coded.

A :class:`Standard` holds everything the scoring rules need: the criteria in order, the tier rule,
the three thresholds, the core criteria and whether the core and outcome gates apply. It is
immutable; ``with_thresholds`` / ``with_gates`` return changed copies for what-if work.

Tier rules
----------
``percent_of_criteria`` (2018, 2022)
    A city reaches a tier when ``met * 100 >= pct * total``: an exact integer comparison, never a
    float near a boundary. Under 2022 (43 criteria): 22 met is Silver (51.2 %), 30 Gold, 37
    Platinum.
``components`` (2017)
    The inaugural rule counts how many of the four parts of the WWC Standard (Commit, Measure,
    Take Stock, Act) a city worked across: Silver 2, Gold 3, Platinum 4. The "criteria" of such a
    standard are the four components.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from wwc_analysis.data.schemas import LEVELS

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset

TIERS: tuple[str, ...] = LEVELS  # one definition of the tier names: schemas.LEVELS
COMPONENTS_2017: tuple[str, ...] = ("Commit", "Measure", "Take Stock", "Act")
TIER_RULES = ("percent_of_criteria", "components")


@dataclass(frozen=True)
class Standard:
    """One certification standard and its tier rule.

    Attributes
    ----------
    name: the standard's label (``"2022"``).
    tier_rule: ``"percent_of_criteria"`` or ``"components"``.
    criteria_count: number of criteria (or components) the share is taken over.
    thresholds: lowest value reaching Silver, Gold, Platinum: whole percents, or component counts.
    criteria: criterion codes in assessment order; empty when the data does not list them (2018).
    practice_areas: practice area of each listed criterion, aligned with ``criteria``.
    core: the core criteria (a subset of ``criteria``).
    core_required: whether missing a core criterion blocks certification.
    outcome_required: whether the outcome requirement must hold.
    """

    name: str
    tier_rule: str
    criteria_count: int
    thresholds: tuple[int, int, int]
    criteria: tuple[str, ...] = ()
    practice_areas: tuple[str, ...] = ()
    core: tuple[str, ...] = ()
    core_required: bool = False
    outcome_required: bool = False
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.tier_rule not in TIER_RULES:
            raise ValueError(
                f"standard {self.name}: tier_rule {self.tier_rule!r} is not one of {TIER_RULES}"
            )
        if len(self.thresholds) != 3 or not all(isinstance(t, int) for t in self.thresholds):
            raise ValueError(
                f"standard {self.name}: thresholds must be three integers, got {self.thresholds!r}"
            )
        upper = 100 if self.tier_rule == "percent_of_criteria" else self.criteria_count
        if not all(0 <= t <= upper for t in self.thresholds):
            raise ValueError(
                f"standard {self.name}: thresholds {self.thresholds} must lie in 0..{upper} for "
                f"{self.tier_rule}"
            )
        if list(self.thresholds) != sorted(self.thresholds):
            raise ValueError(
                f"standard {self.name}: thresholds {self.thresholds} must not decrease (Silver <= "
                "Gold <= Platinum)"
            )
        if self.criteria and len(self.criteria) != self.criteria_count:
            raise ValueError(
                f"standard {self.name}: {len(self.criteria)} criteria listed but criteria_count "
                f"is {self.criteria_count}"
            )
        if len(set(self.criteria)) != len(self.criteria):
            raise ValueError(f"standard {self.name}: duplicate criterion codes")
        if self.practice_areas and len(self.practice_areas) != len(self.criteria):
            raise ValueError(f"standard {self.name}: practice_areas must align with criteria")
        unknown = set(self.core) - set(self.criteria)
        if unknown:
            raise ValueError(
                f"standard {self.name}: core criteria {sorted(unknown)} are not among its criteria"
            )

    # --- derived facts ---------------------------------------------------------------------------
    @property
    def has_criteria(self) -> bool:
        """True when the criterion codes are known (so criterion-level scoring is possible)."""
        return bool(self.criteria)

    @property
    def threshold_map(self) -> dict[str, int]:
        return dict(zip(TIERS, self.thresholds))

    @property
    def unit(self) -> str:
        return "%" if self.tier_rule == "percent_of_criteria" else " components"

    def required_met(self, tier: str | int, total: int | None = None) -> int:
        """Smallest number of criteria met that reaches ``tier`` by the threshold alone.

        ``tier`` is a name (``"Gold"``) or a tier code (1 Silver, 2 Gold, 3 Platinum).
        For the percent rule this is ``ceil(pct * total / 100)``, computed in integers.
        """
        code = tier_code(tier)
        if code == 0:
            return 0
        t = self.thresholds[code - 1]
        total = self.criteria_count if total is None else int(total)
        if self.tier_rule == "components":
            return t
        return -(-t * total // 100)  # ceil division in integers

    def criteria_by_area(self) -> dict[str, list[str]]:
        """Criterion codes grouped by practice area, in standard order."""
        out: dict[str, list[str]] = {}
        for code, area in zip(self.criteria, self.practice_areas):
            out.setdefault(area, []).append(code)
        return out

    # --- what-if copies --------------------------------------------------------------------------
    def with_thresholds(
        self, silver: int | None = None, gold: int | None = None, platinum: int | None = None
    ) -> Standard:
        """A copy with some thresholds changed (whole percents, or component counts)."""
        s, g, p = self.thresholds
        new = (
            s if silver is None else int(silver),
            g if gold is None else int(gold),
            p if platinum is None else int(platinum),
        )
        return replace(
            self, thresholds=new, name=f"{self.name} (thresholds {new[0]}/{new[1]}/{new[2]})"
        )

    def with_gates(
        self, core_required: bool | None = None, outcome_required: bool | None = None
    ) -> Standard:
        """A copy with the core or outcome gate switched on or off."""
        return replace(
            self,
            core_required=self.core_required if core_required is None else bool(core_required),
            outcome_required=self.outcome_required
            if outcome_required is None
            else bool(outcome_required),
        )

    def describe(self) -> str:
        s, g, p = self.thresholds
        if self.tier_rule == "components":
            rule = f"Silver {s}, Gold {g}, Platinum {p} of the 4 Standard components"
        else:
            rule = f"Silver {s} %, Gold {g} %, Platinum {p} % of {self.criteria_count} criteria"
        gates = []
        if self.core_required:
            gates.append("core criteria " + ", ".join(self.core) + " required")
        if self.outcome_required:
            gates.append("outcome requirement")
        return f"Standard {self.name}: {rule}" + (f"; {'; '.join(gates)}" if gates else "")


def tier_code(tier: str | int) -> int:
    """0 for not certified, 1 Silver, 2 Gold, 3 Platinum; names (any case) or codes."""
    if isinstance(tier, str):
        key = tier.strip().lower()
        names = {"not certified": 0, "none": 0, "silver": 1, "gold": 2, "platinum": 3}
        if key not in names:
            raise ValueError(f"unknown tier {tier!r}: expected one of Silver, Gold, Platinum")
        return names[key]
    code = int(tier)
    if code not in (0, 1, 2, 3):
        raise ValueError(f"unknown tier code {tier!r}: expected 0-3")
    return code


def standard_from_frames(name: str, standards: pd.DataFrame, criteria: pd.DataFrame) -> Standard:
    """Build one :class:`Standard` from the loaded ``standards`` and ``criteria`` tables."""
    name = str(name)
    rows = standards[standards["standard"].astype(str) == name]
    if rows.empty:
        known = ", ".join(standards["standard"].astype(str))
        raise KeyError(f"unknown standard {name!r}: the data has {known}")
    row = rows.iloc[0]
    crit = criteria[criteria["standard"].astype(str) == name]
    rule = str(row["tier_rule"])
    if rule == "components":
        codes: tuple[str, ...] = COMPONENTS_2017
        areas: tuple[str, ...] = COMPONENTS_2017
        core: tuple[str, ...] = ()
        count = len(COMPONENTS_2017)
    else:
        codes = tuple(crit["code"].astype(str))
        areas = tuple(crit["practice_area"].astype(str))
        core = tuple(crit.loc[crit["core"].astype(bool), "code"].astype(str))
        count = int(row["criteria_count"])
    notes = row.get("notes", "")
    return Standard(
        name=name,
        tier_rule=rule,
        criteria_count=count,
        thresholds=(int(row["silver_min"]), int(row["gold_min"]), int(row["platinum_min"])),
        criteria=codes,
        practice_areas=areas,
        core=core,
        core_required=bool(row["core_criteria_required"]),
        outcome_required=bool(row["outcome_requirement"]),
        notes="" if pd.isna(notes) else str(notes),
    )


def get_standard(name: str | int | Standard, data: Dataset) -> Standard:
    """The standard called ``name`` (``"2017"``, ``"2018"``, ``"2022"``) built from ``data``'s
    ``standards`` and ``criteria`` tables. A :class:`Standard` passed as ``name`` is returned as is.

    ``data`` is required: the standard of a researcher's own data directory may differ from the
    project's, and a function that quietly read the project's files would score under the wrong
    rules.
    """
    if isinstance(name, Standard):
        return name
    if data is None or not hasattr(data, "standards") or not hasattr(data, "criteria"):
        raise TypeError(
            f"get_standard({name!r}, data): data must be the Dataset (wwc_analysis.load()) whose "
            f"standards and criteria define the standard, got {type(data).__name__}"
        )
    return standard_from_frames(str(name), data.standards, data.criteria)


def require_standard(standard: object, what: str) -> Standard:
    """``standard`` when it is a :class:`Standard`; a ``TypeError`` naming ``what`` otherwise.

    Scoring takes the standard it scores under; a name would have to be looked up in the project's
    data, which a library function must not read behind its caller's back.
    """
    if isinstance(standard, Standard):
        return standard
    raise TypeError(
        f"{what}: give a Standard, e.g. get_standard(name, data), not {standard!r} "
        "(scoring does not read the project's data itself)"
    )
