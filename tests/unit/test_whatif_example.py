"""Which city the what-if notebook scores (whatif.example): a list parameter in either form, the
median simulated applicant of a year (named, SIMULATED, reproducible), and the order of precedence
of a self-assessment file, the met codes and the default."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from wwc_analysis import whatif
from wwc_analysis.whatif.example import MEDIAN_APPLICANT, MET_PARAMETER, SELF_ASSESSMENT


@pytest.mark.parametrize(
    ("given", "codes"),
    [
        (["DM1", "LC1"], ("DM1", "LC1")),  # the default / papermill -y 'met: [DM1, LC1]'
        (("dm1", " lc1 "), ("DM1", "LC1")),
        ("DM1,LC1", ("DM1", "LC1")),  # papermill -p met "DM1,LC1" arrives as one string
        ("DM1, LC1;PA1  BF1", ("DM1", "LC1", "PA1", "BF1")),
        ("DM1", ("DM1",)),
        ("", ()),
        (None, ()),
    ],
)
def test_a_list_parameter_in_either_form(given, codes):
    assert whatif.criteria_codes(given) == codes


@pytest.mark.parametrize("bad", [5, 2.5, {"DM1": True}, b"DM1"])
def test_a_list_parameter_of_another_type_is_refused(bad):
    with pytest.raises(TypeError, match="criterion codes must be a list"):
        whatif.criteria_codes(bad)


def _assessments(rows: dict[tuple[str, str], int], criteria: list[str]) -> pd.DataFrame:
    """Long assessments: each (city, round) meets its first N criteria."""
    out = [
        {
            "city_id": city,
            "round_id": rnd,
            "criterion": code,
            "met": i < n,
            "outcome_met": True,
            "simulated": True,
        }
        for (city, rnd), n in rows.items()
        for i, code in enumerate(criteria)
    ]
    return pd.DataFrame(out)


def test_the_median_applicant_of_a_year(tiny, tiny_std2022):
    codes = list(tiny_std2022.criteria)
    rows = {
        ("sim-0003", "2024-01"): 30,
        ("sim-0001", "2024-06"): 10,
        ("sim-0002", "2024-01"): 20,
        ("sim-0004", "2024-06"): 20,  # ties with sim-0002: the lower id wins
        ("sim-0005", "2023-06"): 21,  # another year: not an applicant of 2024
    }
    frame = _assessments(rows, codes)
    got = whatif.median_applicant(frame, tiny, 2024)
    # 2024: 10, 20 (0002), 20 (0004), 30 -> the lower median is the second: sim-0002
    assert (got.city_id, got.round_id, len(got.met)) == ("sim-0002", "2024-01", 20)
    assert got.met == tuple(codes[:20]) and got.outcome_met is True
    assert got.source == MEDIAN_APPLICANT and got.simulated is True
    assert (got.applicants, got.scope) == (4, "the rounds of 2024")
    # as of a date before June: only the January applicants, 20 and 30 -> 20
    early = whatif.median_applicant(frame, tiny, 2024, as_of="2024-03-01")
    assert (early.city_id, early.applicants) == ("sim-0002", 2)
    # a year without applicants takes each city's latest assessment up to the date, and says so
    old = whatif.median_applicant(frame, tiny, 2019)
    assert old.scope.startswith("each simulated city's latest assessment")


def test_what_the_notebook_scores(tiny_sim, tmp_path):
    first = whatif.choose_city(None, True, None, tiny_sim, 2024)
    assert first.source == MEDIAN_APPLICANT and first.simulated and first.city_id.startswith("sim-")
    assert first == whatif.choose_city(None, False, None, tiny_sim, 2024)  # same data, same city
    mine = whatif.choose_city("DM1,LC1", False, None, tiny_sim, 2024)
    assert mine == whatif.ExampleCity(("DM1", "LC1"), False, MET_PARAMETER)
    one = tiny_sim.assessments
    one = one[(one["city_id"] == first.city_id) & (one["round_id"] == first.round_id)]
    path = tmp_path / "mine.csv"
    one.drop(columns="simulated").assign(city_id="my-town").to_csv(path, index=False)
    own = whatif.choose_city(["DM1"], True, path, tiny_sim, 2024)
    assert (own.source, own.city_id, own.met) == (SELF_ASSESSMENT, "my-town", first.met)
    without = dataclasses.replace(tiny_sim, assessments=None)
    with pytest.raises(ValueError, match="no simulated assessments: give met"):
        whatif.choose_city(None, True, None, without, 2024)
