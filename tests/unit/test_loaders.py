"""Loading a data directory: dtypes, missing values, keys and sources as the data dictionary gives
them, other folders and files, the room's API and its steps. Figures of the shipped record:
tests/record/test_shipped_tables.py; here the tiny record (tests/fixtures/tiny) and relations that
hold for any edition of the shipped one."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from tests.conftest import TINY_DIR
from wwc_analysis.data import (
    Dataset,
    load,
    load_assessments,
    load_certifications,
    load_criteria,
    load_rounds,
    load_standards,
    load_unplaced,
    paths,
    read_all,
    schemas,
    validate_dir,
)
from wwc_analysis.data.convert import convert
from wwc_analysis.data.read import decode, raw_frame
from wwc_analysis.data.schemas import COHORTS, LEVEL_DTYPE, LEVELS
from wwc_analysis.errors import DataValidationError

STRING = pd.StringDtype()
TABLES = ("criteria", "standards", "rounds", "certifications", "unplaced")


# ------------------------------------------------------------------ the tables as loaded


def test_default_data_dir_validates():
    assert validate_dir() == validate_dir(paths.DATA_DIR) == []
    assert validate_dir(TINY_DIR) == []


def test_load_returns_dataset(record, tiny):
    assert isinstance(record, Dataset) and isinstance(tiny, Dataset)
    assert record.data_dir == paths.DATA_DIR
    assert tiny.data_dir == TINY_DIR
    for name in TABLES:
        assert isinstance(getattr(record, name), pd.DataFrame)


def test_sizes(tiny):
    assert len(tiny.criteria) == 43
    assert len(tiny.standards) == 3
    assert len(tiny.rounds) == 7
    assert len(tiny.certifications) == 22
    assert tiny.certifications["city_id"].nunique() == 13
    assert len(tiny.unplaced) == 3
    assert int(tiny.certifications["level"].isna().sum()) == 4
    assert int(tiny.certifications["round_inferred"].sum()) == 2
    assert int(tiny.certifications["level_inferred"].sum()) == 1


def test_level_is_ordered_categorical(tiny):
    level = tiny.certifications["level"]
    assert level.dtype == LEVEL_DTYPE
    assert level.cat.ordered
    assert list(level.cat.categories) == ["Silver", "Gold", "Platinum"]
    assert LEVELS == ("Silver", "Gold", "Platinum")
    silver, gold, platinum = (pd.Series([x], dtype=LEVEL_DTYPE) for x in LEVELS)
    assert (silver < gold).all() and (gold < platinum).all()
    assert (level.dropna() >= "Silver").all()
    assert tiny.certifications["level"].max() == "Platinum"


def test_empty_level_stays_missing(tiny):
    c = tiny.certifications
    row = c[(c["city_id"] == "austin-tx-us") & (c["round_id"] == "2024-01")]
    assert len(row) == 1
    assert pd.isna(row["level"].iloc[0])
    assert tiny.unplaced["level"].isna().all()
    assert tiny.unplaced["level"].dtype == LEVEL_DTYPE


def test_level_inferred_is_monterrey_2024(tiny):
    c = tiny.certifications
    inferred = c[c["level_inferred"]]
    assert inferred[["city_id", "round_id"]].values.tolist() == [["monterrey-nl-mx", "2024-01"]]
    assert inferred["level"].iloc[0] == "Silver"


EXPECTED_DTYPES = {
    "criteria": {
        "standard": STRING,
        "code": STRING,
        "practice_area": STRING,
        "name": STRING,
        "core": "bool",
    },
    "standards": {
        "standard": STRING,
        "criteria_count": "int64",
        "practice_area_count": "int64",
        "tier_rule": STRING,
        "silver_min": "int64",
        "gold_min": "int64",
        "platinum_min": "int64",
        "core_criteria_required": "bool",
        "outcome_requirement": "bool",
        "notes": STRING,
        "sources": STRING,
    },
    "rounds": {
        "round_id": STRING,
        "announced": "datetime64[ns]",
        "date_precision": STRING,
        "standard": STRING,
        "reported_new": "Int64",
        "reported_upgraded": "Int64",
        "reported_recertified": "Int64",
        "reported_total_certified": "Int64",
        "reported_applicants": STRING,
        "notes": STRING,
        "sources": STRING,
    },
    "certifications": {
        "city_id": STRING,
        "city": STRING,
        "region": STRING,
        "country": STRING,
        "round_id": STRING,
        "level": LEVEL_DTYPE,
        "reported_cohort": pd.CategoricalDtype(list(COHORTS)),
        "level_inferred": "bool",
        "round_inferred": "bool",
        "notes": STRING,
        "sources": STRING,
    },
    "unplaced": {
        "city": STRING,
        "region": STRING,
        "country": STRING,
        "level": LEVEL_DTYPE,
        "notes": STRING,
        "sources": STRING,
    },
}


@pytest.mark.parametrize("table", TABLES)
def test_columns_and_dtypes(record, table):
    frame = getattr(record, table)
    expected = EXPECTED_DTYPES[table]
    assert list(frame.columns) == list(expected)
    for column, dtype in expected.items():
        assert frame[column].dtype == dtype, (table, column, frame[column].dtype)
    assert isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0


def test_string_columns_use_pd_na(tiny):
    notes = tiny.certifications["notes"]
    assert notes.isna().sum() == 6
    assert notes[notes.isna()].iloc[0] is pd.NA
    assert tiny.unplaced["region"].isna().sum() == 1  # San Nicolás: province not recorded


def test_booleans(tiny):
    core = tiny.criteria.loc[tiny.criteria["core"], "code"].tolist()
    assert core == ["DM1", "LC1", "PA1"]
    s = tiny.standards.set_index("standard")
    assert s["core_criteria_required"].tolist() == [False, False, True]
    assert s["outcome_requirement"].tolist() == [False, False, True]
    assert s.loc["2022", ["silver_min", "gold_min", "platinum_min"]].tolist() == [51, 68, 85]


def test_empty_count_is_missing_not_zero(tiny):
    r = tiny.rounds.set_index("round_id")
    assert pd.isna(r.loc["2018-01", "reported_upgraded"])
    assert pd.isna(r.loc["2025-02", "reported_total_certified"])
    assert r.loc["2018-01", "reported_new"] == 3
    assert pd.isna(r.loc["2021-07", "reported_new"])
    assert (tiny.rounds["reported_new"].dropna() > 0).all()


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_rounds_sorted_and_keyed_by_month(request, which):
    r = request.getfixturevalue(which).rounds
    assert r["announced"].is_monotonic_increasing
    assert (r["round_id"] == r["announced"].dt.strftime("%Y-%m")).all()
    assert set(r["standard"]) <= {"2017", "2018", "2022"}


def test_rounds_of_the_tiny_record(tiny):
    r = tiny.rounds
    assert r["round_id"].iloc[0] == "2018-01" and r["round_id"].iloc[-1] == "2025-02"
    assert set(r["standard"]) == {"2017", "2018", "2022"}


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_foreign_keys_hold(request, which):
    data = request.getfixturevalue(which)
    assert set(data.certifications["round_id"]) <= set(data.rounds["round_id"])
    assert set(data.criteria["standard"]) <= set(data.standards["standard"])
    counts = data.standards.set_index("standard")["criteria_count"]
    for standard, criteria in data.criteria.groupby("standard"):
        assert counts[standard] == len(criteria)


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_sources_on_every_row(request, which):
    data = request.getfixturevalue(which)
    for table in ("rounds", "certifications", "unplaced", "standards"):
        sources = getattr(data, table)["sources"]
        assert sources.notna().all() and (sources.str.strip() != "").all()


@pytest.mark.parametrize(
    "loader, table",
    [
        (load_criteria, "criteria"),
        (load_standards, "standards"),
        (load_rounds, "rounds"),
        (load_certifications, "certifications"),
        (load_unplaced, "unplaced"),
    ],
)
def test_single_loaders_match_load(record, tiny, loader, table):
    pd.testing.assert_frame_equal(loader(), getattr(record, table))
    pd.testing.assert_frame_equal(loader(paths.DATA_DIR), getattr(record, table))
    pd.testing.assert_frame_equal(loader(TINY_DIR), getattr(tiny, table))


@pytest.mark.parametrize("table", TABLES)
def test_loaded_frames_pass_their_schema(record, table):
    frame = getattr(record, table)
    schemas.SCHEMAS[table].validate(frame, lazy=True)


def test_schema_is_strict():
    frame = load_unplaced(TINY_DIR).assign(extra="x")
    with pytest.raises(pa.errors.SchemaErrors) as info:
        schemas.UNPLACED_SCHEMA.validate(frame, lazy=True)
    assert "column_in_schema" in set(info.value.failure_cases["check"])


def test_schema_checks_cross_column_rules():
    standards = load_standards(TINY_DIR)
    broken = standards.copy()
    broken.loc[2, "gold_min"] = 90  # above platinum_min 85
    with pytest.raises(pa.errors.SchemaErrors) as info:
        schemas.STANDARDS_SCHEMA.validate(broken, lazy=True)
    checks = set(info.value.failure_cases["check"])
    assert any("platinum_min greater than gold_min" in c for c in checks)


def test_constants_for_other_modules():
    assert schemas.COHORTS == ("new", "upgraded", "recertified")
    assert pd.CategoricalDtype(["Silver", "Gold", "Platinum"], ordered=True) == schemas.LEVEL_DTYPE


# ------------------------------------------------------------------ other directories


def test_copied_dir_loads_the_same(record, data_copy):
    copy = load(data_copy)
    assert copy.data_dir == data_copy
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(copy, table), getattr(record, table))
    assert (copy.assessments is None) == (record.assessments is None)


def test_loading_from_another_working_directory(tmp_path, monkeypatch, record):
    monkeypatch.chdir(tmp_path)
    assert Path.cwd() != paths.PROJECT_ROOT
    dataset = load()
    pd.testing.assert_frame_equal(dataset.certifications, record.certifications)


def test_relative_data_dir_argument(tiny_copy, monkeypatch, tiny):
    monkeypatch.chdir(tiny_copy.parent)
    pd.testing.assert_frame_equal(load(tiny_copy.name).rounds, tiny.rounds)


def test_bom_and_crlf_are_accepted(tiny, tiny_copy):
    path = tiny_copy / "certifications.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    pd.testing.assert_frame_equal(load_certifications(tiny_copy), tiny.certifications)


def test_column_order_does_not_matter(tiny, tiny_copy):
    frame = pd.read_csv(tiny_copy / "unplaced.csv", dtype=str, keep_default_na=False)
    frame[list(reversed(frame.columns))].to_csv(tiny_copy / "unplaced.csv", index=False)
    pd.testing.assert_frame_equal(load_unplaced(tiny_copy), tiny.unplaced)


def test_missing_directory_is_a_problem(tmp_path):
    missing = tmp_path / "nowhere"
    problems = validate_dir(missing)
    assert len(problems) == 1 and "existing data directory" in problems[0].expected
    with pytest.raises(DataValidationError):
        load(missing)


def test_loading_never_writes_into_data_dir(data_copy):
    def snapshot() -> dict[str, tuple[int, int]]:
        return {
            str(p.relative_to(data_copy)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in data_copy.rglob("*")
        }

    before = snapshot()
    load(data_copy)
    validate_dir(data_copy)
    assert snapshot() == before


# ------------------------------------------------------------------ assessments


def _assessment_rows(
    city: str = "testville-tx-us", round_id: str = "2024-01", outcome: str = "true"
):
    codes = load_criteria(TINY_DIR)["code"].tolist()
    return [
        [city, round_id, code, "true" if i % 3 else "false", outcome]
        for i, code in enumerate(codes)
    ]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


ASSESSMENT_HEADER = ["city_id", "round_id", "criterion", "met", "outcome_met"]


def test_load_assessments_csv(tmp_path):
    rows = _assessment_rows() + _assessment_rows("other-town-ca-us", "2025-02", "false")
    frame = load_assessments(_write_csv(tmp_path / "a.csv", ASSESSMENT_HEADER, rows))
    assert len(frame) == 86
    assert list(frame.columns) == [
        "city_id",
        "round_id",
        "criterion",
        "met",
        "outcome_met",
        "simulated",
    ]
    assert frame["met"].dtype == "bool" and frame["outcome_met"].dtype == "bool"
    assert frame["simulated"].dtype == "bool" and not frame["simulated"].any()
    assert frame.attrs["simulated"] is False
    assert frame["city_id"].dtype == STRING
    assert frame.loc[frame["city_id"] == "other-town-ca-us", "outcome_met"].eq(False).all()
    assert int(frame["met"].sum()) == 2 * sum(1 for i in range(43) if i % 3)


def test_load_assessments_simulated_flag_and_case(tmp_path):
    rows = [[*r[:3], r[3].upper(), r[4].title(), "TRUE"] for r in _assessment_rows()]
    frame = load_assessments(
        _write_csv(tmp_path / "a.csv", [*ASSESSMENT_HEADER, "simulated"], rows),
        data_dir=paths.DATA_DIR,
    )
    assert frame["simulated"].all() and frame.attrs["simulated"] is True


def test_load_assessments_xlsx_with_real_booleans(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ASSESSMENT_HEADER)
    for row in _assessment_rows():
        sheet.append([row[0], row[1], row[2], row[3] == "true", True])
    workbook.save(tmp_path / "a.xlsx")
    frame = load_assessments(tmp_path / "a.xlsx")
    assert len(frame) == 43 and frame["outcome_met"].all()
    assert frame["met"].dtype == "bool"
    assert frame.attrs["simulated"] is False


def test_load_uses_simulated_assessments_when_present(data_copy):
    target = data_copy / "simulated" / "assessments.csv"
    target.parent.mkdir(exist_ok=True)
    _write_csv(
        target, [*ASSESSMENT_HEADER, "simulated"], [[*r, "true"] for r in _assessment_rows()]
    )
    dataset = load(data_copy)
    assert dataset.assessments is not None and len(dataset.assessments) == 43
    assert dataset.assessments.attrs["simulated"] is True


def test_load_without_simulated_assessments_gives_none(data_copy):
    shutil.rmtree(data_copy / "simulated", ignore_errors=True)
    assert load(data_copy).assessments is None


def test_shipped_assessments_if_present(record):
    shipped = paths.SIMULATED_DIR / "assessments.csv"
    if shipped.exists():
        assert record.assessments is not None and record.assessments.attrs["simulated"] is True
    else:
        assert record.assessments is None


# ------------------------------------------------------------------ the room's API and its steps


def test_read_all_gives_the_frames_load_gives(record):
    frames, problems = read_all()
    assert problems == []
    expected = set(TABLES) | ({"assessments"} if record.assessments is not None else set())
    expected |= {name for name in paths.REACH_TABLES if getattr(record, name) is not None}
    assert set(frames) == expected
    for name in expected:
        pd.testing.assert_frame_equal(frames[name], getattr(record, name))


def test_read_all_gives_problems_and_no_frames_when_a_file_is_broken(tiny_copy):
    frame = pd.read_csv(tiny_copy / "unplaced.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "level"] = "silver"
    frame.to_csv(tiny_copy / "unplaced.csv", index=False)
    frames, problems = read_all(tiny_copy)
    assert frames == {}
    assert problems == validate_dir(tiny_copy) != []
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("unplaced.csv", 2, "level", "silver")
    ]


def test_resolve_data_dir():
    assert paths.resolve_data_dir(None) == paths.DATA_DIR
    assert paths.resolve_data_dir("elsewhere") == Path("elsewhere")


def test_the_data_room_exports_its_api():
    import sys

    import wwc_analysis
    import wwc_analysis.data as room

    for name in room.__all__:
        assert getattr(room, name) is not None, name
    assert room.load is sys.modules["wwc_analysis.data.dataset"].load is wwc_analysis.load
    assert room.validate_dir is wwc_analysis.validate_dir
    assert room.LEVELS == schemas.LEVELS and room.FILES["rounds"] == "rounds.csv"


def test_decode_names_line_and_byte_of_invalid_utf8():
    text, problems = decode(b"a,b\nx,\xff\n", "f.csv")
    assert text is None
    assert [(p.file, p.row, p.value) for p in problems] == [("f.csv", 2, "0xff")]
    assert "byte 3 of line 2" in problems[0].expected
    assert decode(b"\xef\xbb\xbfa,b\n", "f.csv") == ("a,b\n", [])


def test_raw_frame_keeps_strings_and_lines_and_names_short_rows():
    header = ["city", "region", "country", "level", "notes", "sources"]
    records = [
        (1, header),
        (2, ["A", "R", "C", " Gold ", "n", "s"]),
        (3, ["B", "R", "C"]),
        (5, ["D", "R", "C", "", "n", "s"]),
    ]
    raw, problems = raw_frame(records, "unplaced", "u.csv")
    assert list(raw.index) == [2, 5] and raw.index.name == "line"
    assert raw.at[2, "level"] == " Gold " and raw.at[5, "level"] == ""
    assert [(p.row, p.value) for p in problems] == [(3, "3 fields")]
    assert "too few fields" in problems[0].expected


def test_convert_types_cells_and_reports_those_that_do_not_convert():
    header = ["city", "region", "country", "level", "notes", "sources"]
    records = [
        (1, header),
        (2, ["A", "", "C", " Gold ", "n", "s"]),
        (3, ["B", "R", "C", "gold", "", "s"]),
    ]
    raw, _ = raw_frame(records, "unplaced", "u.csv")
    typed, problems, bad, kept_nullable = convert(raw, "unplaced", "u.csv")
    assert typed["level"].dtype == schemas.LEVEL_DTYPE
    assert typed.at[2, "level"] == "Gold" and pd.isna(typed.at[3, "level"])
    assert pd.isna(typed.at[2, "region"]) and pd.isna(typed.at[3, "notes"])
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "level", "gold")]
    assert bad == {(3, "level")} and kept_nullable == set()
