"""What a reader of the notebooks and the report is told about the shipped record: sentences,
reports and chart labels, against ``expected.yaml`` (``text``). The wording rules themselves are
tested on the tiny record in tests/unit."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only: figures are inspected, never shown

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from wwc_analysis import figures, history  # noqa: E402
from wwc_analysis.data import Dataset  # noqa: E402
from wwc_analysis.text import annual, cohorts, levels, tables  # noqa: E402


def check(text: str, want: dict | str, what: str) -> None:
    """``text`` against an expectation of expected.yaml: a string is the whole text; a mapping has
    ``is``, ``starts``, ``has`` (a list) and/or ``ends``."""
    if isinstance(want, str):
        want = {"is": want}
    if "is" in want:
        assert text == want["is"], what
    if "starts" in want:
        assert text.startswith(want["starts"]), f"{what}: {text[:200]!r}"
    for part in want.get("has", []):
        assert part in text, f"{what}: {part!r} not in {text!r}"
    if "ends" in want:
        assert text.endswith(want["ends"]), f"{what}: {text[-200:]!r}"


@pytest.fixture(scope="module")
def summary(record: Dataset) -> pd.DataFrame:
    return history.round_summary(record)


@pytest.fixture(scope="module")
def said(expected) -> dict:
    return expected["text"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- text.cohorts ---------------------------------------------------------------------------------
def test_coverage(summary, said):
    by_round = summary.set_index("round_id")
    for round_id, phrases in said["cohorts"]["coverage"].items():
        for cohort, phrase in phrases.items():
            assert cohorts.coverage(by_round.loc[round_id], cohort) == phrase, (round_id, cohort)


def test_round_intro_and_sizes(record, summary, said):
    check(
        cohorts.round_intro("2024-01", 2024, record),
        said["cohorts"]["round_intro_2024_01"],
        "intro",
    )
    check(cohorts.sizes_text(summary, "2024-01"), said["cohorts"]["sizes_2024_01"], "sizes")
    report = cohorts.sizes_report(history.cohort_sizes(summary, "2026-01")).splitlines()
    assert report == said["cohorts"]["sizes_report_2026_01"]["lines"]


def test_members_disagreements_upgrades(record, summary, said):
    members = history.label_cohorts(history.round_members("2024-01", record))
    check(cohorts.members_text(members, "2024-01"), said["cohorts"]["members_2024_01"], "members")
    dis = history.disagreements(record)
    want = said["cohorts"]["disagreements_2024_01"]
    check(cohorts.disagreements_text(dis, summary, "2024-01"), want, "disagreements")
    html = cohorts.disagreements_table(dis, "2024-01").to_html()
    assert all(city in html for city in want["cities"])
    upgrades = history.upgrades_until("2024-01", record)
    check(cohorts.upgrades_text(upgrades, "2024-01"), said["cohorts"]["upgrades_2024_01"], "ups")


def test_geography_and_comparison(record, summary, said):
    members = history.label_cohorts(history.round_members("2024-01", record))
    geo = history.cohort_geography(members)
    want = said["cohorts"]["geography_2024_01"]
    check(cohorts.geography_text(members, geo, "2024-01"), want, "geography")
    regions = history.cohort_geography(members, by="region")
    assert len(regions) == want["region_groups"]
    html = cohorts.region_table(regions, "2024-01", top=3).to_html()
    assert f"(the 3 largest of {want['region_groups']} groups)" in html
    long = history.cohort_sizes_by_round(summary, until="2024-06")
    text = cohorts.comparison_text(history.reporting_coverage(long), "2024-06")
    check(text, said["cohorts"]["comparison_2024_06"], "comparison")


# --- text.levels ----------------------------------------------------------------------------------
def test_growth_texts(record, summary, said):
    as_of = pd.Timestamp("2024-06-30")
    grow, by_round = history.growth(record, 2024, as_of), history.levels_by_round(record, as_of)
    check(levels.growth_text(grow, by_round, as_of), said["levels"]["growth_2024_06_30"], "growth")
    rounds = levels.year_rounds_text(summary, 2024, as_of)
    check(rounds, said["levels"]["year_rounds_2024"], "year rounds")
    check(levels.unplaced_text(record.unplaced), said["levels"]["unplaced"], "unplaced")


def test_latest_texts(record, said):
    as_of = pd.Timestamp("2026-12-31")
    latest = history.latest_levels(as_of, record)
    text = levels.latest_text(latest, "all countries", as_of)
    check(text, said["levels"]["latest_2026_12_31"], "latest")
    report = levels.latest_report(latest, "all countries", as_of).splitlines()
    want = said["levels"]["latest_report_2026_12_31"]["lines"]
    assert report[: len(want)] == want


def test_geography_and_moves_texts(record, said):
    as_of = pd.Timestamp("2026-12-31")
    latest = history.latest_levels(as_of, record)
    by_country, by_region = history.geography(latest), history.geography(latest, by="region")
    want = said["levels"]["geography_2026_12_31"]
    check(levels.geography_text(latest, by_country, by_region, "all countries"), want, "geo")
    assert want["regions"] in levels.region_table(by_region, "all countries").to_html()
    matrix = history.transition_matrix(history.transitions(record, as_of))
    moves = history.transition_summary(matrix)
    want = said["levels"]["moves_2026_12_31"]
    check(levels.moves_text(moves, "all countries", as_of), want, "moves")
    assert levels.moves_report(matrix, moves).endswith(want["report_ends"])
    assert levels.unknown_moves(history.transitions(record, as_of))[0] == want["unknown_moves"]


# --- text.annual ----------------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2024, 2026])
def test_headline_sentences(record, said, year):
    sentences = annual.headline_sentences(year, record)
    for i, want in enumerate(said["annual"][f"headline_{year}"]):
        check(sentences[i], want, f"{year} sentence {i}")


def test_the_reconstructed_round(record, said):
    """2022-03 has no program announcement: the record places it, the program never announced it,
    and its count of rounds is identified, not reported."""
    want = said["annual"]
    assert history.reconstructed_rounds(record) == want["reconstructed_rounds"]
    sentences = annual.headline_sentences(2022, record)
    for i, expected_sentence in enumerate(want["headline_2022"]):
        check(sentences[i], expected_sentence, f"2022 sentence {i}")
    assert not any("announced" in s and "program announced" in s for s in sentences)
    rounds = {m.name: m for m in history.annual_metrics(2022, record)}["rounds"]
    assert [rounds.value, rounds.basis, rounds.label] == want["rounds_2022"]
    check(annual.round_heading("2022-03", record), want["heading_2022_03"], "heading 2022-03")


def test_headline_sentences_of_other_years(record, said):
    assert annual.headline_sentences(2020, record)[1] == said["annual"]["headline_2020_reported"]
    assert said["annual"]["headline_2018_countries"] in annual.headline_sentences(2018, record)[4]


def test_headline_table(record, expected):
    t = annual.headline_table(history.annual_metrics(2024, record))
    values = dict(zip(t["label"], t["value"]))
    label = "New cities (sum of reported counts)"  # two rounds' counts added
    assert values[label] == str(expected["annual"]["2024"]["new_reported"][0])


def test_round_tables(record, said):
    want = said["annual"]["round_cohorts_2024_01"]
    t = annual.round_cohorts("2024-01", record)
    cols = ["New", "Upgraded", "Re-certified"]
    assert t.loc["Reported by the program", cols].tolist() == want["reported"]
    assert t.loc["Derived from the history on record", cols].tolist() == want["derived"]
    want = said["annual"]["round_table_2024_01"]
    table = annual.round_table("2024-01", record).set_index("City")
    assert len(table) == want["cities"]
    phoenix = table.loc["Phoenix", ["Level", "Earlier certification", "Derived cohort"]]
    assert list(phoenix) == want["phoenix"]
    assert table.loc[want["level_not_known"], "Level"] == "not known"
    dis = annual.round_disagreements("2024-01", record)
    assert list(dis["City"]) == said["cohorts"]["disagreements_2024_01"]["cities"]
    check(annual.round_heading("2026-01", record), said["annual"]["heading_2026_01"], "heading")


def test_coverage_lines(record, said):
    want = said["annual"]["coverage_2025"]
    lines = annual.coverage_lines(2025, record)
    check(lines[0], {"starts": want["first_starts"], "has": want["first_has"]}, "first line")
    assert want["has"] in lines
    assert annual.coverage_report(2025, record).startswith("- " + want["first_starts"])
    starts = said["annual"]["coverage_2024_starts"]
    lines_2024 = annual.coverage_lines(2024, record)
    assert any(line.startswith(starts) for line in lines_2024)
    assert said["annual"]["coverage_2024_total"] in lines_2024


def test_key_numbers(record, said):
    metrics = history.annual_metrics(2024, record)
    text = annual.key_numbers(2024, metrics, history.rounds_in_year(2024, record))
    want = said["annual"]["key_numbers_2024"]
    assert text.splitlines()[: len(want)] == want


def test_report_text_of_a_round(summary, said):
    """The reader's table of a round's cohort sizes (text.tables.report_text)."""
    lines = tables.report_text(history.cohort_sizes(summary, "2026-01")).splitlines()
    want = said["cohorts"]["sizes_report_2026_01"]["lines"]
    assert [line.split() for line in lines[1:]] == [
        [("recertified" if w == "re-certified" else w) for w in line.split()] for line in want[1:]
    ]


# --- figures --------------------------------------------------------------------------------------
def test_chart_labels(record, said):
    want = said["figures"]
    fig = figures.growth(history.growth(record, 2024), 2024)
    assert want["growth_2024_gap"] in [t.get_text() for t in fig.axes[0].texts]
    countries = history.countries_reached(2024, record)
    fig = figures.by_country(countries, pd.Timestamp("2024-12-31"), new_in=2024)
    assert want["by_country_2024_new"] in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    upgrades = history.upgrades_until("2024-01", record)
    fig = figures.upgrade_times(upgrades, "2024-01")
    caption = " ".join(t.get_text() for t in fig.texts if t.get_gid() == "wwc-caption")
    assert want["upgrade_times_2024_01"] in " ".join(caption.split())
