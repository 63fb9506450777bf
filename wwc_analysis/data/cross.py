"""Checks that span tables: foreign keys, criteria counts, assessments against rounds and criteria.

A check runs only against a table that was read completely (:meth:`Table.usable`): a table with an
unreadable row could make a right value look wrong. Each check returns its problems; the caller
(:func:`wwc_analysis.data.validate.collect`) decides which checks concern the tables asked for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wwc_analysis.data.paths import FILES
from wwc_analysis.data.table import Reader, Table, has_columns
from wwc_analysis.errors import Problem


def _check_standard_exists(reader: Reader, table: str) -> list[Problem]:
    """Every row's ``standard`` in ``table`` (criteria or rounds) is a standard of standards.csv:
    one problem per file and unknown standard, at its first row, counting the rows."""
    frame = reader.get(table).frame
    standards = reader.get("standards").usable("standard")
    if not has_columns(frame, "standard") or standards is None:
        return []
    known = set(standards["standard"].dropna())
    expected = f"a standard listed in standards.csv ({', '.join(sorted(known))})"
    # criteria come from several criteria_<standard>.csv files, each row remembers its own (and
    # their line numbers repeat from one file to the next: rows are found by position)
    files = frame["_file"] if "_file" in frame.columns else pd.Series(FILES[table], frame.index)
    wrong = (frame["standard"].notna() & ~frame["standard"].isin(known)).to_numpy()
    rows = pd.DataFrame(
        {
            "file": files.to_numpy()[wrong],
            "line": frame.index.to_numpy()[wrong],
            "standard": frame["standard"].to_numpy()[wrong],
        }
    )
    problems = []
    for (file, standard), group in rows.groupby(["file", "standard"], sort=False):
        first, count = int(group["line"].iloc[0]), len(group)
        more = f" ({count} rows from line {first})" if count > 1 else ""
        problems.append(Problem(str(file), first, "standard", standard, expected + more))
    return problems


def _check_criteria_standard(reader: Reader) -> list[Problem]:
    return _check_standard_exists(reader, "criteria")


def _check_criteria_counts(reader: Reader) -> list[Problem]:
    """Each standard with listed criteria: criteria_count, practice_area_count and core agree."""
    criteria = reader.get("criteria").usable("standard")
    standards = reader.get("standards").frame
    if criteria is None or not has_columns(standards, "standard"):
        return []
    problems = []
    for line, row in standards.iterrows():
        name = row["standard"]
        if pd.isna(name):
            continue
        listed = criteria[criteria["standard"] == name]
        if listed.empty:
            continue  # criteria of this standard are not listed (2017, 2018)
        where = ", ".join(sorted(set(listed["_file"])))
        count = row.get("criteria_count")
        if count is not None and not pd.isna(count) and int(count) != len(listed):
            problems.append(
                Problem(
                    FILES["standards"],
                    int(line),
                    "criteria_count",
                    str(int(count)),
                    f"{len(listed)}, the number of criteria of standard {name} listed in {where}",
                )
            )
        areas = row.get("practice_area_count")
        if (
            "practice_area" in listed.columns
            and areas is not None
            and not pd.isna(areas)
            and int(areas) != listed["practice_area"].nunique()
        ):
            problems.append(
                Problem(
                    FILES["standards"],
                    int(line),
                    "practice_area_count",
                    str(int(areas)),
                    f"{listed['practice_area'].nunique()}, the number of practice areas "
                    f"of standard {name} in {where}",
                )
            )
        required = row.get("core_criteria_required")
        if (
            "core" in listed.columns
            and required is not None
            and not pd.isna(required)
            and bool(required)
            and not listed["core"].fillna(False).astype(bool).any()
        ):
            problems.append(
                Problem(
                    FILES["standards"],
                    int(line),
                    "core_criteria_required",
                    "true",
                    f"false, or at least one criterion with core=true in {where}",
                )
            )
    return problems


def _check_rounds_standard(reader: Reader) -> list[Problem]:
    return _check_standard_exists(reader, "rounds")


def _round_ids(rounds: pd.DataFrame) -> set[str]:
    return set(rounds["round_id"].dropna())


def _check_certifications_round(reader: Reader) -> list[Problem]:
    """Every certification's ``round_id`` is a round of rounds.csv."""
    certs = reader.get("certifications").frame
    rounds = reader.get("rounds").usable("round_id")
    if not has_columns(certs, "round_id") or rounds is None:
        return []
    known = _round_ids(rounds)
    wrong = certs["round_id"].notna() & ~certs["round_id"].isin(known)
    return [
        Problem(
            FILES["certifications"], int(line), "round_id", value, "a round_id listed in rounds.csv"
        )
        for line, value in certs.loc[wrong, "round_id"].items()
    ]


def check_assessments(reader: Reader, table: Table) -> list[Problem]:
    """Rounds exist; criteria are of the round's standard; each city and round lists them all.

    Checked only against rounds and criteria without problems in the columns used: a repeated or
    wrong code there would otherwise give one problem per city and round. When either was read but
    has such problems, they are listed, then one problem says that the file was not checked, and how
    much of it."""
    frame = table.frame
    if not has_columns(frame, "city_id", "round_id", "criterion"):
        return []
    references = (
        (reader.get("rounds"), ("round_id", "standard")),
        (reader.get("criteria"), ("standard", "code")),
    )
    broken = [ref for ref, cols in references if ref.frame is not None and ref.clean(*cols) is None]
    if broken:  # the reference's own problems say why (they are listed once)
        return [*broken[-1].problems, _not_checked(frame, table.file, broken[-1])]
    rounds = reader.get("rounds").usable("round_id", "standard")
    criteria = reader.get("criteria").usable("standard", "code")
    if rounds is None or criteria is None:
        return []
    file = table.file
    standard_of = dict(zip(rounds["round_id"], rounds["standard"]))
    codes_of, files_of = _criteria_of_standards(criteria)
    if _assessments_pass(table, standard_of, codes_of):
        return []
    known = frame["round_id"].notna() & frame["round_id"].isin(standard_of.keys())
    problems = _unknown_round_problems(frame.loc[frame["round_id"].notna() & ~known], file)
    # From here on, vectorised: a simulated file holds tens of thousands of rows.
    rows = pd.DataFrame(
        {
            "line": frame.index.astype(int),
            "city_id": frame["city_id"].astype(object),
            "round_id": frame["round_id"].astype(object),
            "criterion": frame["criterion"].astype(object),
        }
    ).loc[(known & frame["city_id"].notna()).to_numpy()]
    rows["standard"] = rows["round_id"].map(standard_of).astype(object)
    groups = rows.groupby(["city_id", "round_id"], sort=False).agg(
        first=("line", "min"), standard=("standard", "first")
    )
    problems += _unlisted_standard_problems(groups, codes_of, file)
    valid, strangers = _criterion_problems(rows, codes_of, files_of, file)
    problems += strangers
    if table.complete:  # a row that could not be read may hold a "missing" code
        problems += _incomplete_problems(rows[valid.to_numpy()], groups, codes_of, file)
    return problems


def _assessments_pass(
    table: Table, standard_of: dict[str, str], codes_of: dict[str, list[str]]
) -> bool:
    """The fast path of :func:`check_assessments`, on the codes of a file read by the fast path
    (complete, keys unique and never empty): True when every round is known and has listed
    criteria, every criterion belongs to its round's standard and every city and round lists as
    many rows as its standard has criteria (then, keys being unique, every criterion once).
    ``False`` means only that something fails: the slow path says what, where."""
    factors = table.factors
    if (
        not table.complete
        or table.problems
        or not {"city_id", "round_id", "criterion"} <= set(factors)
    ):
        return False
    city, _ = factors["city_id"]
    rounds, round_values = factors["round_id"]
    criteria, criterion_values = factors["criterion"]
    names = [str(v) for v in round_values]
    if not all(name in standard_of and standard_of[name] in codes_of for name in names):
        return False
    listed = [set(codes_of[standard_of[name]]) for name in names]
    allowed = np.array([[str(c) in codes for c in criterion_values] for codes in listed])
    if not allowed[rounds, criteria].all():
        return False
    needed = np.array([len(codes) for codes in listed])
    counts = np.bincount(city.astype(np.int64) * len(names) + rounds)
    present = np.flatnonzero(counts)
    return bool((counts[present] == needed[present % len(names)]).all())


def _not_checked(frame: pd.DataFrame, file: str, reference: Table) -> Problem:
    """One problem for an assessment file that could not be checked against ``reference``."""
    groups = len(frame[["city_id", "round_id"]].dropna().drop_duplicates())
    what = "criteria" if reference.name == "criteria" else "rounds"
    column = "criterion" if reference.name == "criteria" else "round_id"
    return Problem(
        file,
        None,
        column,
        None,
        f"{'criterion codes' if what == 'criteria' else 'round ids'} checked against "
        f"{reference.file}, which has problems of its own (listed with it): the {len(frame):,} "
        f"rows ({groups:,} cities and rounds) of this file were not checked against the {what}",
    )


def _criteria_of_standards(
    criteria: pd.DataFrame,
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The criterion codes of each standard with listed criteria, and the files that list them."""
    codes_of: dict[str, list[str]] = {}
    files_of: dict[str, str] = {}
    for name, group in criteria.groupby("standard", sort=False):
        codes_of[str(name)] = list(group["code"].dropna())
        files_of[str(name)] = ", ".join(sorted(set(group["_file"])))
    return codes_of, files_of


def _unknown_round_problems(unknown: pd.DataFrame, file: str) -> list[Problem]:
    """One problem per city and unknown round, at the first of its rows."""
    problems: list[Problem] = []
    keys = [unknown["city_id"].astype(object).fillna(""), unknown["round_id"]]
    for (city, round_id), group in unknown.groupby(keys, sort=False):
        lines = [int(x) for x in group.index]
        span = f"line {lines[0]}" if len(lines) == 1 else f"{len(lines)} rows from line {lines[0]}"
        problems.append(
            Problem(
                file,
                lines[0],
                "round_id",
                round_id,
                f"a round_id listed in rounds.csv (city {city or '?'}: {span})",
            )
        )
    return problems


def _unlisted_standard_problems(
    groups: pd.DataFrame, codes_of: dict[str, list[str]], file: str
) -> list[Problem]:
    """One problem per city and round whose standard has no criteria file."""
    problems: list[Problem] = []
    unlisted = groups[~groups["standard"].isin(codes_of.keys())]
    for (city, round_id), group in unlisted.iterrows():
        standard, first = group["standard"], int(group["first"])
        problems.append(
            Problem(
                file,
                first,
                "round_id",
                round_id,
                f"a round whose standard's criteria are listed: round {round_id} uses standard "
                f"{standard}, which has no criteria_{standard}.csv "
                f"(rows of {city} from line {first})",
            )
        )
    return problems


def _criterion_problems(
    rows: pd.DataFrame, codes_of: dict[str, list[str]], files_of: dict[str, str], file: str
) -> tuple[pd.Series, list[Problem]]:
    """Which rows name a criterion of their round's standard; a problem for each that does not."""
    problems: list[Problem] = []
    valid = pd.Series(False, index=rows.index)
    for standard, codes in codes_of.items():
        of_standard = (rows["standard"] == standard).to_numpy()
        valid |= of_standard & rows["criterion"].isin(codes).to_numpy()
        strangers = rows[of_standard & rows["criterion"].notna().to_numpy() & ~valid.to_numpy()]
        for row in strangers.itertuples(index=False):
            problems.append(
                Problem(
                    file,
                    int(row.line),
                    "criterion",
                    row.criterion,
                    f"a criterion code of standard {standard} "
                    f"(the standard of round {row.round_id}), "
                    f"one of the {len(codes)} codes in {files_of[standard]}",
                )
            )
    return valid, problems


def _incomplete_problems(
    known_codes: pd.DataFrame, groups: pd.DataFrame, codes_of: dict[str, list[str]], file: str
) -> list[Problem]:
    """One problem per city and round that does not list every criterion of its standard.

    ``known_codes`` are the rows with a valid criterion; only short groups are examined.
    """
    problems: list[Problem] = []
    known_codes = known_codes[~known_codes.duplicated(["city_id", "round_id", "criterion"])]
    found = known_codes.groupby(["city_id", "round_id"], sort=False).size()
    listed = groups[groups["standard"].isin(codes_of.keys())]
    needed = listed["standard"].map(lambda std: len(codes_of[std]))
    short = listed[found.reindex(listed.index, fill_value=0) < needed]
    for (city, round_id), group in short.iterrows():
        standard, first = group["standard"], int(group["first"])
        have = set(
            known_codes.loc[
                (known_codes["city_id"] == city) & (known_codes["round_id"] == round_id),
                "criterion",
            ]
        )
        missing = [code for code in codes_of[standard] if code not in have]
        problems.append(
            Problem(
                file,
                first,
                "criterion",
                ", ".join(missing),
                f"every criterion of standard {standard} once for city {city} in round {round_id} "
                f"(rows from line {first}); missing: {', '.join(missing)}",
            )
        )
    return problems


#: The checks between tables of the directory, each with the tables it reads.
CROSS_CHECKS = (
    (_check_criteria_standard, ("criteria", "standards")),
    (_check_criteria_counts, ("criteria", "standards")),
    (_check_rounds_standard, ("rounds", "standards")),
    (_check_certifications_round, ("certifications", "rounds")),
)
