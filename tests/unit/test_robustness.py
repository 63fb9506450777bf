"""The robustness analysis (issue 12): the engine against rescoring every run from scratch, tier
shares against exact enumeration, Sobol' indices against a brute-force variance decomposition,
leave-one-out and add-one against rescoring each changed standard, and one city's stability; on
the real 2022 rules of the tiny record and fictional (SIMULATED) cities."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wwc_analysis import whatif as wi
from wwc_analysis.rules.scoring import SCORE_TIERS, assessment_matrix, score_matrix
from wwc_analysis.simulate import simulate_assessments, simulate_matrix
from wwc_analysis.whatif import Design, UncertainInputs
from wwc_analysis.whatif.sensitivity import input_groups, jansen
from wwc_analysis.whatif.tier_engine import TierEngine, evaluate, required_counts
from wwc_analysis.whatif.uncertain_inputs import decode, sample_unit


@pytest.fixture(scope="module")
def std(tiny_std2022):
    return tiny_std2022


@pytest.fixture(scope="module")
def cities(std):
    """300 fictional cities; the first 60 lose PA1 (so the core gate on PA1 matters)."""
    m, o = simulate_matrix(300, std, seed=11)
    m = m.copy()
    m[:60, std.criteria.index("PA1")] = False
    return m, o


def brute_tiers(matrix, outcome, design: Design, std) -> np.ndarray:
    """Tier codes of every run, each run's standard built from scratch and scored by the package's
    scoring (cities x runs)."""
    out = np.zeros((len(matrix), len(design)), dtype=np.int8)
    for run in range(len(design)):
        reduced = design.standard_at(run, std)
        out[:, run] = score_matrix(matrix[:, design.kept[run]], reduced, outcome).tier
    return out


WIDE = UncertainInputs(
    thresholds={"silver": (40, 60), "gold": (60, 75), "platinum": (75, 95)},
    core={"DM1": 0.5, "PA1": 0.3},
    outcome=0.6,
    criteria=dict.fromkeys(("DM2", "DM3", "LC1", "PA1", "EVAL1", "EVAL2", "RDC8", "CI3"), 0.7),
)


# --- the engine ----------------------------------------------------------------------------------


def test_required_counts_are_the_integer_rule():
    t = np.arange(101)[:, None, None]
    total = np.arange(1, 61)[None, :, None]
    met = np.arange(61)[None, None, :]
    reach = met >= required_counts(t, total)
    assert np.array_equal(reach, (met * 100 >= t * total) | (met > total))


def test_engine_equals_rescoring_every_run_from_scratch(cities, std):
    m, o = cities
    design = decode(sample_unit(256, len(WIDE.dimensions(std)), 3), WIDE, std)
    assert design.kept.sum(axis=1).min() > 0
    assert np.array_equal(evaluate((m, o), design, std), brute_tiers(m, o, design, std))


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), dup=st.booleans())
def test_engine_equals_rescoring_for_any_design(std, seed, n, dup):
    """Random rules (any cut-offs in order, any gates, any criteria kept) on random cities, with
    many identical rows or none (the engine scores identical rows once)."""
    rng = np.random.default_rng(seed)
    m = rng.random((n, std.criteria_count)) < rng.uniform(0.2, 0.9)
    if dup:
        m = m[rng.integers(0, n, size=3 * n)]
    o = rng.random(len(m)) < 0.8
    runs = 16
    kept = rng.random((runs, std.criteria_count)) < rng.uniform(0.3, 1.0)
    kept[:, rng.integers(0, std.criteria_count)] = True
    design = Design(
        np.sort(rng.integers(0, 101, size=(runs, 3)), axis=1),
        rng.random((runs, len(std.core))) < 0.5,
        rng.random(runs) < 0.5,
        kept,
    )
    assert np.array_equal(evaluate((m, o), design, std), brute_tiers(m, o, design, std))


def test_a_run_keeping_no_criterion_certifies_nobody(cities, std):
    m, o = cities
    design = Design.baseline(std, 2)
    design.kept[1] = False
    tiers = evaluate((m, o), design, std)
    assert np.array_equal(tiers[:, 0], score_matrix(m, std, o).tier) and not tiers[:, 1].any()


def test_identical_rows_are_scored_once(std):
    m, o = simulate_matrix(2000, std, seed=5)
    engine = TierEngine(m, o, std, np.zeros(std.criteria_count, dtype=bool))
    assert engine.weights is not None and len(engine.rows) < 400
    assert engine.weights.sum() == 2000
    full = TierEngine(m, o, std, np.ones(std.criteria_count, dtype=bool))
    assert full.weights is None and len(full.rows) == 2000


def test_distinct_rows_of_any_width():
    """Rows wider than 64 bits are compared as byte strings; narrower ones as one integer."""
    from wwc_analysis.whatif.tier_engine import _unique_rows

    rng = np.random.default_rng(1)
    for width in (5, 60, 130):
        bits = rng.random((400, width)) < 0.5
        bits = bits[rng.integers(0, 400, size=900)]
        count = rng.integers(0, 40, size=(900, 1))
        first, inverse, counts = _unique_rows([bits, count])
        rows = np.concatenate([bits, count], axis=1)
        assert np.array_equal(rows[first][inverse], rows)
        assert len(first) == len(np.unique(rows, axis=0)) and counts.sum() == 900


# --- uncertainty ---------------------------------------------------------------------------------


def _enumerated(inputs: UncertainInputs, std) -> tuple[Design, np.ndarray]:
    """Every combination of the inputs' values and its probability (the exact distribution)."""
    dims = inputs.dimensions(std)
    values = []
    for d in dims:
        if d.kind == "threshold":
            low, high = inputs.thresholds[d.name]
            n = high - low + 1
            values.append([((k + 0.5) / n, 1 / n) for k in range(n)])
        else:
            p = {"core": inputs.core, "criterion": inputs.criteria}.get(d.kind, {}).get(d.name)
            p = inputs.outcome if d.kind == "outcome" else p
            values.append([(p / 2, p), ((1 + p) / 2, 1 - p)])  # u < p: on; u >= p: off
    combos = list(itertools.product(*values))
    unit = np.array([[u for u, _ in c] for c in combos])
    prob = np.array([np.prod([q for _, q in c]) for c in combos])
    return decode(unit, inputs, std), prob


SMALL = UncertainInputs(
    thresholds={"silver": (49, 53), "gold": (66, 69)},
    core={"PA1": 0.5},
    outcome=0.7,
    criteria={"EVAL1": 0.8, "RDC8": 0.5},
)


def test_tier_shares_agree_with_exact_enumeration(cities, std):
    """The exact tier distribution of each city (every combination of the inputs, rescored from
    scratch, weighted by its probability) and the shares of 8,192 Sobol' runs."""
    m, o = cities
    design, prob = _enumerated(SMALL, std)
    assert len(design) == 5 * 4 * 2 * 2 * 2 * 2 and np.isclose(prob.sum(), 1)
    brute = brute_tiers(m, o, design, std)
    assert np.array_equal(evaluate((m, o), design, std), brute)
    exact = np.stack([(brute == t) @ prob for t in range(4)], axis=1)
    result = wi.uncertainty((m, o), SMALL, std, samples=8192, seed=1)
    assert np.abs(result.shares - exact).max() < 0.02
    assert np.allclose(result.shares.sum(axis=1), 1)
    assert np.allclose(result.counts.mean(axis=0), exact.sum(axis=0), rtol=0.01)


def test_equal_chances_enumerated_once_each_are_exact(cities, std):
    """With every probability 1/2, the full factorial design is the exact distribution: the engine's
    shares over it equal rescoring every combination."""
    m, o = cities
    half = dataclasses.replace(SMALL, outcome=0.5, criteria={"EVAL1": 0.5, "RDC8": 0.5})
    design, prob = _enumerated(half, std)
    assert np.allclose(prob, prob[0])
    engine = TierEngine(m, o, std, half.varying(std))
    per_city, per_run = engine.at_least(design)
    brute = brute_tiers(m, o, design, std)
    assert np.array_equal(per_city, np.stack([(brute >= t).sum(axis=1) for t in (1, 2, 3)], 1))
    assert np.array_equal(per_run, np.stack([(brute >= t).sum(axis=0) for t in (1, 2, 3)], 1))


@pytest.mark.parametrize("varying", [(), ("EVAL1",), "all"])
def test_shares_and_counts_equal_the_full_tier_matrix(cities, std, varying):
    """The block-by-block shares and counts of uncertainty() equal those of the whole matrix of
    tiers of the same runs (with and without identical rows scored once)."""
    m, o = cities
    codes = std.criteria if varying == "all" else varying
    inputs = dataclasses.replace(WIDE, criteria=dict.fromkeys(codes, 0.6))
    result = wi.uncertainty((m, o), inputs, std, samples=512, seed=9)
    design = decode(sample_unit(512, len(inputs.dimensions(std)), 9), inputs, std)
    tiers = evaluate((m, o), design, std)
    shares = np.stack([(tiers == t).mean(axis=1) for t in range(4)], axis=1)
    counts = np.stack([(tiers == t).sum(axis=0) for t in range(4)], axis=1)
    assert np.array_equal(result.counts, counts) and np.allclose(result.shares, shares)


def test_uncertainty_frames(tiny, std):
    frame = simulate_assessments(tiny, 80, seed=3)
    result = wi.uncertainty(frame, WIDE, std, samples=256, seed=2)
    am = assessment_matrix(frame, std)
    base = score_matrix(am.matrix, std, am.outcome_met).tier
    cities = result.city_frame()
    assert cities.attrs["simulated"] and result.simulated
    assert list(cities.columns) == ["baseline", *SCORE_TIERS, "flip_rate", "most_likely"]
    assert np.array_equal(cities["baseline"].cat.codes, base)
    at_base = cities[list(SCORE_TIERS)].to_numpy()[np.arange(len(cities)), base]
    assert np.allclose(cities["flip_rate"], 1 - at_base)
    counts = result.count_frame(0.9)
    assert list(counts["baseline"]) == list(np.bincount(base, minlength=4))
    assert (counts["low"] <= counts["median"]).all() and (counts["median"] <= counts["high"]).all()
    assert (counts["min"] <= counts["low"]).all() and (counts["high"] <= counts["max"]).all()
    assert result.counts.sum(axis=1).tolist() == [len(cities)] * 256
    summary = result.summary()
    assert summary["cities_that_can_change"] == int((cities["flip_rate"] > 0).sum())


def test_runs_are_seeded_and_sobol_needs_a_power_of_two(std):
    a, b = sample_unit(64, 5, 7), sample_unit(64, 5, 7)
    assert np.array_equal(a, b) and not np.array_equal(a, sample_unit(64, 5, 8))
    assert ((a >= 0) & (a < 1)).all()
    with pytest.raises(ValueError, match="power of 2"):
        sample_unit(100, 5, 7)
    assert sample_unit(100, 5, 7, "random").shape == (100, 5)
    with pytest.raises(ValueError, match="not one of"):
        sample_unit(64, 5, 7, "halton")


def test_decoded_cut_offs_and_chances_follow_their_distributions(std):
    design = decode(sample_unit(4096, len(WIDE.dimensions(std)), 1), WIDE, std)
    gold = design.thresholds[:, 1]
    assert gold.min() == 60 and gold.max() == 75
    assert np.allclose(np.bincount(gold - 60) / 4096, 1 / 16, atol=0.005)
    assert abs(design.outcome_gate.mean() - 0.6) < 0.005
    assert abs(design.core_gate[:, std.core.index("PA1")].mean() - 0.3) < 0.005
    assert design.core_gate[:, std.core.index("LC1")].all()  # not declared: as in the standard
    assert abs(design.kept[:, std.criteria.index("EVAL1")].mean() - 0.7) < 0.005
    assert design.kept[:, std.criteria.index("EVAL3")].all()
    assert (np.diff(design.thresholds, axis=1) >= 0).all()


def test_inputs_describe_themselves(std):
    lines = WIDE.describe(std)
    assert lines[1] == (
        "Gold cut-off: a whole percent from 60 to 75, each equally likely (the standard: 68 %)"
    )
    assert "core criterion PA1 kept as a gate with probability 30 %" in lines
    assert "the outcome requirement applied with probability 60 %" in lines
    assert lines[-1].startswith("each of the 8 criteria DM2, DM3, LC1, PA1, RDC8, CI3, EVAL1")
    every = UncertainInputs(criteria=dict.fromkeys(std.criteria, 0.9)).describe(std)
    assert every == ["each of the 43 criteria kept in the standard with probability 90 %"]


@pytest.mark.parametrize(
    "inputs, problem",
    [
        (UncertainInputs(), "declare at least one uncertain input"),
        (UncertainInputs(thresholds={"gold": (50, 70)}), "the Silver cut-off (up to 51 %) could"),
        (UncertainInputs(thresholds={"gold": (60, 101)}), "must satisfy 0 <= low <= high <= 100"),
        (UncertainInputs(thresholds={"bronze": (1, 2)}), "unknown tier 'bronze'"),
        (UncertainInputs(core={"DM2": 0.5}), "a criterion but not a core criterion"),
        (UncertainInputs(outcome=1.0), "not strictly between 0 and 1"),
        (UncertainInputs(criteria={"eval1": 0.5}), "'eval1' (did you mean EVAL1?)"),
    ],
)
def test_bad_inputs_are_refused_naming_the_input(std, inputs, problem):
    with pytest.raises(wi.ScenarioError, match="uncertain") as info:
        inputs.check(std)
    assert problem in str(info.value)


def test_inputs_need_a_percent_standard(tiny_std2017):
    problems = UncertainInputs(outcome=0.5).problems(tiny_std2017)
    assert problems and "not scored by a percent" in problems[0]


# --- sensitivity ---------------------------------------------------------------------------------

THREE = UncertainInputs(thresholds={"gold": (62, 74)}, core={"PA1": 0.5}, outcome=0.4)


def _exact_indices(cities, std) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total-effect indices of the three inputs of THREE on the tier counts, by a
    brute-force variance decomposition over every combination of their values."""
    m, o = cities
    design, prob = _enumerated(THREE, std)
    tiers = brute_tiers(m, o, design, std)
    y = np.stack([(tiers == t).sum(axis=0) for t in range(4)], axis=1).astype(float)
    mean = prob @ y
    var = prob @ (y - mean) ** 2
    labels = np.stack(
        [design.thresholds[:, 1], design.core_gate[:, std.core.index("PA1")], design.outcome_gate],
        axis=1,
    )

    def explained(cols):  # Var(E[Y | inputs cols])
        keys = np.unique(labels[:, cols], axis=0, return_inverse=True)[1].ravel()
        out = np.zeros(4)
        for k in np.unique(keys):
            w = prob[keys == k]
            out += w.sum() * ((w @ y[keys == k]) / w.sum() - mean) ** 2
        return out

    with np.errstate(invalid="ignore"):  # the Platinum count never varies: 0 / 0
        first = np.array([explained([i]) / var for i in range(3)])
        total = np.array([1 - explained([j for j in range(3) if j != i]) / var for i in range(3)])
    return first, total


def test_indices_agree_with_a_brute_force_variance_decomposition(cities, std):
    first, total = _exact_indices(cities, std)
    assert np.isnan(first[:, 3]).all()  # the Platinum count never varies: no index
    result = wi.sensitivity(cities, THREE, std, samples=8192, seed=4, bootstrap=100)
    assert result.outputs == SCORE_TIERS and [g.key for g in result.groups] == [
        "threshold.gold",
        "core.PA1",
        "outcome",
    ]
    varying = slice(0, 3)
    assert np.abs(result.first[:, varying] - first[:, varying]).max() < 0.02
    assert np.abs(result.total[:, varying] - total[:, varying]).max() < 0.02
    inside = (result.first_low - 0.01 <= first) & (first <= result.first_high + 0.01)
    assert inside[:, varying].all()
    assert np.isnan(result.first[:, 3]).all() and np.isnan(result.first_low[:, 3]).all()


def test_indices_sum_as_theory_says(cities, std):
    """First-order <= total effect, and the first-order indices sum to at most 1, up to Monte Carlo
    error (the bootstrap interval)."""
    result = wi.sensitivity(cities, WIDE, std, samples=2048, seed=5, criteria="each")
    varies = ~np.isnan(result.first).any(axis=0)
    assert varies.sum() >= 3
    assert (result.first_low <= result.total_high)[:, varies].all()
    assert (result.first[:, varies] <= result.total[:, varies] + 0.03).all()
    assert (np.nansum(result.first, axis=0)[varies] <= 1.03).all()
    assert (result.total[:, varies] >= -1e-12).all()
    assert len(result.groups) == 3 + 2 + 1 + 8 and result.runs == 2048 * 16


def test_jansen_on_an_additive_function():
    """Y = 2 X1 + X2 on independent uniform inputs: S1 = ST1 = 0.8, S2 = ST2 = 0.2."""
    rng = np.random.default_rng(0)
    n = 200_000
    a, b = rng.random((n, 2)), rng.random((n, 2))

    def f(x):
        return 2 * x[:, 0] + x[:, 1]

    abs_ = [np.where(np.arange(2) == i, b, a) for i in range(2)]
    first, total, var = jansen(np.stack([f(a), f(b), *(f(x) for x in abs_)])[:, None, :])
    assert np.allclose(first[:, 0], [0.8, 0.2], atol=0.01)
    assert np.allclose(total[:, 0], [0.8, 0.2], atol=0.01)
    assert np.isclose(var[0], 5 / 12, rtol=0.01)


def test_criteria_groupings_and_per_city_indices(cities, std):
    m, o = cities
    inputs = dataclasses.replace(THREE, criteria=dict.fromkeys(std.criteria, 0.9))
    by_area = input_groups(inputs, std, "area")
    assert len(by_area) == 3 + 8 and by_area[-1].label == "Evaluations criteria kept"
    assert len(input_groups(inputs, std, "all")) == 4
    assert len(input_groups(inputs, std, "each")) == 3 + 43
    result = wi.sensitivity((m[:40], o[:40]), inputs, std, samples=256, per_city=True)
    frame = result.city_frame()
    assert frame.shape == (40, 2 * len(result.groups))
    one = wi.sensitivity((m[7:8], o[7:8]), inputs, std, samples=256, output="tier", bootstrap=0)
    assert np.allclose(one.first[:, 0], result.city_first[7], equal_nan=True)
    assert np.allclose(one.total[:, 0], result.city_total[7], equal_nan=True)


# --- leave one out, add one ----------------------------------------------------------------------


def test_leave_one_out_equals_rescoring_each_reduced_standard(cities, std):
    m, o = cities
    result = wi.leave_one_out((m, o), std)
    before = score_matrix(m, std, o).tier
    for i, code in enumerate(std.criteria):
        keep = [c for c in std.criteria if c != code]
        reduced = dataclasses.replace(
            std,
            criteria=tuple(keep),
            practice_areas=tuple(a for c, a in zip(std.criteria, std.practice_areas) if c != code),
            criteria_count=len(keep),
            core=tuple(c for c in std.core if c != code),
        )
        after = score_matrix(m[:, np.arange(std.criteria_count) != i], reduced, o).tier
        expect = np.bincount(before * 4 + after, minlength=16).reshape(4, 4)
        assert np.array_equal(result.transitions[i], expect), code
        assert np.array_equal(result.transition(code).to_numpy(), expect)
    table = result.table()
    assert len(table) == 43 and table["changed"].is_monotonic_decreasing
    assert (table["changed"] == table["up"] + table["down"]).all()
    assert (table[list(SCORE_TIERS)].sum(axis=1) == len(m)).all()


def test_add_one_equals_marking_each_criterion_met(cities, std):
    m, o = cities
    result = wi.add_one((m, o), std)
    for i, code in enumerate(std.criteria):
        cmp_ = wi.compare((m, o), wi.MarkMet([code]), standard=std)
        assert np.array_equal(result.transitions[i], cmp_.transitions.to_numpy()), code
    table = result.table()
    assert (table["down"] == 0).all() and table["changed"].iloc[0] == table["up"].max()


def test_impacts_carry_the_simulated_flag_and_names(tiny, std):
    frame = simulate_assessments(tiny, 50, seed=2)
    result = wi.leave_one_out(frame, std)
    assert result.simulated and result.table().attrs["simulated"]
    names = {c: f"name of {c}" for c in std.criteria}
    assert result.table(names)["name"].iloc[0].startswith("name of ")
    with pytest.raises(KeyError, match="not a criterion"):
        result.transition("XX1")


# --- one city ------------------------------------------------------------------------------------


def test_city_stability_against_rescoring_with_each_status_flipped(cities, std):
    m, o = cities
    row = m[5]
    met = [c for c, v in zip(std.criteria, row) if v]
    result = wi.city_stability(met, SMALL, std, outcome_met=bool(o[5]), samples=64, seed=3)
    design = decode(sample_unit(64, len(SMALL.dimensions(std)), 3), SMALL, std)
    own = brute_tiers(row[None, :], o[5:6], design, std)[0]
    assert np.allclose(result.shares, np.bincount(own, minlength=4) / 64)
    flipped = np.tile(row, (std.criteria_count, 1))
    flipped[np.arange(43), np.arange(43)] = ~row
    brute = brute_tiers(flipped, np.full(43, o[5]), design, std)
    assert np.allclose(result.decisive, (brute != own).mean(axis=1))
    assert result.baseline == score_matrix(row[None, :], std, o[5:6]).tier[0]
    table = result.decisive_table()
    assert table["decisive_share"].is_monotonic_decreasing and (table["decisive_share"] > 0).all()
    assert set(table["status"]) <= {"met", "not met"}


def test_city_stability_matches_the_population_run(cities, std):
    m, o = cities
    met = [c for c, v in zip(std.criteria, m[9]) if v]
    result = wi.city_stability(
        met, WIDE, std, outcome_met=bool(o[9]), samples=256, seed=8, sensitivity_samples=128
    )
    population = wi.uncertainty((m, o), WIDE, std, samples=256, seed=8)
    assert np.allclose(result.shares, population.shares[9])
    assert np.isclose(result.flip_rate, population.flip_rate[9])
    assert result.sensitivity is not None and result.sensitivity.outputs == ("tier",)
