"""The words and charts of the robustness analysis (wwc_analysis.text.robustness,
wwc_analysis.figures.robustness): every number in a sentence comes from the result it describes,
simulated cities are called SIMULATED / fictional and real ones are not; on the tiny record's
standards and fictional cities simulated in its rounds."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from wwc_analysis import whatif as wi
from wwc_analysis.figures import robustness as charts
from wwc_analysis.simulate import simulate_assessments
from wwc_analysis.text import robustness as prose
from wwc_analysis.text.tables import report_table
from wwc_analysis.whatif import UncertainInputs

INPUTS = UncertainInputs(
    thresholds={"silver": (48, 54), "gold": (65, 71)},
    core={"PA1": 0.5},
    outcome=0.5,
    criteria=dict.fromkeys(("EVAL1", "EVAL2", "RDC8", "DM2"), 0.8),
)


@pytest.fixture(autouse=True, scope="module")
def _headless():
    matplotlib.use("Agg")


@pytest.fixture(scope="module")
def std(tiny_std2022):
    return tiny_std2022


@pytest.fixture(scope="module")
def simulated(tiny):
    return wi.select_assessments(simulate_assessments(tiny, 150, seed=4), "latest")


@pytest.fixture(scope="module")
def results(simulated, std):
    unc = wi.uncertainty(simulated, INPUTS, std, samples=256, seed=3)
    sens = wi.sensitivity(simulated, INPUTS, std, samples=128, seed=3, bootstrap=30)
    loo, add = wi.leave_one_out(simulated, std), wi.add_one(simulated, std)
    met = wi.met_criteria(simulated, "sim-0003")
    city = wi.city_stability(
        met[0], INPUTS, std, outcome_met=met[1], label="city sim-0003", samples=256, seed=3,
        simulated=True,
    )  # fmt: skip
    return unc, sens, loo, add, city


def _caption(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts if t.get_gid() == "wwc-caption")


def test_sentences_carry_the_numbers_of_the_results(results):
    unc, sens, loo, add, city = results
    counts = unc.count_frame(0.9)
    text = prose.interval_sentence(unc)
    assert "150 fictional cities" in text and "256 runs" in text
    for tier in counts.index:
        base, low, high = (counts.at[tier, k] for k in ("baseline", "low", "high"))
        assert f"**{base}** {tier} ({low} to {high})" in text
    s = unc.summary()
    assert prose.stability_sentence(unc).startswith(f"**{s['cities_that_can_change']}** of the 150")
    top = loo.table().iloc[0]
    assert f"{top['changed']} of the 150 fictional cities change tier" in prose.impact_sentence(
        loo, add
    )
    first = sens.ranking("Gold").iloc[0]
    assert f"**{first['label']}** (total effect {first['total_effect']:.2f}" in (
        prose.sensitivity_sentence(sens)
    )
    assert prose.city_sentence(city).startswith("City sim-0003 meets")
    assert f"flip rate {100 * city.flip_rate:.1f}%" in prose.city_sentence(city)


def test_tables_for_readers(results):
    unc, sens, loo, add, city = results
    for view in (
        prose.count_view(unc),
        prose.least_stable_view(unc, 5),
        prose.sensitivity_view(sens, "Silver"),
        prose.impact_view(loo, 5),
        prose.decisive_view(city, 5),
    ):
        assert view.attrs["simulated"]
        html = report_table(view).to_html()
        assert "SIMULATED" in html and "None" not in html and "nan" not in html
    least = prose.least_stable_view(unc, 5)
    assert list(least.columns[:2]) == ["City id", "Round id"] and len(least) <= 5
    assert list(prose.count_view(unc).columns) == [
        "Tier",
        "Standard as it is",
        "Median of the runs",
        "5th percentile",
        "95th percentile",
        "Lowest",
        "Highest",
    ]


def test_command_line_text(simulated, std, tiny):
    spec = wi.parse_robustness_spec(
        {"samples": 64, "uncertain": {"outcome": 0.5}, "sensitivity": {"samples": 32}}, tiny
    )
    report = wi.run_robustness(spec, simulated)
    text = prose.robustness_text(report, "x.csv")
    assert text.splitlines()[0] == f"Assessments: x.csv - {prose.SIMULATED_LINE}."
    assert "Number of Platinum cities:\n  does not vary" in text  # the gate blocks none at Platinum
    assert "**" not in text and "nan" not in text.lower()


def test_charts_say_simulated_and_name_their_source(results):
    unc, sens, loo, add, city = results
    figs = [
        charts.plot_tier_count_intervals(unc, prose.interval_caption(unc, "Source: here.")),
        charts.plot_sensitivity(sens, prose.sensitivity_caption(sens, "Source: here.")),
        charts.plot_criterion_impacts(loo, prose.impact_caption(loo, "Source: here."), add=add),
        charts.plot_city_stability(city, prose.city_caption(city, "Source: here.")),
    ]
    for fig in figs:
        assert _caption(fig).startswith("SIMULATED DATA") and "Source: here." in _caption(fig)
        assert fig._suptitle is not None or fig.axes[0].get_title().startswith("SIMULATED")
        plt.close(fig)


def test_a_real_city_is_not_labelled_simulated(std):
    met = [c for c in std.criteria if not c.startswith(("EVAL", "RDC"))]
    city = wi.city_stability(met, INPUTS, std, samples=64, label="our city")
    fig = charts.plot_city_stability(city, prose.city_caption(city, "Source: our file."))
    assert "SIMULATED" not in _caption(fig) and "SIMULATED" not in fig._suptitle.get_text()
    assert not prose.decisive_view(city).attrs["simulated"]
    plt.close(fig)


def test_an_output_that_never_varies(simulated, std):
    sens = wi.sensitivity(simulated, UncertainInputs(outcome=0.5), std, samples=64, bootstrap=10)
    platinum = sens.outputs.index("Platinum")
    assert np.isnan(sens.variance[platinum]) or sens.variance[platinum] == 0
    assert "does not vary" in prose.sensitivity_sentence(sens)
    fig = charts.plot_sensitivity(sens, "Source: here.")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "does not vary" in texts
    plt.close(fig)
