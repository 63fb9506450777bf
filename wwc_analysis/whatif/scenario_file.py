"""Files the what-if engine reads: scenario files (YAML or JSON) and one city's self-assessment.

:func:`parse_scenario` builds a :class:`ScenarioFile` from a mapping (the schema of
``docs/whatif-cookbook.md``), resolving standard names with the
:class:`~wwc_analysis.data.dataset.Dataset` it is given; :func:`load_scenario_file` reads the file
first. :func:`city_from_file` reads the one city of a self-assessment file, validated against that
Dataset's rounds and criteria.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from wwc_analysis.data.dataset import Dataset, load_assessments
from wwc_analysis.data.structured import ReadLimits, StructuredFileError, read_structured
from wwc_analysis.rules.standards import Standard, get_standard
from wwc_analysis.whatif.paths import effort_weights, met_criteria
from wwc_analysis.whatif.scenarios import (
    Change,
    MarkMet,
    MarkUnmet,
    OutcomeMet,
    Scenario,
    ScenarioError,
    SetGates,
    SetThresholds,
    UseStandard,
    check_criteria,
)

__all__ = [
    "CITY_KEYS",
    "DEFAULT_STANDARD",
    "SCENARIO_KEYS",
    "THRESHOLD_KEYS",
    "ScenarioFile",
    "SelfAssessment",
    "city_from_file",
    "load_scenario_file",
    "parse_scenario",
]

SCENARIO_KEYS = (
    "name",
    "standard",
    "round",
    "use_standard",
    "keep_gates",
    "thresholds",
    "core_gate",
    "outcome_gate",
    "mark_met",
    "mark_unmet",
    "cities",
    "outcome_met",
    "city",
)
CITY_KEYS = ("met", "outcome_met", "weights", "default_weight")
THRESHOLD_KEYS = ("silver", "gold", "platinum")
#: The standard a scenario file's assessments are scored under when its ``standard`` key is absent.
DEFAULT_STANDARD = "2022"


@dataclass(frozen=True)
class ScenarioFile:
    """A parsed scenario file: the scenario, the population's standard, optional round and single
    city (its met criteria, outcome flag and effort weights)."""

    scenario: Scenario
    standard: Standard
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
        raise ScenarioError(
            f"unknown key {', '.join(hints)} in {where}; allowed keys: {', '.join(allowed)}"
        )


def _bool(v, key: str) -> bool:
    if isinstance(v, bool):
        return v
    raise ScenarioError(f"{key}: expected true or false, got {v!r}")


def _code_list(v, key: str, empty: bool = False) -> list[str]:
    """A list of codes (or one string of codes separated by spaces or commas); none at all only
    when ``empty``."""
    codes = v.replace(",", " ").split() if isinstance(v, str) else v
    if (
        not isinstance(codes, list)
        or not all(isinstance(c, str) for c in codes)
        or not (codes or empty)
    ):
        raise ScenarioError(f"{key}: expected a list of criterion codes, got {v!r}")
    return codes


def _text(v, key: str) -> str:
    """A text value (a name): a number or a mapping is refused, naming ``key``."""
    if isinstance(v, str):
        return v
    hint = " (quote a name that looks like a number)" if isinstance(v, (int, float)) else ""
    raise ScenarioError(f"{key}: expected text{hint}, got {v!r}")


def _weight(v, key: str) -> float:
    """An effort weight: a finite number >= 0."""
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
    if not ok:
        raise ScenarioError(f"{key}: expected a finite number >= 0, got {v!r}")
    return float(v)


def _require_dataset(data, what: str) -> Dataset:
    if isinstance(data, Dataset):
        return data
    raise TypeError(
        f"{what}: give the Dataset (load(data_dir)) whose standards and rounds apply, not {data!r}"
    )


def _standard(name, data: Dataset, key: str) -> Standard:
    """The standard called ``name`` in ``data`` (text, or a whole number such as 2022 unquoted);
    another kind of value or an unknown name: a ScenarioError naming ``key``."""
    if isinstance(name, bool) or not isinstance(name, (str, int)):
        raise ScenarioError(f"{key}: expected a standard's name like 2022, got {name!r}")
    try:
        return get_standard(str(name), data)
    except KeyError as exc:
        raise ScenarioError(f"{key}: {exc.args[0]}") from None


def _rule_changes(spec: Mapping[str, Any], data: Dataset) -> list[Change]:
    """The changes to the standard: ``use_standard``, ``thresholds``, then the gates."""
    changes: list[Change] = []
    if "use_standard" in spec:
        other = _standard(spec["use_standard"], data, "use_standard")
        keep = _bool(spec.get("keep_gates", False), "keep_gates")
        changes.append(UseStandard(other, keep_gates=keep))
    elif "keep_gates" in spec:
        raise ScenarioError("keep_gates only applies together with use_standard")
    if "thresholds" in spec:
        th = spec["thresholds"]
        if not isinstance(th, Mapping):
            raise ScenarioError(f"thresholds: expected a mapping like {{gold: 70}}, got {th!r}")
        _unknown_keys(th, THRESHOLD_KEYS, "thresholds")
        changes.append(SetThresholds(**{k: th[k] for k in THRESHOLD_KEYS if k in th}))
    core = _bool(spec["core_gate"], "core_gate") if "core_gate" in spec else None
    outcome = _bool(spec["outcome_gate"], "outcome_gate") if "outcome_gate" in spec else None
    if core is not None or outcome is not None:
        changes.append(SetGates(core=core, outcome=outcome))
    return changes


def _cities(spec: Mapping[str, Any]) -> list[str] | None:
    cities = spec.get("cities")
    if cities is None:
        return None
    if "city" in spec:
        raise ScenarioError(
            "'cities' cannot be combined with 'city' (a single-city what-if applies to that city)"
        )
    if not isinstance(cities, list) or not cities:
        raise ScenarioError(f"cities: expected a non-empty list of city ids, got {cities!r}")
    for city in cities:
        if isinstance(city, bool) or not isinstance(city, (str, int)):
            raise ScenarioError(f"cities: expected city ids, got {city!r}")
    if not any(k in spec for k in ("mark_met", "mark_unmet", "outcome_met")):
        raise ScenarioError(
            "cities: only restricts mark_met, mark_unmet and outcome_met, and none is given"
        )
    return [str(c) for c in cities]


def _assessment_changes(spec: Mapping[str, Any], cities: list[str] | None) -> list[Change]:
    """The changes to the assessments: ``mark_met``, ``mark_unmet``, then ``outcome_met``."""
    changes: list[Change] = []
    if "mark_met" in spec:
        changes.append(MarkMet(_code_list(spec["mark_met"], "mark_met"), cities=cities))
    if "mark_unmet" in spec:
        changes.append(MarkUnmet(_code_list(spec["mark_unmet"], "mark_unmet"), cities=cities))
    if "outcome_met" in spec:
        changes.append(OutcomeMet(cities=cities, met=_bool(spec["outcome_met"], "outcome_met")))
    return changes


def _city(city, cities: list[str] | None) -> dict[str, Any]:
    """The ``city`` section as :class:`ScenarioFile` fields (all defaults without one)."""
    if city is None:
        return {}
    if not isinstance(city, Mapping):
        raise ScenarioError(
            f"city: expected a mapping like {{met: [DM1, LC1], outcome_met: true}}, got {city!r}"
        )
    _unknown_keys(city, CITY_KEYS, "city")
    if cities is not None:
        raise ScenarioError(
            "'cities' cannot be combined with 'city' (a single-city what-if applies to that city)"
        )
    out: dict[str, Any] = {
        "city_met": tuple(_code_list(city.get("met", []), "city.met", empty=True)),
        "city_outcome_met": _bool(city.get("outcome_met", True), "city.outcome_met"),
    }
    if "weights" in city:
        w = city["weights"]
        if not isinstance(w, Mapping):
            raise ScenarioError(
                f"city.weights: expected a mapping of criterion codes to numbers, got {w!r}"
            )
        out["weights"] = {str(k): _weight(v, f"city.weights.{k}") for k, v in w.items()}
    if "default_weight" in city:
        if "weights" not in city:
            raise ScenarioError(
                "city.default_weight only applies together with city.weights (the effort of the "
                "criteria they leave out)"
            )
        out["default_weight"] = _weight(city["default_weight"], "city.default_weight")
    return out


def parse_scenario(
    spec: Mapping[str, Any], data: Dataset, *, validate: bool = True
) -> ScenarioFile:
    """Build a :class:`ScenarioFile` from a mapping (the YAML/JSON schema of
    ``docs/whatif-cookbook.md``); the names of ``standard`` (default :data:`DEFAULT_STANDARD`) and
    ``use_standard`` are standards of ``data``.

    Changes are applied in this order: ``use_standard``, ``thresholds``, ``core_gate``/
    ``outcome_gate``, ``mark_met``, ``mark_unmet``, ``outcome_met``. With ``validate`` the criterion
    codes and thresholds are checked against the standard now, so errors name the culprit before any
    assessment is scored.
    """
    _require_dataset(data, "parse_scenario")
    if not isinstance(spec, Mapping):
        raise ScenarioError(
            f"a scenario file must hold a mapping of keys, got {type(spec).__name__}"
        )
    _unknown_keys(spec, SCENARIO_KEYS, "the scenario file")
    changes = _rule_changes(spec, data)
    cities = _cities(spec)
    changes += _assessment_changes(spec, cities)
    city = _city(spec.get("city"), cities)
    standard = _standard(spec.get("standard", DEFAULT_STANDARD), data, "standard")
    rnd = spec.get("round")
    if rnd is not None and not isinstance(rnd, str):
        raise ScenarioError(f'round: expected a round id like "2025-02" (quoted), got {rnd!r}')
    sf = ScenarioFile(
        scenario=Scenario(changes, name=_text(spec.get("name", ""), "name")),
        standard=standard,
        round=rnd,
        **city,
    )
    if validate:
        sf.scenario.standard_for(standard)
        if sf.city_met is not None:
            check_criteria(sf.city_met, standard, "city.met")
            effort_weights(sf.weights, standard, sf.default_weight)
    return sf


def load_scenario_file(
    path: str | Path,
    data: Dataset,
    *,
    validate: bool = True,
    limits: ReadLimits | None = None,
) -> ScenarioFile:
    """Read a YAML or JSON (``.json``) scenario file as data, within ``limits`` (size, nesting,
    entries, aliases; duplicate keys refused: see
    :func:`~wwc_analysis.data.structured.read_structured`), and parse it (:func:`parse_scenario`,
    standards from ``data``). Every error is a :class:`ScenarioError` naming the file (and the
    line, when there is one)."""
    p = Path(path)
    try:
        spec = read_structured(p, limits, what="scenario file")
    except StructuredFileError as exc:
        raise ScenarioError(str(exc)) from None
    if spec is None:
        raise ScenarioError(f"scenario file {p} is empty")
    return parse_scenario(spec, data, validate=validate)


class SelfAssessment(NamedTuple):
    """The one city of a self-assessment file (see :func:`city_from_file`)."""

    met: tuple[str, ...]
    outcome_met: bool
    city_id: str
    round_id: str


#: How many city ids an error message lists before saying "and N more".
_SHOWN_IDS = 10


def city_from_file(path: str | Path, data: Dataset) -> SelfAssessment:
    """The criteria met, the outcome flag, the city id and the round id of the one city in a
    self-assessment file (long format ``city_id, round_id, criterion, met, outcome_met``, ``.csv``
    or ``.xlsx``, validated by :func:`~wwc_analysis.data.dataset.load_assessments` against the
    rounds and criteria of ``data``'s directory). When the city was assessed in several rounds, its
    latest round is used.

    A file with more than one city is refused with a :class:`ScenarioError` naming the file and the
    cities in it; a file that fails validation (including one without a data row) raises the
    loader's :class:`~wwc_analysis.errors.DataValidationError`. Returns a :class:`SelfAssessment`,
    which unpacks as ``met, outcome_met, city_id, round_id``.
    """
    own = load_assessments(path, _require_dataset(data, "city_from_file").data_dir)
    ids = list(dict.fromkeys(own["city_id"].astype(str)))
    if len(ids) > 1:  # (a file without a data row is already refused by load_assessments)
        more = f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else ""
        shown = ", ".join(ids[:_SHOWN_IDS]) + more
        raise ScenarioError(
            f"{path} holds {len(ids)} cities ({shown}); a self-assessment file "
            "holds one city: keep the rows of one city_id"
        )
    round_id = max(own["round_id"].astype(str))  # round ids are YYYY-MM: the latest sorts last
    codes, outcome = met_criteria(own, ids[0], round_id)
    return SelfAssessment(codes, outcome, ids[0], round_id)
