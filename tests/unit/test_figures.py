"""One function per chart (wwc_analysis.figures): each returns its Figure with a caption naming the
source (SIMULATED on simulated data), draws with the one palette module, and labels cohorts for
readers ("re-certified")."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only: figures are inspected, never shown

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import wwc_analysis  # noqa: E402
from wwc_analysis import figures, history  # noqa: E402
from wwc_analysis.figures.style import BASIS_PALETTE, RECORD_SOURCE, SIMULATED_LABEL  # noqa: E402

AS_OF = pd.Timestamp("2024-12-31")


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


@pytest.fixture(scope="module")
def std(data):
    return wwc_analysis.get_standard("2022", data)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _caption(fig: Figure) -> str:
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "wwc-caption"]
    assert len(texts) == 1, "every chart has exactly one caption"
    return " ".join(texts[0].split())


def _record_chart(fig) -> str:
    assert isinstance(fig, Figure)
    text = _caption(fig)
    assert text.startswith(" ".join(RECORD_SOURCE.split())) and SIMULATED_LABEL not in text
    return text


def test_growth_is_one_chart_with_the_basis_palette(data):
    """Notebooks 01 and 04 draw the growth of certified cities with this one function."""
    fig = figures.growth(history.growth(data, 2024), 2024)
    _record_chart(fig)
    ax = fig.axes[0]
    colors = {line.get_label(): to_hex(line.get_color()).upper() for line in ax.get_lines()}
    assert colors["reported by the program"] == BASIS_PALETTE["reported"].upper()
    assert colors["identified in the record"] == BASIS_PALETTE["identified"].upper()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "announced in 2024" in legend and "gap: certified, not identified" in legend
    texts = [t.get_text() for t in ax.texts]
    assert "gap 6" in texts  # after June 2024: 83 reported, 77 identified
    no_band = figures.growth(history.growth(data, 2024))
    legend = [t.get_text() for t in no_band.axes[0].get_legend().get_texts()]
    assert "announced in 2024" not in legend


def test_level_charts(data):
    by_round = history.levels_by_round(data, AS_OF)
    _record_chart(figures.levels_by_round(by_round))
    latest = history.latest_levels(AS_OF, data)
    counts = history.level_counts(latest["level"])
    fig = figures.latest_levels(counts, AS_OF, "United States")
    assert "United States, 31 Dec 2024" in fig.axes[0].get_title()
    assert [int(p.get_height()) for p in fig.axes[0].patches] == counts.tolist()
    _record_chart(fig)
    countries = history.countries_reached(2024, data)
    fig = figures.by_country(countries, AS_OF, new_in=2024)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Colombia (new in 2024)" in labels and "United States" in labels
    _record_chart(fig)
    plain = figures.by_country(countries, AS_OF).axes[0].get_yticklabels()
    assert "(new in" not in " ".join(t.get_text() for t in plain)
    fig = figures.by_region(history.geography(latest, by="region"), top=5)
    assert len(fig.axes[0].get_yticklabels()) == 5 and "(top 5 of" in fig.axes[0].get_title()
    matrix = history.transition_matrix(history.transitions(data, AS_OF))
    assert "Place filter: all countries" in _record_chart(figures.transitions(matrix, AS_OF))


def test_cohort_charts_say_re_certified(data):
    summary = history.round_summary(data)
    fig = figures.cohort_sizes(history.cohort_sizes(summary, "2024-01"), "2024-01")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][2] == "re-certified"
    _record_chart(fig)
    table = history.cohort_sizes_table(history.cohort_sizes_by_round(summary, until="2024-01"))
    fig = figures.cohort_sizes_by_round(table, "2024-01")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["New cities", "Upgraded cities", "Re-certified cities"]
    _record_chart(fig)
    members = history.label_cohorts(history.round_members("2024-01", data))
    fig = figures.cohort_geography(history.cohort_geography(members), "2024-01")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(label.startswith("re-certified: ") for label in labels)
    assert not any(label.startswith("recertified") for label in labels)
    _record_chart(fig)
    upgrades = history.upgrades_until("2024-01", data)
    said = _record_chart(figures.upgrade_times(upgrades, "2024-01"))
    assert "1 upgrade without an earlier certification" in said
    # nothing to time: still a chart
    _record_chart(figures.upgrade_times(upgrades.iloc[0:0], "2024-01"))


def test_simulated_charts_are_labelled(data, std):
    assessments = history.simulated_assessments(data)
    sim = history.assessment_history(assessments, data, std)
    population, _ = history.simulated_population(sim, AS_OF)
    charts = [figures.criteria_met(population, std)]
    scope, _ = history.simulated_scope(sim, "2026-01")
    profile = history.practice_area_profile(assessments, scope, std)
    described = "the 201 simulated assessments of round 2026-01"
    charts.append(figures.practice_areas(profile, scope, described, std))
    rows = [t.get_text() for t in charts[-1].axes[0].get_yticklabels()]
    assert any(r.startswith("re-certified (n=") for r in rows)
    separating = history.separating_criteria(assessments, scope, std)
    separating = separating.join(history.criterion_names(data, std))
    charts.append(figures.separating_criteria(separating, "all of them", std))
    charts.append(figures.simulated_tiers(history.simulated_tiers(2024, data, std), 2024, std))
    for fig in charts:
        assert isinstance(fig, Figure)
        assert _caption(fig).startswith(SIMULATED_LABEL)
        assert "SIMULATED" in fig.axes[0].get_title()
