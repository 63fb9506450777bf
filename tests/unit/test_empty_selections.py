"""Empty selections say so in a sentence instead of failing (issue 11, item 2): a data copy with
rounds in a year but no certification events in them validated, then failed the report in notebook
02 with a pandas KeyError ("Requested level (cohort) does not match index name") and in notebook 04
on an empty table. And a notebook whose optional tables are absent (no reach tables) is left out
of the report with the reason, not run into a ValueError."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from tests.notebook_files import write_notebook
from wwc_analysis import figures, history, text
from wwc_analysis.data import paths
from wwc_analysis.report.build import unmet_needs
from wwc_analysis.report.front import index_html
from wwc_analysis.text.annual import round_section

EMPTY_ROUND = "2024-06"


@pytest.fixture
def no_events(tiny):
    """The tiny record with every event of round 2024-06 removed (the round stays)."""
    kept = tiny.certifications[tiny.certifications["round_id"] != EMPTY_ROUND]
    return dataclasses.replace(tiny, certifications=kept.reset_index(drop=True))


@pytest.mark.parametrize("by", ["country", "region"])
def test_the_geography_of_a_round_without_cities(no_events, by):
    members = history.label_cohorts(history.round_members(EMPTY_ROUND, no_events))
    assert members.empty
    geo = history.cohort_geography(members, by=by)
    assert geo.empty
    assert list(geo.index.names) == ["cohort", "country", *(["region"] if by == "region" else [])]
    assert list(geo.columns) == ["Silver", "Gold", "Platinum", "Unknown", "total"]
    said = text.cohorts.geography_text(members, geo, EMPTY_ROUND)
    assert said == "No city of round 2024-06 is on record, so there are no countries to show."
    assert text.cohorts.geography_table(geo, EMPTY_ROUND) is None  # show() skips it
    assert text.cohorts.region_table(geo, EMPTY_ROUND) is None
    assert text.cohorts.members_text(members, EMPTY_ROUND) == (
        "The record names no city of round 2024-06: there is no city to list."
    )
    named = history.round_cities(members)
    assert text.cohorts.members_table(named, EMPTY_ROUND) is None
    fig = figures.cohort_geography(geo, EMPTY_ROUND)
    try:
        assert isinstance(fig, Figure)
        words = [t.get_text() for t in fig.texts] + [t.get_text() for t in fig.axes[0].texts]
        assert "No city of round 2024-06 is on record." in words
        assert any("Source:" in w for w in words)
    finally:
        plt.close(fig)


def test_the_annual_summary_of_a_round_without_cities(no_events):
    parts = round_section(EMPTY_ROUND, no_events)
    assert "*Round 2024-06: the record names none of its cities.*" in parts
    assert not any(isinstance(p, str) and p.startswith("**Cities named") for p in parts)


def test_a_notebook_needing_absent_tables_is_left_out_with_the_reason(tmp_path):
    nb = write_notebook(tmp_path / "05-reach.ipynb", [("code", "x = 1", [])])
    assert unmet_needs(nb, tmp_path) == ""
    nb = write_notebook(
        tmp_path / "05-reach.ipynb",
        [("code", "x = 1", [])],
        wwc={"needs": ["universe.csv", "crosswalk.csv"]},
    )
    assert unmet_needs(nb, tmp_path) == (
        "the data folder has no universe.csv and no crosswalk.csv, which it needs"
    )
    (tmp_path / "universe.csv").write_text("x\n")
    (tmp_path / "crosswalk.csv").write_text("x\n")
    assert unmet_needs(nb, tmp_path) == ""
    # the shipped reach notebook says what it needs
    assert unmet_needs(paths.NOTEBOOKS_DIR / "05-reach.ipynb", tmp_path / "none") == (
        "the data folder has no universe.csv and no crosswalk.csv, which it needs"
    )


def test_the_front_page_says_which_notebook_was_left_out(tmp_path):
    from datetime import date, datetime

    from wwc_analysis.report.document import Options, Report

    why = "the data folder has no universe.csv and no crosswalk.csv, which it needs"
    report = Report(
        folder=tmp_path,
        year=2024,
        built_at=datetime(2026, 12, 1, 12, 0),
        as_of=date(2024, 12, 31),
        runs=[],
        metrics={},
        provenance=None,
    )
    page = index_html(report, [], {}, Options())
    assert "Not in this report" not in page
    report = dataclasses.replace(report, provenance=_provenance(tmp_path, {"05-reach": why}))
    page = index_html(report, [], {}, Options())
    assert f"Not in this report: <b>05-reach</b> ({why})." in page


def _provenance(folder, not_run):
    from wwc_analysis.report.provenance import provenance

    origin = provenance(folder, {}, "2026-12-01T12:00:00")
    origin["not_run"] = not_run
    return origin


def test_the_what_if_city_comes_from_the_assessments_the_notebook_uses(record):
    """A data folder without simulated assessments: notebook 03 used the shipped file standing in
    for its population, but chose its city from ``data.assessments`` (None) and failed."""
    from wwc_analysis.whatif import choose_city

    bare = dataclasses.replace(record, assessments=None)
    with pytest.raises(ValueError, match="the data folder has no simulated assessments"):
        choose_city(None, True, None, bare, 2024)
    chosen = choose_city(None, True, None, bare, 2024, assessments=record.assessments)
    assert chosen == choose_city(None, True, None, record, 2024)
    assert chosen.simulated


def test_the_annual_summary_reads_the_same_simulated_assessments(record, std2022):
    """Notebook 04 read ``data.assessments`` alone: on a folder without simulated assessments it
    said none fell in the year while the other pages used the shipped file standing in."""
    bare = dataclasses.replace(record, assessments=None)
    tiers = history.simulated_tiers(2024, bare, std2022)
    assert not tiers.empty
    assert tiers.equals(history.simulated_tiers(2024, record, std2022))


def test_a_place_of_the_record_with_no_city_yet_is_an_empty_selection(record):
    """Notebook 01 with a country of the record that had no certified city yet on the date: a
    ValueError ("no country 'Guatemala'") instead of a sentence. A typo still raises."""
    latest = history.latest_levels("2023-12-31", record)
    with pytest.raises(ValueError, match="no country 'Guatemal'"):
        history.filter_place(latest, "Guatemal", data=record)
    with pytest.raises(ValueError, match="no country 'Guatemala'"):
        history.filter_place(latest, "Guatemala")  # without the record: as before
    empty = history.filter_place(latest, "guatemala", data=record)
    assert empty.empty and list(empty.columns) == list(latest.columns)
    place = text.levels.place_label("Guatemala", None)
    assert text.levels.latest_text(empty, place, "2023-12-31") == (
        "On 31 December 2023 the record identifies no certified city in Guatemala."
    )
    assert text.levels.unknown_table(empty, place, "2023-12-31") is None
    by_country = history.geography(empty, by="country")
    by_region = history.geography(empty, by="region")
    assert text.levels.geography_text(empty, by_country, by_region, place) == (
        "No certified city in Guatemala is on record: no country or region to show."
    )
    assert text.levels.country_table(by_country, place) is None
    assert text.levels.region_table(by_region, place) is None
    for fig in (
        figures.by_country(by_country, "2023-12-31", place),
        figures.by_region(by_region, place),
    ):
        words = " ".join(t.get_text() for t in [*fig.texts, *fig.axes[0].texts])
        plt.close(fig)
        assert "No certified city on record" in words and "place filter: Guatemala" in words


def test_a_round_without_simulated_assessments_is_named(tiny_sim, tiny_std2022):
    """A round of the year with no simulated assessment (issue 11, item 2): notebook 04's simulated
    table and figure left it out without a word. The round is named in a sentence; a round of
    another standard (the simulation covers the 2022 standard) is not."""
    a = tiny_sim.assessments
    thinned = dataclasses.replace(tiny_sim, assessments=a[a["round_id"] != EMPTY_ROUND])
    assert list(history.simulated_tiers(2024, thinned, tiny_std2022).index) == ["2024-01"]
    missing = history.rounds_without_simulated(2024, thinned, tiny_std2022)
    assert missing == [EMPTY_ROUND]
    said = text.assessed.rounds_without_simulated_text(missing, 2024)
    assert "SIMULATED" in said and EMPTY_ROUND in said and "2024-01" not in said
    assert history.rounds_without_simulated(2024, tiny_sim, tiny_std2022) == []
    assert text.assessed.rounds_without_simulated_text([], 2024) is None
    assert history.rounds_without_simulated(2019, tiny_sim, tiny_std2022) == []
