"""Tables and words for people (wwc_analysis.text.tables, text.words): readable headers, no row
index, one sign for a missing value, wrapped text, SIMULATED captions; counts with their nouns."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from wwc_analysis.history.cohorts import cohort_sizes, round_summary
from wwc_analysis.text import tables, words


@pytest.fixture(scope="module")
def summary(tiny):
    return round_summary(tiny)


def test_plural():
    assert words.plural(1, "country") == "1 country"
    assert words.plural(3, "country") == "3 countries"
    assert words.plural(0, "round") == "0 rounds"
    assert words.plural(2, "day") == "2 days"
    assert words.plural(2, "city", "cities") == "2 cities"


# --- tables for the report ------------------------------------------------------------------------
@pytest.fixture
def messy():
    """A filtered frame as the notebooks have them: gappy integer index, snake_case names, booleans,
    and every kind of missing value pandas has (NaN, None, <NA> in Int64 / string / boolean /
    category)."""
    return pd.DataFrame(
        {
            "city": pd.array(["Alexandria", "Medellín", pd.NA], dtype="string"),
            "last_known_level": pd.Categorical(["Gold", None, "Silver"]),
            "level_inferred": [True, False, False],
            "reported": pd.array([13, pd.NA, 4], dtype="Int64"),
            "share": [0.4123, float("nan"), 1.0],
            "checked": pd.array([True, pd.NA, False], dtype="boolean"),
            "note": ["a", None, "c"],
        },
        index=[0, 40, 47],
    )


def test_readable():
    assert tables.readable("last_known_level") == "Last known level"
    assert tables.readable("total") == "Total"
    assert tables.readable("new reported") == "New reported"
    assert tables.readable("Gold") == "Gold"


def test_report_frame(messy):
    out = tables.report_frame(messy)
    assert list(out.index) == [0, 1, 2]  # the gappy row numbers are gone, not shown as a column
    assert list(out.columns) == [
        "City",
        "Last known level",
        "Level inferred",
        "Reported",
        "Share",
        "Checked",
        "Note",
    ]
    assert out["Level inferred"].tolist() == ["yes", "", ""]
    assert out["Checked"].tolist() == ["yes", tables.MISSING, ""]  # unknown is not "no"
    assert out["Reported"].tolist() == ["13", tables.MISSING, "4"]
    assert out["Share"].tolist() == ["0.41", tables.MISSING, "1.00"]
    text = out.to_string()
    for token in ("<NA>", "NaN", "None", "True", "False", "nan"):
        assert token not in text
    chosen = tables.report_frame(
        messy, {"city": "City", "share": "Share met"}, formats={"share": "{:.0%}"}
    )
    assert list(chosen.columns) == ["City", "Share met"]
    assert chosen["Share met"].tolist() == ["41%", "–", "100%"]
    with pytest.raises(KeyError, match="no column 'town'"):
        tables.report_frame(messy, ["town"])


def test_report_frame_index(summary):
    sizes = cohort_sizes(summary, "2025-02")  # named index "cohort" -> a leading column
    out = tables.report_frame(sizes)
    assert list(out.columns) == ["Cohort", "Reported", "Identified", "Derived"]
    assert out.loc[out["Cohort"] == "upgraded", "Reported"].item() == "–"
    no_index = tables.report_frame(sizes, index=False)
    assert list(no_index.columns) == ["Reported", "Identified", "Derived"]
    assert tables.report_text(sizes).splitlines() == [
        "Cohort       Reported  Identified  Derived",
        "new                 2           1        1",
        "upgraded            –           0        1",
        "recertified         –           0        0",
        "lower               –           0        0",
        "unknown             –           3        2",
    ]


def test_report_table(messy):
    styler = tables.report_table(
        messy,
        {"city": "City", "note": "Reason", "reported": None},
        wrap=["note"],
        caption="Cities & <reasons>",
    )
    html = styler.to_html()
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", html)
    assert cells == [
        "City",
        "Reason",
        "Reported",
        "Alexandria",
        "a",
        "13",
        "Medellín",
        "–",
        "–",
        "–",
        "c",
        "4",
    ]
    assert "<caption>Cities &amp; &lt;reasons&gt;</caption>" in html
    # only the reason column breaks lines
    assert re.search(r"td\.col1 \{\s*white-space: normal", html)
    assert re.search(r"\.col2 \{\s*text-align: right", html)  # numbers align right
    again = tables.report_table(
        messy,
        {"city": "City", "note": "Reason", "reported": None},
        wrap=["note"],
        caption="Cities & <reasons>",
    ).to_html()
    assert html == again  # same bytes
    # by name, all columns
    assert "white-space: normal" in tables.report_table(messy, wrap=["note"]).to_html()
    with pytest.raises(KeyError, match="to wrap"):
        tables.report_table(messy, ["city"], wrap=["note"])
    sim = messy.copy()
    sim.attrs["simulated"] = True
    assert "SIMULATED" in tables.report_table(sim, ["city"]).to_html()


def test_report_table_raw_html_columns():
    links = pd.DataFrame(
        {"city": ["A & B"], "sources": ['<a href="https://example.org/x?a=1&amp;b=2">[1]</a>']}
    )
    # by header or name
    html = tables.report_table(links, raw_html=["Sources"], wrap=["sources"]).to_html()
    assert '<a href="https://example.org/x?a=1&amp;b=2">[1]</a>' in html  # shown as a link
    assert "A &amp; B" in html  # every other cell is still escaped
    escaped = tables.report_table(links).to_html()
    assert "&lt;a href=" in escaped and "<a href" not in escaped  # HTML only where asked
    # ids unchanged by default
    assert tables.report_table(links).uuid == tables.report_table(links, wrap=()).uuid
    assert tables.report_table(links).uuid != tables.report_table(links, raw_html=["sources"]).uuid
    with pytest.raises(KeyError, match="no column 'links' to show as HTML"):
        tables.report_table(links, raw_html=["links"])


def test_report_table_row_labels():
    """An unnamed index of row labels (as text.annual.round_cohorts) shown with index=True: a column
    with an empty header, not 'Index'; a named index keeps its name as header."""
    table = pd.DataFrame(
        {"New": ["13", "0"], "Upgraded": ["–", "4"]}, index=["Reported", "Identified"]
    )
    assert list(tables.report_frame(table, index=True).columns) == ["", "New", "Upgraded"]
    assert tables.report_frame(table, index=True)[""].tolist() == ["Reported", "Identified"]
    # unnamed: hidden by default
    assert list(tables.report_frame(table).columns) == ["New", "Upgraded"]
    named = tables.report_frame(table.rename_axis("basis"), index=True)
    assert list(named.columns) == ["Basis", "New", "Upgraded"]
    html = tables.report_table(table, index=True).to_html()
    assert re.findall(r"<th[^>]*>([^<]*)</th>", html) == ["", "New", "Upgraded"]
    assert tables.report_text(table, index=True).splitlines()[1].startswith("Reported    13")
    with pytest.raises(ValueError, match="header 'New'"):
        # 'new' would read 'New' too: never a silently lost column
        tables.report_frame(table.assign(new=1))


def test_grouped_text(messy):
    """Two header lines (group labels over their columns, then each column's own header, which may
    repeat from one group to the next), the dash for a missing value, text left and numbers right,
    a label longer than its columns followed by blank space, no trailing spaces."""
    groups = [
        ("", {"city": "City"}),
        ("Counted as reported", {"reported": "n", "share": "share"}),
        ("Level", {"last_known_level": "n"}),
    ]
    got = tables.grouped_text(messy, groups, formats={"share": "{:.0%}"})
    assert got.splitlines() == [
        "            Counted as reported  Level",
        "City         n share             n",
        "Alexandria  13   41%             Gold",
        "Medellín     –     –             –",
        "–            4  100%             Silver",
    ]
    wide = tables.grouped_text(messy, groups[:2], gap=2, group_gap=3)
    assert wide.splitlines()[1:3] == ["City          n  share", "Alexandria   13   0.41"]
    # without any group label, one header line
    assert tables.grouped_text(messy, [("", ["city"])]).splitlines()[0] == "City"
    with pytest.raises(KeyError, match="no column 'nope'"):
        tables.grouped_text(messy, [("", ["nope"])])


def test_dates_in_tables_have_no_leading_zero():
    frame = pd.DataFrame({"announced": pd.to_datetime(["2026-01-05", "2024-01-23"])})
    assert tables.report_frame(frame)["Announced"].tolist() == ["5 Jan 2026", "23 Jan 2024"]
    assert words.short_day(pd.Timestamp("2026-12-01")) == "1 Dec 2026"
