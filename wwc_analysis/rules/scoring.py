"""Exact, vectorised scoring of assessments against a :class:`~wwc_analysis.standards.Standard`.

The same code scores one city or a million: everything works on numpy arrays of criteria met, and
the tier is decided by integer comparison (``met * 100 >= pct * total``), never by a float near a
boundary.

Tier codes are ``0`` Not certified, ``1`` Silver, ``2`` Gold, ``3`` Platinum. In frames the tier is
the ordered categorical :data:`SCORE_TIER_DTYPE` (``Not certified < Silver < Gold < Platinum``): a
score is always known, unlike a level in the certification history, which may be missing.

Gates (2022 standard): a city missing any core criterion (DM1, LC1, PA1), or not meeting the outcome
requirement, is not certified whatever its share. ``threshold_tier`` is the tier by share alone,
``tier`` the tier after the gates, and ``reason`` says why a city is below its threshold tier (or
below Silver).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wwc_analysis.rules.standards import TIERS, Standard, require_standard

SCORE_TIERS: tuple[str, ...] = ("Not certified", *TIERS)
SCORE_TIER_DTYPE = pd.CategoricalDtype(list(SCORE_TIERS), ordered=True)

# Reason codes: bit 1 = a core criterion missing (gate on), bit 2 = outcome requirement unmet (gate
# on); combined with whether the share alone reaches Silver. Index = threshold_tier > 0 (0/1) * 4 +
# flags.
_REASONS = (
    "below the Silver threshold",
    "below the Silver threshold; core criteria missing",
    "below the Silver threshold; outcome requirement unmet",
    "below the Silver threshold; core criteria missing; outcome requirement unmet",
    "",
    "core criteria missing",
    "outcome requirement unmet",
    "core criteria missing; outcome requirement unmet",
)
REASON_DTYPE = pd.CategoricalDtype(list(dict.fromkeys(_REASONS)), ordered=False)


def threshold_tiers(met, standard: Standard, total=None) -> np.ndarray:
    """Tier code (0-3) reached by the threshold alone, for each element of ``met``.

    ``total`` defaults to the standard's criteria count; pass it to score on another denominator.
    Integers only: for the percent rule ``met * 100 >= pct * total``; for components ``met >= n``.
    """
    met = np.asarray(met)
    if met.dtype.kind not in "iub":
        raise TypeError(f"criteria met must be integers, got dtype {met.dtype}")
    met = met.astype(np.int64, copy=False)
    total = standard.criteria_count if total is None else np.asarray(total, dtype=np.int64)
    if np.any(met < 0) or np.any(met > total):
        raise ValueError(f"criteria met must lie in 0..{total} for standard {standard.name}")
    codes = np.zeros(met.shape, dtype=np.int8)
    if standard.tier_rule == "components":
        for t in standard.thresholds:
            codes += met >= t
    else:
        lhs = met * 100
        for t in standard.thresholds:
            codes += lhs >= t * total
    return codes


@dataclass(frozen=True)
class ScoreArrays:
    """Scores as aligned numpy arrays (the fast path; ``to_frame`` makes the tidy table)."""

    met: np.ndarray
    total: int
    threshold_tier: np.ndarray
    core_ok: np.ndarray
    outcome_ok: np.ndarray
    tier: np.ndarray
    reason_code: np.ndarray
    standard: Standard = field(repr=False)

    def __len__(self) -> int:
        return len(self.met)

    def to_frame(
        self,
        index: pd.Index | pd.MultiIndex | None = None,
        missing_core: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        n = len(self.met)
        df = pd.DataFrame(
            {
                "met": self.met.astype(np.int64),
                "total": np.full(n, self.total, dtype=np.int64),
                "share": self.met / self.total,
                "threshold_tier": pd.Categorical.from_codes(
                    self.threshold_tier, dtype=SCORE_TIER_DTYPE
                ),
                "core_ok": self.core_ok,
                "outcome_ok": self.outcome_ok,
                "tier": pd.Categorical.from_codes(self.tier, dtype=SCORE_TIER_DTYPE),
                "reason": pd.Categorical.from_codes(
                    _reason_category_codes()[self.reason_code], dtype=REASON_DTYPE
                ),
                "to_next_tier": self.to_next_tier(),
            },
            index=index,
        )
        if missing_core is not None:
            df.insert(5, "missing_core", pd.array(list(missing_core), dtype="string"))
        df.attrs["standard"] = self.standard.name
        return df

    def to_next_tier(self) -> np.ndarray:
        """Criteria still needed to reach the next tier by threshold (0 at Platinum).

        The gates are not counted here: a city blocked by a gate also needs what ``reason`` names.
        """
        need = np.zeros(len(self.met), dtype=np.int64)
        for code in (1, 2, 3):
            req = self.standard.required_met(code, self.total)
            at = self.threshold_tier == code - 1
            need[at] = req - self.met[at]
        return need


def _reason_category_codes() -> np.ndarray:
    cats = list(REASON_DTYPE.categories)
    return np.array([cats.index(r) for r in _REASONS], dtype=np.int8)


def score_counts(
    met, standard: Standard, *, core_ok=True, outcome_ok=True, total=None
) -> ScoreArrays:
    """Score from counts of criteria met (and gate flags), vectorised.

    Useful where criterion codes are not listed (the 2018 standard) or for what-if work on counts.
    ``core_ok`` / ``outcome_ok`` are booleans or boolean arrays; they only matter when the
    standard's gate is on.
    """
    std = require_standard(standard, "score_counts")
    met = np.atleast_1d(np.asarray(met))
    total = std.criteria_count if total is None else int(total)
    thr = threshold_tiers(met, std, total)
    core = np.broadcast_to(np.asarray(core_ok, dtype=bool), met.shape)
    outcome = np.broadcast_to(np.asarray(outcome_ok, dtype=bool), met.shape)
    return _finish(met.astype(np.int64, copy=False), total, thr, core, outcome, std)


def _finish(met, total, thr, core, outcome, std: Standard) -> ScoreArrays:
    flags = np.zeros(met.shape, dtype=np.int8)
    if std.core_required:
        flags += ~core
    if std.outcome_required:
        flags += (~outcome) * np.int8(2)
    blocked = flags > 0
    tier = np.where(blocked, np.int8(0), thr).astype(np.int8)
    reason = (thr > 0).astype(np.int8) * 4 + flags
    return ScoreArrays(met, total, thr, np.asarray(core), np.asarray(outcome), tier, reason, std)


def score_matrix(matrix, standard: Standard, outcome_met=True) -> ScoreArrays:
    """Score a boolean matrix of shape (cities, criteria), columns in ``standard.criteria`` order.

    ``outcome_met`` is a boolean or one boolean per city. Memory: the matrix itself plus a few
    arrays of one element per city.
    """
    std = require_standard(standard, "score_matrix")
    m = np.asarray(matrix)
    if m.ndim == 1:
        m = m[None, :]
    if m.dtype != np.bool_:
        raise TypeError(f"the assessment matrix must be boolean, got dtype {m.dtype}")
    if m.shape[1] != std.criteria_count:
        raise ValueError(
            f"the assessment matrix has {m.shape[1]} columns but standard {std.name} has "
            f"{std.criteria_count} criteria"
        )
    met = np.count_nonzero(m, axis=1).astype(np.int64)
    thr = threshold_tiers(met, std)
    if std.core:
        idx = [std.criteria.index(c) for c in std.core]
        core = m[:, idx].all(axis=1)
    else:
        core = np.ones(len(met), dtype=bool)
    outcome = np.broadcast_to(np.asarray(outcome_met, dtype=bool), met.shape).copy()
    return _finish(met, std.criteria_count, thr, core, outcome, std)


def missing_core_labels(matrix, standard: Standard) -> list[str]:
    """Comma-separated missing core codes per row ('' when none), vectorised over patterns."""
    if not standard.core:
        return [""] * len(matrix)
    idx = [standard.criteria.index(c) for c in standard.core]
    sub = np.asarray(matrix)[:, idx]
    weights = 1 << np.arange(len(idx))
    keys = (~sub).astype(np.int64) @ weights
    labels = np.array(
        [
            ", ".join(c for j, c in enumerate(standard.core) if k >> j & 1)
            for k in range(1 << len(idx))
        ],
        dtype=object,
    )
    return list(labels[keys])


# --- long / wide assessment frames ----------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentMatrix:
    """A long assessment frame pivoted to one boolean row per (city_id, round_id)."""

    index: pd.MultiIndex
    matrix: np.ndarray
    outcome_met: np.ndarray
    simulated: np.ndarray
    standard: Standard


def assessment_matrix(assessments: pd.DataFrame, standard: Standard) -> AssessmentMatrix:
    """Pivot a long assessment frame (``city_id, round_id, criterion, met, outcome_met``) to a
    matrix.

    Also accepts a wide frame: one boolean column per criterion code plus ``outcome_met``, indexed
    by whatever identifies the city. Every criterion of the standard must be present for every city;
    unknown codes are refused (the loader validates files; this guards frames built in code).
    """
    std = require_standard(standard, "assessment_matrix")
    if not std.has_criteria:
        raise ValueError(
            f"standard {std.name} lists no criterion codes: score it by counts with score_counts()"
        )
    if "criterion" not in assessments.columns:
        return _wide_matrix(assessments, std)
    df = assessments
    missing = {"city_id", "round_id", "criterion", "met"} - set(df.columns)
    if missing:
        raise ValueError(f"assessment frame lacks column(s) {sorted(missing)}")
    col_of = {c: i for i, c in enumerate(std.criteria)}
    # factorized column by column (a MultiIndex of a million string pairs is slow to factorize)
    crit_codes, crit_values = pd.factorize(df["criterion"].astype(str))
    col_values = np.array([col_of.get(c, -1) for c in crit_values], dtype=np.int64)
    if (col_values < 0).any():
        bad = sorted(str(c) for c in crit_values[col_values < 0])
        raise ValueError(f"criterion code(s) {bad} are not in standard {std.name}")
    cols = col_values[crit_codes]
    city_codes, cities = pd.factorize(df["city_id"].astype(str))
    round_codes, rounds = pd.factorize(df["round_id"].astype(str))
    rows, firsts = pd.factorize(city_codes.astype(np.int64) * len(rounds) + round_codes)
    uniq = pd.MultiIndex.from_arrays(
        [cities[firsts // len(rounds)], rounds[firsts % len(rounds)]],
        names=["city_id", "round_id"],
    )
    n = len(uniq)
    k = std.criteria_count
    counts = np.bincount(rows * k + cols, minlength=n * k).reshape(n, k)
    if (counts != 1).any():
        r, c = np.argwhere(counts != 1)[0]
        what = "duplicated" if counts[r, c] > 1 else "missing"
        raise ValueError(
            f"criterion {std.criteria[c]} is {what} for {uniq[r]} (each city and round needs "
            "every criterion once)"
        )
    m = np.zeros((n, std.criteria_count), dtype=bool)
    m[rows, cols] = df["met"].to_numpy(dtype=bool)
    outcome = _per_row(df, "outcome_met", rows, n, default=True)
    simulated = _per_row(df, "simulated", rows, n, default=bool(df.attrs.get("simulated", False)))
    return AssessmentMatrix(
        uniq,
        m,
        outcome,
        simulated,
        std,
    )


def _per_row(df: pd.DataFrame, column: str, rows: np.ndarray, n: int, default: bool) -> np.ndarray:
    """One boolean per (city, round) from a column that must be constant within each group."""
    if column not in df.columns:
        return np.full(n, default, dtype=bool)
    values = df[column].to_numpy(dtype=bool)
    trues = np.bincount(rows, weights=values, minlength=n)
    sizes = np.bincount(rows, minlength=n)
    mixed = (trues > 0) & (trues < sizes)
    if mixed.any():
        raise ValueError(
            f"column {column!r} differs between rows of the same city and round "
            f"({int(mixed.sum())} groups)"
        )
    return trues > 0


def _wide_matrix(df: pd.DataFrame, std: Standard) -> AssessmentMatrix:
    missing = [c for c in std.criteria if c not in df.columns]
    if missing:
        raise ValueError(
            f"wide assessment frame lacks criterion column(s) {missing} of standard {std.name}"
        )
    m = df[list(std.criteria)].to_numpy(dtype=bool)
    outcome = (
        df["outcome_met"].to_numpy(dtype=bool)
        if "outcome_met" in df.columns
        else np.ones(len(df), dtype=bool)
    )
    simulated = (
        df["simulated"].to_numpy(dtype=bool)
        if "simulated" in df.columns
        else np.full(len(df), bool(df.attrs.get("simulated", False)))
    )
    return AssessmentMatrix(df.index, m, outcome, simulated, std)


def score(assessments: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """Score a long (or wide) assessment frame: one row per (city_id, round_id).

    Columns: ``met, total, share, threshold_tier, core_ok, missing_core, outcome_ok, tier, reason,
    to_next_tier, simulated``. ``share`` is for display; tiers come from integer comparison. The
    ``simulated`` flag of the input is carried through (column and ``attrs["simulated"]``).
    """
    am = assessment_matrix(assessments, standard)
    arrays = score_matrix(am.matrix, am.standard, am.outcome_met)
    out = arrays.to_frame(index=am.index, missing_core=missing_core_labels(am.matrix, am.standard))
    out["simulated"] = am.simulated
    out.attrs["simulated"] = bool(am.simulated.all()) if len(am.simulated) else False
    return out


# --- one city -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CityScore:
    """The score of one city, with the reasons in words."""

    standard: Standard
    met_criteria: tuple[str, ...]
    met: int
    total: int
    threshold_tier: str
    tier: str
    missing_core: tuple[str, ...]
    outcome_met: bool
    reasons: tuple[str, ...]

    @property
    def share(self) -> float:
        return self.met / self.total

    def as_dict(self) -> dict:
        return {
            "standard": self.standard.name,
            "met": self.met,
            "total": self.total,
            "share": round(self.share, 4),
            "threshold_tier": self.threshold_tier,
            "tier": self.tier,
            "missing_core": list(self.missing_core),
            "outcome_met": self.outcome_met,
            "reasons": list(self.reasons),
            "met_criteria": list(self.met_criteria),
        }

    def explain(self) -> str:
        lines = [
            f"{self.met} of {self.total} criteria met ({self.share:.1%}) under standard "
            f"{self.standard.name}: {self.tier}."
        ]
        lines += [f"- {r}" for r in self.reasons]
        return "\n".join(lines)


def score_city(met: Iterable[str], standard: Standard, outcome_met: bool = True) -> CityScore:
    """Score one city from the codes of the criteria it meets (rules of :func:`score_matrix`)."""
    std = require_standard(standard, "score_city")
    codes = [c.strip() for c in met if c and c.strip()]
    unknown = sorted(set(codes) - set(std.criteria))
    if unknown:
        raise ValueError(
            f"unknown criterion code(s) {', '.join(unknown)} for standard {std.name}; valid "
            f"codes: {', '.join(std.criteria)}"
        )
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise ValueError(f"criterion code(s) listed twice: {', '.join(dup)}")
    row = np.isin(np.array(std.criteria), codes)
    arr = score_matrix(row[None, :], std, outcome_met)
    thr, tier = int(arr.threshold_tier[0]), int(arr.tier[0])
    missing_core = tuple(c for c in std.core if c not in codes)
    return CityScore(
        standard=std,
        met_criteria=tuple(c for c in std.criteria if c in codes),
        met=int(arr.met[0]),
        total=arr.total,
        threshold_tier=SCORE_TIERS[thr],
        tier=SCORE_TIERS[tier],
        missing_core=missing_core,
        outcome_met=bool(outcome_met),
        reasons=tuple(
            _reasons_in_words(std, int(arr.met[0]), arr.total, thr, missing_core, bool(outcome_met))
        ),
    )


def _reasons_in_words(
    std: Standard, met: int, total: int, thr: int, missing_core, outcome_met: bool
) -> list[str]:
    out = []
    pct = f"{met}/{total} = {met / total:.1%}"
    if thr == 0:
        out.append(
            f"below the Silver threshold: {pct} < {std.thresholds[0]}{std.unit} "
            f"(needs {std.required_met(1, total)} criteria, {std.required_met(1, total) - met} "
            "more)"
        )
    if std.core_required and missing_core:
        out.append(
            f"core criteria missing: {', '.join(missing_core)} (a city missing any core criterion "
            "is not certified)"
        )
    if std.outcome_required and not outcome_met:
        out.append(
            "outcome requirement unmet (an internationally recognised standard on at least one "
            "outcome)"
        )
    if 0 < thr < 3:
        nxt = TIERS[thr]
        need = std.required_met(thr + 1, total)
        word = "criterion" if need - met == 1 else "criteria"
        out.append(
            f"{need - met} more {word} would reach the {nxt} threshold ({need} of {total}, "
            f"{std.thresholds[thr]}{std.unit})"
        )
    return out
