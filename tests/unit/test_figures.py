"""One function per chart (wwc_analysis.figures): each returns its Figure with a caption naming the
source (SIMULATED on simulated data), draws with the one palette module, and labels cohorts for
readers ("re-certified"). Drawn from the tiny record (tests/fixtures/tiny) and a simulation in its
rounds; the labels of the shipped record's charts: tests/record/test_shipped_text.py."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only: figures are inspected, never shown

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from wwc_analysis import figures, history  # noqa: E402
from wwc_analysis.figures.style import BASIS_PALETTE, RECORD_SOURCE, SIMULATED_LABEL  # noqa: E402

AS_OF = pd.Timestamp("2024-12-31")


@pytest.fixture(scope="module")
def std(tiny_std2022):
    return tiny_std2022


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


def test_growth_is_one_chart_with_the_basis_palette(tiny):
    """Notebooks 01 and 04 draw the growth of certified cities with this one function."""
    fig = figures.growth(history.growth(tiny, 2024), 2024)
    _record_chart(fig)
    ax = fig.axes[0]
    colors = {line.get_label(): to_hex(line.get_color()).upper() for line in ax.get_lines()}
    assert colors["reported total"] == BASIS_PALETTE["reported"].upper()
    assert colors["identified in the record"] == BASIS_PALETTE["identified"].upper()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "rounds of 2024" in legend and "gap: certified, not identified" in legend
    texts = [t.get_text() for t in ax.texts]
    assert "gap 3" in texts  # after June 2024: 15 reported, 12 identified
    no_band = figures.growth(history.growth(tiny, 2024))
    legend = [t.get_text() for t in no_band.axes[0].get_legend().get_texts()]
    assert "announced in 2024" not in legend


def test_level_charts(tiny):
    by_round = history.levels_by_round(tiny, AS_OF)
    _record_chart(figures.levels_by_round(by_round))
    latest = history.latest_levels(AS_OF, tiny)
    counts = history.level_counts(latest["level"])
    fig = figures.latest_levels(counts, AS_OF, "United States")
    assert "United States, 31 Dec 2024" in fig.axes[0].get_title()
    assert [int(p.get_height()) for p in fig.axes[0].patches] == counts.tolist()
    _record_chart(fig)
    countries = history.countries_reached(2024, tiny)
    fig = figures.by_country(countries, AS_OF, new_in=2024)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Mexico (new in 2024)" in labels and "Canada (new in 2024)" in labels
    assert "United States" in labels
    _record_chart(fig)
    plain = figures.by_country(countries, AS_OF).axes[0].get_yticklabels()
    assert "(new in" not in " ".join(t.get_text() for t in plain)
    fig = figures.by_region(history.geography(latest, by="region"), top=5)
    assert len(fig.axes[0].get_yticklabels()) == 5 and "(top 5 of 7" in fig.axes[0].get_title()
    matrix = history.transition_matrix(history.transitions(tiny, AS_OF))
    assert "Place filter: all countries" in _record_chart(figures.transitions(matrix, AS_OF))


def test_cohort_charts_say_re_certified(tiny):
    summary = history.round_summary(tiny)
    fig = figures.cohort_sizes(history.cohort_sizes(summary, "2024-01"), "2024-01")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][2] == "re-certified"
    _record_chart(fig)
    table = history.cohort_sizes_table(history.cohort_sizes_by_round(summary, until="2024-01"))
    fig = figures.cohort_sizes_by_round(table, "2024-01")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["New cities", "Upgraded cities", "Re-certified cities"]
    _record_chart(fig)
    members = history.label_cohorts(history.round_members("2024-01", tiny))
    fig = figures.cohort_geography(history.cohort_geography(members), "2024-01")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(label.startswith("re-certified: ") for label in labels)
    assert not any(label.startswith("recertified") for label in labels)
    _record_chart(fig)
    upgrades = history.upgrades_until("2024-01", tiny)
    said = _record_chart(figures.upgrade_times(upgrades, "2024-01"))
    assert "2 upgrades without an earlier certification" in said  # Austin, Santos
    # nothing to time: still a chart
    _record_chart(figures.upgrade_times(upgrades.iloc[0:0], "2024-01"))


def test_simulated_charts_are_labelled(tiny_sim, std):
    assessments = history.simulated_assessments(tiny_sim)
    sim = history.assessment_history(assessments, tiny_sim, std)
    population, _ = history.simulated_population(sim, AS_OF)
    charts = [figures.criteria_met(population, std)]
    scope, _ = history.simulated_scope(sim, "2025-02", min_size=0)
    profile = history.practice_area_profile(assessments, scope, std)
    described = f"the {len(scope)} simulated assessments of round 2025-02"
    charts.append(figures.practice_areas(profile, scope, described, std))
    rows = [t.get_text() for t in charts[-1].axes[0].get_yticklabels()]
    assert any(r.startswith("re-certified (n=") for r in rows)
    separating = history.separating_criteria(assessments, scope, std)
    separating = separating.join(history.criterion_names(tiny_sim, std))
    charts.append(figures.separating_criteria(separating, "all of them", std))
    charts.append(figures.simulated_tiers(history.simulated_tiers(2024, tiny_sim, std), 2024, std))
    for fig in charts:
        assert isinstance(fig, Figure)
        assert _caption(fig).startswith(SIMULATED_LABEL)
        assert "SIMULATED" in fig.axes[0].get_title()


def test_dates_in_titles_have_no_leading_zero(tiny):
    """A report built on 1 December titled its charts '01 Dec 2026', beside '1 December 2026' in
    the sentences: one way of writing a day."""
    first = pd.Timestamp("2024-12-01")
    latest = history.latest_levels(first, tiny)
    fig = figures.latest_levels(history.level_counts(latest["level"]), first)
    assert fig.axes[0].get_title().endswith(", 1 Dec 2024")
    countries = history.countries_reached(2024, tiny)
    assert figures.by_country(countries, first).axes[0].get_title().endswith(", 1 Dec 2024")
    plt.close("all")
