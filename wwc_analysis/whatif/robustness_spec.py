"""Robustness spec files (YAML or JSON): the uncertain inputs of ``wwc robustness`` and what to run.

:func:`parse_robustness_spec` builds a :class:`RobustnessSpec` from a mapping (the schema is in
``docs/whatif-cookbook.md``), resolving the standard's name in the
:class:`~wwc_analysis.data.dataset.Dataset` it is given; :func:`load_robustness_spec` reads the file
first. Every problem of a spec is reported at once, one line each, naming
the key (``uncertain.thresholds.gold``) and, for a misspelt key or criterion, the closest valid one
("did you mean"), as ``wwc whatif --file`` does: :class:`RobustnessSpecError` carries the lines.

The file is read as scenario files are, by the bounded reader
:func:`~wwc_analysis.data.structured.read_structured` (within :class:`ReadLimits`: size, nesting,
entries, values; duplicate keys and control characters refused), with YAML aliases refused too: a
spec has no use for them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wwc_analysis.data.dataset import Dataset
from wwc_analysis.data.structured import ReadLimits, StructuredFileError, read_structured
from wwc_analysis.rules.standards import TIERS, Standard, get_standard
from wwc_analysis.whatif.scenario_file import DEFAULT_STANDARD
from wwc_analysis.whatif.scenarios import ScenarioError
from wwc_analysis.whatif.sensitivity import GROUPINGS, input_groups
from wwc_analysis.whatif.uncertain_inputs import METHODS, UncertainInputs, probability_problem

__all__ = [
    "SENSITIVITY_KEYS",
    "SPEC_KEYS",
    "UNCERTAIN_KEYS",
    "RobustnessSpec",
    "RobustnessSpecError",
    "SensitivityOptions",
    "load_robustness_spec",
    "parse_robustness_spec",
]

SPEC_KEYS = (
    "name",
    "standard",
    "round",
    "samples",
    "seed",
    "method",
    "uncertain",
    "sensitivity",
    "leave_one_out",
    "add_one",
    "city",
    "top",
)
UNCERTAIN_KEYS = ("thresholds", "core", "outcome", "criteria")
SENSITIVITY_KEYS = ("samples", "bootstrap", "confidence", "criteria")
#: The most runs a spec may ask for, in each analysis (bounds the memory: the points of the unit
#: cube are runs x inputs floats, about 100 MiB at this size with every criterion uncertain).
MAX_RUNS = 1 << 18
MAX_SAMPLES = MAX_RUNS
MAX_SENSITIVITY_SAMPLES = 1 << 14
MAX_BOOTSTRAP = 10_000
_ROUND = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class RobustnessSpecError(ScenarioError):
    """A spec that cannot be used; ``problems`` holds one line per problem (also the message)."""

    def __init__(self, problems):
        self.problems = [str(p) for p in problems]
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class SensitivityOptions:
    """The sensitivity analysis: ``samples`` base samples, ``bootstrap`` resamples for intervals
    at ``confidence``, the criteria kept grouped by ``criteria`` (area, each or all)."""

    samples: int = 1024
    bootstrap: int = 200
    confidence: float = 0.95
    criteria: str = "area"


@dataclass(frozen=True)
class RobustnessSpec:
    """A parsed robustness spec: the standard, the uncertain inputs, how many runs, and which
    analyses to run (``sensitivity`` None: not run). ``round``: ``"latest"`` (each city's latest
    assessment), ``"all"`` (every assessment) or a round id. ``city``: a city id for the per-city
    stability. ``top``: rows listed in the text output."""

    standard: Standard
    inputs: UncertainInputs
    name: str = ""
    samples: int = 4096
    seed: int = 2022
    method: str = "sobol"
    round: str = "latest"
    sensitivity: SensitivityOptions | None = SensitivityOptions()
    leave_one_out: bool = True
    add_one: bool = True
    city: str | None = None
    top: int = 10


# --- parsing -------------------------------------------------------------------------------------


def _unknown_keys(d: Mapping, allowed, where: str) -> list[str]:
    out = []
    for k in d:
        if k in allowed:
            continue
        close = difflib.get_close_matches(str(k), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        out.append(f"{where}: unknown key {k!r}{hint}; allowed keys: {', '.join(allowed)}")
    return out


def _whole(v, where: str, low: int, high: int, problems: list[str]) -> int | None:
    if isinstance(v, bool) or not isinstance(v, int):
        problems.append(f"{where}: expected a whole number, got {v!r}")
        return None
    if not low <= v <= high:
        problems.append(f"{where}: {v} is outside {low:,}-{high:,}")
        return None
    return v


def _flag(spec: Mapping, key: str, default: bool, problems: list[str]) -> bool:
    v = spec.get(key, default)
    if not isinstance(v, bool):
        problems.append(f"{key}: expected true or false, got {v!r}")
        return default
    return v


def _threshold_bounds(v, tier: str, std: Standard, problems: list[str]):
    """``(low, high)`` of one cut-off: ``k`` (± k points, within 0-100) or ``[low, high]``."""
    where = f"uncertain.thresholds.{tier.lower()}"
    if isinstance(v, list):
        return tuple(v)  # checked by UncertainInputs.problems
    k = _whole(v, where, 1, 100, problems)
    if k is None:
        return None
    now = std.threshold_map[tier]
    return max(0, now - k), min(100, now + k)


def _thresholds(v, std: Standard, problems: list[str]) -> dict:
    if isinstance(v, (list, tuple)):
        problems.append(
            "uncertain.thresholds: expected a number of points (3) or a mapping like "
            f"{{gold: 3, silver: [49, 53]}}, got {v!r}"
        )
        return {}
    if not isinstance(v, Mapping):  # one number for every cut-off: checked once
        k = _whole(v, "uncertain.thresholds", 1, 100, problems)
        v = {} if k is None else dict.fromkeys((t.lower() for t in TIERS), k)
    problems += _unknown_keys(v, tuple(t.lower() for t in TIERS), "uncertain.thresholds")
    out = {}
    for tier in TIERS:
        if tier.lower() in v:
            bounds = _threshold_bounds(v[tier.lower()], tier, std, problems)
            if bounds is not None:
                out[tier] = bounds
    return out


def _per_code(v, codes, where: str, problems: list[str]) -> dict:
    """A mapping of codes to probabilities, or one probability (``true``: 50 %) for each of
    ``codes``; one problem line for a bad single value."""
    if isinstance(v, Mapping):
        return {str(k): p for k, p in v.items()}
    if v is True:
        v = 0.5
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        problems.append(
            f"{where}: expected a probability or a mapping of criteria to probabilities, got {v!r}"
        )
        return {}
    if problem := probability_problem(where, v):
        problems.append(problem)
        return {}
    return dict.fromkeys(codes, v)


def _inputs(v, std: Standard, problems: list[str]) -> UncertainInputs | None:
    if not isinstance(v, Mapping):
        problems.append(
            f"uncertain: expected a mapping like {{thresholds: 3, outcome: 0.5}}, got {v!r}"
        )
        return None
    before = len(problems)
    problems += _unknown_keys(v, UNCERTAIN_KEYS, "uncertain")
    outcome = v.get("outcome")
    inputs = UncertainInputs(
        thresholds=_thresholds(v["thresholds"], std, problems) if "thresholds" in v else {},
        core=_per_code(v["core"], std.core, "uncertain.core", problems) if "core" in v else {},
        outcome=0.5 if outcome is True else outcome,
        criteria=(
            _per_code(v["criteria"], std.criteria, "uncertain.criteria", problems)
            if "criteria" in v
            else {}
        ),
    )
    found = inputs.problems(std)
    if len(problems) > before:  # nothing left to declare because of those problems: no more noise
        found = [p for p in found if not p.endswith("declare at least one uncertain input")]
    problems += found
    return inputs


def _sensitivity(v, method: str, problems: list[str]) -> SensitivityOptions | None:
    if v is False:
        return None
    if v is True:
        return SensitivityOptions()
    if not isinstance(v, Mapping):
        problems.append(f"sensitivity: expected true, false or a mapping, got {v!r}")
        return None
    problems += _unknown_keys(v, SENSITIVITY_KEYS, "sensitivity")
    d = SensitivityOptions()
    n = _whole(
        v.get("samples", d.samples), "sensitivity.samples", 2, MAX_SENSITIVITY_SAMPLES, problems
    )
    if n is not None and method == "sobol" and n & (n - 1):
        problems.append(f"sensitivity.samples: {_not_power_of_two(n)}")
    boot = _whole(
        v.get("bootstrap", d.bootstrap), "sensitivity.bootstrap", 0, MAX_BOOTSTRAP, problems
    )
    conf = v.get("confidence", d.confidence)
    if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0 < conf < 1:
        problems.append(f"sensitivity.confidence: expected a number between 0 and 1, got {conf!r}")
        conf = d.confidence
    crit = v.get("criteria", d.criteria)
    if crit not in GROUPINGS:
        close = difflib.get_close_matches(str(crit), GROUPINGS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(
            f"sensitivity.criteria: {crit!r} is not one of {', '.join(GROUPINGS)}{hint}"
        )
    return SensitivityOptions(
        n or d.samples, d.bootstrap if boot is None else boot, float(conf), crit
    )


def _samples(spec: Mapping, method: str, problems: list[str]) -> int:
    n = _whole(spec.get("samples", 4096), "samples", 1, MAX_SAMPLES, problems)
    if n is not None and method == "sobol" and n & (n - 1):
        problems.append(f"samples: {_not_power_of_two(n)}")
    return n or 4096


def _not_power_of_two(n: int) -> str:
    low = 1 << (n.bit_length() - 1)
    return (
        f"{n} is not a power of 2, which Sobol' points need (e.g. {low} or {2 * low}; "
        "or method: random)"
    )


def _method(spec: Mapping, problems: list[str]) -> str:
    method = spec.get("method", "sobol")
    if method not in METHODS:
        close = difflib.get_close_matches(str(method), METHODS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"method: {method!r} is not one of {', '.join(METHODS)}{hint}")
        return "sobol"
    return method


def _round(spec: Mapping, problems: list[str]) -> str:
    rnd = spec.get("round", "latest")
    if not isinstance(rnd, str) or not (rnd in ("latest", "all") or _ROUND.fullmatch(rnd)):
        problems.append(
            f'round: expected latest, all or a round id like "2025-02" (quoted), got {rnd!r}'
        )
        return "latest"
    return rnd


def _standard(spec: Mapping, data: Dataset, problems: list[str]) -> Standard | None:
    name = spec.get("standard", DEFAULT_STANDARD)
    if isinstance(name, bool) or not isinstance(name, (str, int)):
        problems.append(f"standard: expected a standard's name like 2022, got {name!r}")
        return None
    try:
        return get_standard(str(name), data)
    except KeyError as exc:
        problems.append(f"standard: {exc.args[0]}")
        return None


def _scalars(spec: Mapping, problems: list[str]) -> dict[str, Any]:
    """The keys that need no standard: name, seed, city, top, the flags."""
    out: dict[str, Any] = {}
    name = spec.get("name", "")
    if not isinstance(name, str):
        hint = " (quote a name that looks like a number)" if isinstance(name, (int, float)) else ""
        problems.append(f"name: expected text{hint}, got {name!r}")
    out["name"] = str(name)
    out["seed"] = _whole(spec.get("seed", 2022), "seed", 0, 2**63 - 1, problems) or 0
    city = spec.get("city")
    if city is not None and (isinstance(city, bool) or not isinstance(city, (str, int))):
        problems.append(f"city: expected a city id, got {city!r}")
        city = None
    out["city"] = None if city is None else str(city)
    out["top"] = _whole(spec.get("top", 10), "top", 1, 1000, problems) or 10
    out["leave_one_out"] = _flag(spec, "leave_one_out", True, problems)
    out["add_one"] = _flag(spec, "add_one", True, problems)
    return out


def _sensitivity_runs(sens: SensitivityOptions, inputs: UncertainInputs, std) -> list[str]:
    groups = len(input_groups(inputs, std, sens.criteria))
    runs = sens.samples * (groups + 2)
    if runs <= MAX_RUNS:
        return []
    return [
        f"sensitivity.samples: {sens.samples:,} base samples x ({groups} inputs + 2) = {runs:,} "
        f"runs; at most {MAX_RUNS:,} (fewer samples, or criteria: area or all)"
    ]


def parse_robustness_spec(spec: Mapping[str, Any], data: Dataset) -> RobustnessSpec:
    """Build a :class:`RobustnessSpec` from a mapping (the schema of ``docs/whatif-cookbook.md``);
    ``standard`` (default :data:`~wwc_analysis.whatif.scenario_file.DEFAULT_STANDARD`) names a
    standard of ``data``. Raises :class:`RobustnessSpecError` listing every problem."""
    if not isinstance(data, Dataset):
        raise TypeError(f"parse_robustness_spec: give the Dataset (load(data_dir)), not {data!r}")
    if not isinstance(spec, Mapping):
        raise RobustnessSpecError(
            [f"a robustness spec must hold a mapping of keys, got {type(spec).__name__}"]
        )
    problems = _unknown_keys(spec, SPEC_KEYS, "the spec")
    method = _method(spec, problems)
    fields = _scalars(spec, problems)
    samples = _samples(spec, method, problems)
    rnd = _round(spec, problems)
    sens = _sensitivity(spec.get("sensitivity", True), method, problems)
    std = _standard(spec, data, problems)
    inputs = None
    if "uncertain" not in spec:
        if not any("did you mean 'uncertain'" in p for p in problems):
            problems.append("uncertain: missing; declare the uncertain inputs (see the cookbook)")
    elif std is not None:
        inputs = _inputs(spec["uncertain"], std, problems)
    if inputs is not None and sens is not None and not problems:
        problems += _sensitivity_runs(sens, inputs, std)
    if problems:
        raise RobustnessSpecError(problems)
    return RobustnessSpec(
        std, inputs, samples=samples, method=method, round=rnd, sensitivity=sens, **fields
    )


def load_robustness_spec(
    path: str | Path, data: Dataset, *, limits: ReadLimits | None = None
) -> RobustnessSpec:
    """Read a YAML or JSON (``.json``) robustness spec as data, within ``limits`` (see
    :func:`~wwc_analysis.data.structured.read_structured`; aliases refused), and parse it
    (:func:`parse_robustness_spec`). Raises :class:`RobustnessSpecError`: a file that cannot be
    read gives one line naming the file (and the line in it); each problem of its content gives
    one line starting with the file's name."""
    try:
        spec = read_structured(path, limits, what="spec file", aliases=False)
    except StructuredFileError as exc:
        raise RobustnessSpecError([str(exc)]) from None
    if spec is None:
        raise RobustnessSpecError([f"{path}: the spec file is empty"])
    try:
        return parse_robustness_spec(spec, data)
    except RobustnessSpecError as exc:
        raise RobustnessSpecError([f"{Path(path).name}: {p}" for p in exc.problems]) from None
