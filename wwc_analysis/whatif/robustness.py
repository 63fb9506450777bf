"""Run a robustness spec over assessments: the uncertainty analysis, the sensitivity analysis,
leave-one-out and add-one, and one city's stability, as ``wwc robustness`` reports them.

:func:`select_assessments` keeps the assessments a spec's ``round`` names (each city's latest, all,
or one round); :func:`run_robustness` runs what the spec asks for and returns a
:class:`RobustnessReport`, which gives its results as a JSON-ready dict (:meth:`~RobustnessReport.
to_dict`) or one tidy table (:meth:`~RobustnessReport.to_frame`). The report's words are in
:mod:`wwc_analysis.text.robustness`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS, assessment_matrix
from wwc_analysis.whatif.loo import CriterionImpacts, add_one, leave_one_out
from wwc_analysis.whatif.paths import met_criteria
from wwc_analysis.whatif.robustness_spec import RobustnessSpec
from wwc_analysis.whatif.scenarios import ScenarioError
from wwc_analysis.whatif.sensitivity import SensitivityResult, sensitivity
from wwc_analysis.whatif.stability import CityStability, city_stability
from wwc_analysis.whatif.uncertainty import UncertaintyResult, uncertainty

__all__ = ["SIMULATED_NOTE", "RobustnessReport", "run_robustness", "select_assessments"]

SIMULATED_NOTE = "SIMULATED DATA: fictional cities, not real certification results"
#: The central interval of the tier counts reported (5th to 95th percentile of the runs).
LEVEL = 0.9


def select_assessments(assessments: pd.DataFrame, round_: str = "latest") -> pd.DataFrame:
    """The rows of the long frame ``assessments`` that ``round_`` names: ``"latest"`` each city's
    latest assessment, ``"all"`` every assessment, or a round id (a ScenarioError naming the rounds
    there when it has none)."""
    rounds = assessments["round_id"].astype(str)
    if round_ == "all":
        return assessments
    if round_ == "latest":
        latest = rounds.groupby(assessments["city_id"].astype(str)).transform("max")
        return assessments[rounds == latest]
    if round_ not in set(rounds):
        known = ", ".join(sorted(set(rounds)))
        raise ScenarioError(f"round {round_!r} is not in the assessments; rounds there: {known}")
    return assessments[rounds == round_]


@dataclass(frozen=True)
class RobustnessReport:
    """Everything a spec asked for, over one selection of assessments (``cities`` distinct cities
    in ``assessments`` rows); ``sensitivity``, ``leave_one_out``, ``add_one`` and ``city`` are None
    when not asked for."""

    spec: RobustnessSpec
    cities: int
    assessments: int
    uncertainty: UncertaintyResult
    sensitivity: SensitivityResult | None
    leave_one_out: CriterionImpacts | None
    add_one: CriterionImpacts | None
    city: CityStability | None
    simulated: bool

    def to_dict(self, top: int | None = None) -> dict:
        """The results as plain JSON types (NaN as None); ``top`` limits the per-city list."""
        unc, spec = self.uncertainty, self.spec
        out = {
            "simulated": self.simulated,
            **({"note": SIMULATED_NOTE} if self.simulated else {}),
            "name": spec.name,
            "standard": spec.standard.name,
            "population": {
                "round": spec.round,
                "cities": self.cities,
                "assessments": self.assessments,
            },
            "inputs": spec.inputs.describe(spec.standard),
            "runs": {"samples": unc.runs, "method": unc.method, "seed": unc.seed},
            "tier_counts": _records(unc.count_frame(LEVEL), "tier"),
            "interval": LEVEL,
            "cities": {**unc.summary(), "least_stable": _least_stable(unc, top)},
        }
        if self.sensitivity is not None:
            out["sensitivity"] = _sensitivity_dict(self.sensitivity, spec)
        for key in ("leave_one_out", "add_one"):
            impacts = getattr(self, key)
            if impacts is not None:
                out[key] = _records(impacts.table(), "criterion")
        if self.city is not None:
            out["city"] = _city_dict(self.city, spec.city)
        return out

    def to_frame(self) -> pd.DataFrame:
        """Every figure as one tidy table: ``analysis``, ``subject``, ``measure``, ``value``,
        ``low``, ``high`` (the interval, where there is one) and ``simulated``."""
        rows = _count_rows(self.uncertainty) + _city_rows(self.uncertainty)
        if self.sensitivity is not None:
            rows += _sensitivity_rows(self.sensitivity)
        for key in ("leave_one_out", "add_one"):
            impacts = getattr(self, key)
            if impacts is not None:
                table = impacts.table()
                rows += [
                    (key, code, m, float(table.at[code, m]), None, None)
                    for code in table.index
                    for m in ("changed", "up", "down")
                ]
        if self.city is not None:
            rows += _stability_rows(self.city, self.spec.city)
        frame = pd.DataFrame(
            rows, columns=["analysis", "subject", "measure", "value", "low", "high"]
        )
        frame["simulated"] = self.simulated
        frame.attrs["simulated"] = self.simulated
        return frame


def _clean(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v if isinstance(v, (int, bool, str, type(None))) else str(v)


def _records(frame: pd.DataFrame, key: str) -> list[dict]:
    return [
        {key: _clean(idx), **{str(k): _clean(v) for k, v in row.items()}}
        for idx, row in zip(frame.index, frame.to_dict("records"))
    ]


def _city_key(idx) -> dict:
    if isinstance(idx, tuple):
        return {"city_id": str(idx[0]), "round_id": str(idx[1])}
    return {"city": _clean(idx)}


def _least_stable(unc: UncertaintyResult, top: int | None) -> list[dict]:
    frame = unc.city_frame()
    frame = frame[frame["flip_rate"] > 0].sort_values("flip_rate", ascending=False, kind="stable")
    if top is not None:
        frame = frame.head(top)
    return [
        {**_city_key(idx), **{str(k): _clean(v) for k, v in row.items()}}
        for idx, row in zip(frame.index, frame.to_dict("records"))
    ]


def _sensitivity_dict(sens: SensitivityResult, spec: RobustnessSpec) -> dict:
    return {
        "base_samples": sens.base_samples,
        "runs": sens.runs,
        "bootstrap": sens.bootstrap,
        "confidence": sens.confidence,
        "criteria": spec.sensitivity.criteria if spec.sensitivity else None,
        "variance": dict(zip(sens.outputs, map(_clean, sens.variance))),
        "indices": [
            {k: _clean(v) for k, v in row.items()} for row in sens.frame().to_dict("records")
        ],
    }


def _city_dict(city: CityStability, city_id: str) -> dict:
    out = {
        "city_id": city_id,
        "tier": city.tier,
        "met": len(city.met),
        "outcome_met": city.outcome_met,
        "runs": city.runs,
        "shares": dict(zip(SCORE_TIERS, map(float, city.shares))),
        "flip_rate": city.flip_rate,
        "decisive": _records(city.decisive_table(), "criterion"),
    }
    if city.sensitivity is not None:
        frame = city.sensitivity.frame()
        out["sensitivity"] = [
            {k: _clean(v) for k, v in r.items()} for r in frame.to_dict("records")
        ]
    return out


def _count_rows(unc: UncertaintyResult) -> list[tuple]:
    frame = unc.count_frame(LEVEL)
    rows = []
    for tier, r in frame.iterrows():
        rows.append(("tier_counts", tier, "baseline", float(r["baseline"]), None, None))
        rows.append(("tier_counts", tier, "median", float(r["median"]), r["low"], r["high"]))
        rows.append(("tier_counts", tier, "mean", float(r["mean"]), None, None))
        rows.append(("tier_counts", tier, "range", None, r["min"], r["max"]))
    return rows


def _city_rows(unc: UncertaintyResult) -> list[tuple]:
    frame = unc.city_frame()
    rows = []
    for idx, r in zip(frame.index, frame.to_dict("records")):
        subject = "/".join(map(str, idx)) if isinstance(idx, tuple) else str(idx)
        rows.append(("city", subject, f"tier now: {r['baseline']}", None, None, None))
        rows += [("city", subject, f"share {t}", r[t], None, None) for t in SCORE_TIERS]
        rows.append(("city", subject, "flip_rate", r["flip_rate"], None, None))
    return rows


def _sensitivity_rows(sens: SensitivityResult) -> list[tuple]:
    rows = []
    for r in sens.frame().to_dict("records"):
        out = r["output"]
        rows.append(
            (
                "sensitivity",
                r["input"],
                f"first_order {out}",
                r["first_order"],
                r["first_low"],
                r["first_high"],
            )
        )
        rows.append(
            (
                "sensitivity",
                r["input"],
                f"total_effect {out}",
                r["total_effect"],
                r["total_low"],
                r["total_high"],
            )
        )
    return rows


def _stability_rows(city: CityStability, city_id: str) -> list[tuple]:
    rows = [
        ("city_stability", city_id, f"share {t}", float(s), None, None)
        for t, s in zip(SCORE_TIERS, city.shares)
    ]
    table = city.decisive_table()
    rows += [
        (
            "city_stability",
            code,
            "decisive_share",
            float(table.at[code, "decisive_share"]),
            None,
            None,
        )
        for code in table.index
    ]
    return rows


def _stability(spec: RobustnessSpec, frame: pd.DataFrame, simulated: bool) -> CityStability:
    ids = set(frame["city_id"].astype(str))
    if spec.city not in ids:
        raise ScenarioError(
            f"city: {spec.city!r} is not among the assessments selected ({spec.round})"
        )
    met, outcome = met_criteria(frame, spec.city)
    opts = spec.sensitivity
    return city_stability(
        met,
        spec.inputs,
        spec.standard,
        outcome_met=outcome,
        label=f"city {spec.city}",
        samples=spec.samples,
        seed=spec.seed,
        method=spec.method,
        simulated=simulated,
        sensitivity_samples=opts.samples if opts else None,
        bootstrap=opts.bootstrap if opts else 0,
        criteria=opts.criteria if opts else "area",
    )


def run_robustness(spec: RobustnessSpec, assessments: pd.DataFrame) -> RobustnessReport:
    """Run ``spec`` over the long assessment frame ``assessments`` (selected by the spec's
    ``round``, scored under its standard): see :class:`RobustnessReport`."""
    frame = select_assessments(assessments, spec.round)
    am = assessment_matrix(frame, spec.standard)
    std, opts = spec.standard, spec.sensitivity
    simulated = bool(am.simulated.any())
    unc = uncertainty(am, spec.inputs, samples=spec.samples, seed=spec.seed, method=spec.method)
    sens = None
    if opts is not None:
        sens = sensitivity(
            am,
            spec.inputs,
            samples=opts.samples,
            seed=spec.seed,
            method=spec.method,
            criteria=opts.criteria,
            bootstrap=opts.bootstrap,
            confidence=opts.confidence,
        )
    return RobustnessReport(
        spec=spec,
        cities=int(frame["city_id"].nunique()),
        assessments=len(am.matrix),
        uncertainty=unc,
        sensitivity=sens,
        leave_one_out=leave_one_out(am, std) if spec.leave_one_out else None,
        add_one=add_one(am, std) if spec.add_one else None,
        city=_stability(spec, frame, simulated) if spec.city is not None else None,
        simulated=simulated,
    )
