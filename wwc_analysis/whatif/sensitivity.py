"""Variance-based sensitivity of the tiers to the declared uncertain inputs: first-order and
total-effect Sobol' indices with bootstrap confidence intervals.

Which uncertain rule input drives the tier counts most? With ``A`` and ``B`` two independent
``N x D`` samples of the unit cube (the first and last ``D`` columns of one ``2D``-dimensional
Sobol' sample) and ``A_B(i)`` the matrix ``A`` with the columns of input group ``i`` taken from
``B``, the runs ``f(A)``, ``f(B)`` and ``f(A_B(i))`` (``N (d + 2)`` runs for ``d`` groups) give

- ``V = Var[f(A), f(B)]``;
- the first-order index ``S_i = mean(f(B) (f(A_B(i)) - f(A))) / V`` (Saltelli et al. 2010,
  *Computer Physics Communications* 181, 259-270), with ``f`` centred on the mean of ``f(A)`` and
  ``f(B)`` (the same expectation, since ``f(A_B(i)) - f(A)`` has mean zero, and far less noise when
  the output is a large count): the share of the variance that input ``i`` alone explains;
- the total-effect index ``ST_i = mean((f(A) - f(A_B(i)))^2) / (2 V)`` (Jansen 1999): its share
  with all its interactions.

In theory ``S_i <= ST_i`` and the ``S_i`` sum to at most 1 (exactly 1 without interactions); the
estimates obey this up to Monte Carlo error, which the bootstrap intervals (the ``N`` rows resampled
with replacement, percentile intervals) show. The inputs are independent and may be discrete (a
whole-percent cut-off, a gate on or off): the variance decomposition holds all the same.

The output is the number of cities at each tier (four outputs), or, with ``output="tier"``, the
mean tier code of the population (for one city, its tier: 0 Not certified to 3 Platinum);
``per_city=True`` adds each city's indices for its own tier code (no intervals). Criteria kept in
the standard are grouped (``criteria``): ``"area"`` one input per practice area (the default),
``"each"`` one per criterion, ``"all"`` one for all of them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS
from wwc_analysis.rules.standards import Standard
from wwc_analysis.whatif.scenarios import as_population
from wwc_analysis.whatif.tier_engine import TierEngine
from wwc_analysis.whatif.uncertain_inputs import UncertainInputs, decode, sample_unit

__all__ = [
    "GROUPINGS",
    "OUTPUTS",
    "InputGroup",
    "SensitivityResult",
    "input_groups",
    "jansen",
    "saltelli_points",
    "sensitivity",
]

#: How the criteria kept in the standard are grouped into inputs.
GROUPINGS = ("area", "each", "all")
#: What the indices are of: the tier counts, or the mean tier code (one city: its tier).
OUTPUTS = ("counts", "tier")
#: Bootstrap replicates computed at once (memory: replicates x runs x outputs).
_BOOT_BATCH = 16


@dataclass(frozen=True)
class InputGroup:
    """One input of the sensitivity analysis: a machine ``key``, a ``label`` for readers and the
    columns of the unit cube it draws."""

    key: str
    label: str
    columns: tuple[int, ...]


def input_groups(inputs: UncertainInputs, standard: Standard, criteria: str = "area"):
    """The inputs of the analysis, in the order of ``inputs.dimensions``: each cut-off, each core
    gate and the outcome requirement on their own; the criteria kept grouped by ``criteria``."""
    if criteria not in GROUPINGS:
        raise ValueError(f"criteria grouping {criteria!r} is not one of {', '.join(GROUPINGS)}")
    area_of = dict(zip(standard.criteria, standard.practice_areas))
    groups: list[InputGroup] = []
    pooled: dict[str, list] = {}
    for j, dim in enumerate(inputs.dimensions(standard)):
        if dim.kind != "criterion" or criteria == "each":
            groups.append(InputGroup(dim.key, dim.label, (j,)))
        elif criteria == "area":
            area = area_of[dim.name]
            pooled.setdefault(f"criteria.{area}", [f"{area} criteria kept", []])[1].append(j)
        else:
            pooled.setdefault("criteria", ["criteria kept", []])[1].append(j)
    groups += [InputGroup(key, label, tuple(cols)) for key, (label, cols) in pooled.items()]
    return tuple(groups)


def saltelli_points(n: int, dims: int, groups, seed: int | None, method: str) -> np.ndarray:
    """The unit points of the ``N (d + 2)`` runs, in blocks of ``N``: ``A``, ``B``, then
    ``A_B(i)`` for each group ``i`` (``A`` and ``B`` from one sample of ``2 * dims`` dimensions)."""
    both = sample_unit(n, 2 * dims, seed, method)
    a, b = both[:, :dims], both[:, dims:]
    blocks = [a, b]
    for g in groups:
        ab = a.copy()
        ab[:, list(g.columns)] = b[:, list(g.columns)]
        blocks.append(ab)
    return np.concatenate(blocks, axis=0)


def jansen(f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(first, total, variance)`` from the runs ``f`` of shape ``(d + 2, ..., N)``: ``f[0]`` =
    ``f(A)``, ``f[1]`` = ``f(B)``, ``f[2 + i]`` = ``f(A_B(i))``; the sample axis last. Indices of an
    output that does not vary are NaN."""
    f = np.asarray(f, dtype=np.float64)
    both = np.concatenate([f[0], f[1]], axis=-1)
    f = f - both.mean(axis=-1, keepdims=True)  # centred: same expectation, far less noise
    fa, fb, fab = f[0], f[1], f[2:]
    variance = np.var(both, axis=-1, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.mean(fb * (fab - fa), axis=-1) / variance
        total = 0.5 * np.mean((fa - fab) ** 2, axis=-1) / variance
    flat = variance == 0
    first[..., flat] = np.nan
    total[..., flat] = np.nan
    return first, total, variance


def _bootstrap(f: np.ndarray, reps: int, confidence: float, seed) -> tuple[np.ndarray, ...]:
    """Percentile intervals ``(first_low, first_high, total_low, total_high)`` of the indices, from
    ``reps`` resamples (with replacement) of the ``N`` rows shared by all blocks of ``f``; NaN
    without resamples or where an output does not vary."""
    shape = (f.shape[0] - 2, *f.shape[1:-1])
    if reps < 1:
        return tuple(np.full(shape, np.nan) for _ in range(4))
    n = f.shape[-1]
    rng = np.random.default_rng(seed)
    firsts, totals = [], []
    for start in range(0, reps, _BOOT_BATCH):
        idx = rng.integers(0, n, size=(min(_BOOT_BATCH, reps - start), n))
        resampled = np.moveaxis(f[..., idx], -2, 1)  # (d + 2, batch, ..., N)
        first, total, _ = jansen(resampled)
        firsts.append(first)
        totals.append(total)
    q = [(1 - confidence) / 2, (1 + confidence) / 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an output that never varies: all NaN
        fq = np.nanquantile(np.concatenate(firsts, axis=1), q, axis=1)
        tq = np.nanquantile(np.concatenate(totals, axis=1), q, axis=1)
    return fq[0], fq[1], tq[0], tq[1]


@dataclass(frozen=True)
class SensitivityResult:
    """First-order and total-effect indices of each input group (``first``, ``total``: groups x
    outputs) with their bootstrap intervals (``*_low``, ``*_high``), the variance and mean of each
    output, and optionally each city's indices for its own tier (``city_first``, ``city_total``:
    cities x groups)."""

    standard: Standard
    inputs: UncertainInputs
    groups: tuple[InputGroup, ...]
    outputs: tuple[str, ...]
    first: np.ndarray
    total: np.ndarray
    first_low: np.ndarray
    first_high: np.ndarray
    total_low: np.ndarray
    total_high: np.ndarray
    variance: np.ndarray
    mean: np.ndarray
    base_samples: int
    bootstrap: int
    confidence: float
    method: str
    seed: int | None
    simulated: bool
    city_first: np.ndarray | None = None
    city_total: np.ndarray | None = None
    index: pd.Index | None = None

    @property
    def runs(self) -> int:
        return self.base_samples * (len(self.groups) + 2)

    def frame(self) -> pd.DataFrame:
        """One row per (output, input): ``first_order``, ``first_low``, ``first_high``,
        ``total_effect``, ``total_low``, ``total_high``; inputs in declared order."""
        d, k = self.first.shape
        frame = pd.DataFrame(
            {
                "output": np.tile(self.outputs, d),
                "input": np.repeat([g.key for g in self.groups], k),
                "label": np.repeat([g.label for g in self.groups], k),
                "first_order": self.first.ravel(),
                "first_low": self.first_low.ravel(),
                "first_high": self.first_high.ravel(),
                "total_effect": self.total.ravel(),
                "total_low": self.total_low.ravel(),
                "total_high": self.total_high.ravel(),
            }
        )
        frame.attrs.update(simulated=self.simulated, confidence=self.confidence)
        return frame

    def ranking(self, output: str) -> pd.DataFrame:
        """The inputs of one ``output`` ranked by total effect (largest first)."""
        frame = self.frame()
        part = frame[frame["output"] == output]
        if part.empty:
            raise KeyError(f"no output {output!r}; outputs: {', '.join(self.outputs)}")
        return part.sort_values("total_effect", ascending=False, kind="stable")

    def city_frame(self) -> pd.DataFrame | None:
        """Each city's first-order and total-effect index per input for its own tier (columns
        ``first <key>`` and ``total <key>``), or ``None`` when not computed."""
        if self.city_first is None:
            return None
        keys = [g.key for g in self.groups]
        index = self.index if self.index is not None else pd.RangeIndex(len(self.city_first))
        frame = pd.concat(
            [
                pd.DataFrame(self.city_first, index=index, columns=[f"first {k}" for k in keys]),
                pd.DataFrame(self.city_total, index=index, columns=[f"total {k}" for k in keys]),
            ],
            axis=1,
        )
        frame.attrs["simulated"] = self.simulated
        return frame


def _per_city(engine: TierEngine, design, d: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each city's indices for its own tier code, block by block (no intervals)."""
    first = np.zeros((len(engine.rows), d))
    total = np.zeros((len(engine.rows), d))
    for rows, counts, needed in engine.blocks(design):
        tier = sum((counts >= needed[j]).astype(np.int8) for j in range(3))
        f = np.moveaxis(tier.reshape(len(tier), d + 2, n), 0, 1)  # (d + 2, rows, N)
        block_first, block_total, _ = jansen(f)  # (d, rows)
        first[rows], total[rows] = block_first.T, block_total.T
    return first[engine.inverse], total[engine.inverse]


def _outputs(per_run: np.ndarray, cities: int, output: str) -> tuple[np.ndarray, tuple]:
    """The outputs of each run from the cities at least at each tier (runs x 3)."""
    if output == "tier":
        return per_run.sum(axis=1, keepdims=True) / max(cities, 1), ("tier",)
    at_least = np.concatenate([np.full((len(per_run), 1), cities), per_run], axis=1)
    counts = at_least - np.concatenate([per_run, np.zeros((len(per_run), 1))], axis=1)
    return counts, SCORE_TIERS


def sensitivity(
    population,
    inputs: UncertainInputs,
    standard: Standard | None = None,
    *,
    samples: int = 1024,
    seed: int | None = 2022,
    method: str = "sobol",
    criteria: str = "area",
    bootstrap: int = 200,
    confidence: float = 0.95,
    output: str = "counts",
    per_city: bool = False,
) -> SensitivityResult:
    """First-order and total-effect indices of each input group of ``inputs`` (see the module
    docstring) on the tiers of ``population`` (anything :func:`~wwc_analysis.whatif.apply` takes;
    ``standard`` its standard), from ``samples`` base samples (``samples * (groups + 2)`` runs),
    with ``bootstrap`` resamples for intervals at ``confidence``."""
    if output not in OUTPUTS:
        raise ValueError(f"output {output!r} is not one of {', '.join(OUTPUTS)}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    pop = as_population(population, standard)
    std = pop.standard
    inputs.check(std)
    groups = input_groups(inputs, std, criteria)
    dims = len(inputs.dimensions(std))
    design = decode(saltelli_points(samples, dims, groups, seed, method), inputs, std)
    engine = TierEngine(pop.matrix, pop.outcome, std, inputs.varying(std))
    _, per_run = engine.at_least(design)
    values, names = _outputs(per_run, len(pop.matrix), output)
    f = np.moveaxis(values.reshape(len(groups) + 2, samples, -1), 1, 2)  # (d + 2, outputs, N)
    first, total, variance = jansen(f)
    low_high = _bootstrap(f, int(bootstrap), confidence, None if seed is None else seed + 1)
    cities = _per_city(engine, design, len(groups), samples) if per_city else (None, None)
    return SensitivityResult(
        std, inputs, groups, tuple(names), first, total, *low_high, variance,
        f[:2].mean(axis=(0, 2)), samples, int(bootstrap), confidence, method, seed,
        pop.any_simulated, cities[0], cities[1], pop.index,
    )  # fmt: skip
