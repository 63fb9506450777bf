"""Robustness spec files and ``wwc robustness`` in-process (issue 12): malformed specs refused with
one clear line per problem and no traceback, the three formats, the SIMULATED label; on the tiny
record's standards (``--data tests/fixtures/tiny``) and fictional cities simulated in its rounds."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest

from tests.conftest import TINY_DIR
from wwc_analysis import whatif as wi
from wwc_analysis.cli.app import main
from wwc_analysis.data.structured import ReadLimits
from wwc_analysis.simulate import simulate_assessments
from wwc_analysis.whatif.robustness_spec import (
    RobustnessSpecError,
    load_robustness_spec,
    parse_robustness_spec,
)

TINY = ("--data", str(TINY_DIR))
SPEC = """\
name: cut-offs and gates
samples: 256
uncertain:
  thresholds: {gold: 2, silver: [49, 53]}
  core: {PA1: 0.5}
  outcome: 0.5
  criteria: {EVAL1: 0.9, RDC8: 0.9}
sensitivity: {samples: 128, bootstrap: 20}
city: sim-0007
top: 5
"""


@pytest.fixture(scope="module")
def population(tiny):
    return simulate_assessments(tiny, 120, seed=7)


@pytest.fixture(scope="module")
def assessments_file(tmp_path_factory, population):
    path = tmp_path_factory.mktemp("robustness") / "assessments.csv"
    population.to_csv(path, index=False)
    return path


def run(tmp_path, capsys, text, *extra, suffix=".yaml"):
    spec = tmp_path / f"spec{suffix}"
    spec.write_text(text, encoding="utf-8")
    code = main(["robustness", "--file", str(spec), *TINY, *extra])
    out, err = capsys.readouterr()
    return code, out, err


# --- malformed specs -----------------------------------------------------------------------------

MALFORMED = [
    ("- thresholds: 3\n", "must hold a mapping of keys, got list"),
    ("uncertain: {thresholds: [3\n", "is not valid YAML"),
    ("", "is empty"),
    ("uncertian: {outcome: 0.5}\n", "unknown key 'uncertian' (did you mean 'uncertain'?)"),
    (
        "uncertain: {treshold: 3}\n",
        "uncertain: unknown key 'treshold' (did you mean 'thresholds'?)",
    ),
    (
        "uncertain: {thresholds: {gold: 2.5}}\n",
        "uncertain.thresholds.gold: expected a whole number",
    ),
    (
        "uncertain: {thresholds: {silver: [40, 70]}}\n",
        "the Silver cut-off (up to 70 %) could exceed the Gold cut-off (from 68 %)",
    ),
    (
        "uncertain: {thresholds: {platinum: [90, 105]}}\n",
        "uncertain.thresholds.platinum: [90, 105] must satisfy 0 <= low <= high <= 100",
    ),
    ("uncertain: {core: {DM2: 0.5}}\n", "uncertain.core.DM2: a criterion but not a core criterion"),
    (
        "uncertain: {criteria: {eval1: 0.5}}\n",
        "unknown criterion 'eval1' (did you mean EVAL1?) for standard 2022",
    ),
    ("uncertain: {outcome: 1.5}\n", "uncertain.outcome: 1.5 is not strictly between 0 and 1"),
    ("uncertain: {criteria: [EVAL1]}\n", "expected a probability or a mapping of criteria"),
    ("samples: 1000\nuncertain: {outcome: 0.5}\n", "samples: 1000 is not a power of 2"),
    ("method: sobel\nuncertain: {outcome: 0.5}\n", "method: 'sobel' is not one of sobol, random"),
    ("standard: '2030'\nuncertain: {outcome: 0.5}\n", "standard: unknown standard '2030'"),
    ("name: x\n", "uncertain: missing"),
    ("uncertain: {}\n", "uncertain: declare at least one uncertain input"),
    (
        "uncertain: {outcome: 0.5}\nsensitivity: {criteria: areas}\n",
        "sensitivity.criteria: 'areas' is not one of area, each, all (did you mean 'area'?)",
    ),
    ("uncertain: {outcome: 0.5}\nsensitivity: {bootstrap: -1}\n", "sensitivity.bootstrap: -1"),
    ("uncertain: {outcome: 0.5}\nround: 2025\n", "round: expected latest, all or a round id"),
    ("uncertain: {outcome: 0.5}\nseed: abc\n", "seed: expected a whole number, got 'abc'"),
    ("samples: 1048576\nuncertain: {outcome: 0.5}\n", "samples: 1048576 is outside 1-262,144"),
    (
        "uncertain: {criteria: 0.9}\nsensitivity: {samples: 8192, criteria: each}\n",
        "8,192 base samples x (43 inputs + 2) = 368,640 runs; at most 262,144",
    ),
    ("uncertain: {outcome: 0.5}\nleave_one_out: maybe\n", "leave_one_out: expected true or false"),
    (
        "uncertain: {outcome: 0.5}\nuncertain: {outcome: 0.4}\n",
        "spec.yaml:2: key 'uncertain' is given twice (lines 1 and 2)",
    ),
    ("a: &x [1]\nb: *x\n", "aliases (*name) are not allowed"),
    ("uncertain: {outcome: 0.5}\nround: '2030-01'\n", "round '2030-01' is not in the assessments"),
    ("uncertain: {outcome: 0.5}\ncity: nobody\n", "city: 'nobody' is not among the assessments"),
    # values of the wrong kind, NaN and infinities: one line naming the key
    ("uncertain: {thresholds: .nan}\n", "uncertain.thresholds: expected a whole number, got nan"),
    ("uncertain: {thresholds: 2.5}\n", "uncertain.thresholds: expected a whole number, got 2.5"),
    (
        "uncertain: {thresholds: [1, 2]}\n",
        "uncertain.thresholds: expected a number of points (3) or a mapping like "
        "{gold: 3, silver: [49, 53]}, got [1, 2]",
    ),
    ("uncertain: {thresholds: {gold: [60, .nan]}}\n", "expected two whole percents (low, high)"),
    ("uncertain: {outcome: .nan}\n", "uncertain.outcome: nan is not strictly between 0 and 1"),
    ("uncertain: {core: {PA1: .inf}}\n", "uncertain.core.PA1: inf is not strictly between 0"),
    ("uncertain: {criteria: {EVAL1: -.inf}}\n", "uncertain.criteria.EVAL1: -inf is not strictly"),
    ("uncertain: {criteria: .nan}\n", "uncertain.criteria: nan is not strictly between 0 and 1"),
    (
        "uncertain: {outcome: 0.5}\nsensitivity: {confidence: .nan}\n",
        "sensitivity.confidence: expected a number between 0 and 1, got nan",
    ),
    ("uncertain: {outcome: 0.5}\nsamples: .inf\n", "samples: expected a whole number, got inf"),
    ("uncertain: {outcome: 0.5}\nname: {a: 1}\n", "name: expected text, got {'a': 1}"),
    (
        "uncertain: {outcome: 0.5}\nname: 12\n",
        "name: expected text (quote a name that looks like a number), got 12",
    ),
    (
        "uncertain: {outcome: 0.5}\nstandard: {a: 1}\n",
        "standard: expected a standard's name like 2022, got {'a': 1}",
    ),
    ("uncertain: {outcome: 0.5}\ncity: .nan\n", "city: expected a city id, got nan"),
]


@pytest.mark.parametrize("text, problem", MALFORMED, ids=[m[1][:40] for m in MALFORMED])
def test_a_malformed_spec_is_refused_with_one_line(
    tmp_path, capsys, assessments_file, text, problem
):
    code, out, err = run(tmp_path, capsys, text, "--assessments", str(assessments_file))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("wwc robustness: error: ") and problem in lines[0], err
    assert "Traceback" not in err


def test_every_problem_of_a_spec_gets_its_own_line(tmp_path, capsys, assessments_file):
    text = (
        "samples: 100\nmethod: sobol\ntop: 0\n"
        "uncertain: {thresholds: {gold: 0}, core: {XX1: 0.5}, outcome: 2}\n"
    )
    code, out, err = run(tmp_path, capsys, text, "--assessments", str(assessments_file))
    lines = err.splitlines()
    assert code == 2 and out == "" and len(lines) == 5, err
    for fragment in ("top: 0 is outside", "samples: 100 is not a power of 2", "gold: 0 is outside"):
        assert sum(fragment in line for line in lines) == 1
    assert all(line.startswith("wwc robustness: error: spec.yaml: ") for line in lines)


def test_json_specs_and_unreadable_files(tmp_path, capsys, assessments_file):
    code, _, err = run(tmp_path, capsys, '{"uncertain": {"outcome": 0.5', suffix=".json")
    assert code == 2 and "is not valid JSON" in err and len(err.splitlines()) == 1
    code, _, err = run(tmp_path, capsys, '{"uncertain": 1, "uncertain": 2}', suffix=".json")
    assert code == 2 and "key 'uncertain' is given twice (lines 1 and 1)" in err
    code = main(["robustness", "--file", str(tmp_path / "none.yaml"), *TINY])
    assert code == 2 and "cannot read spec file" in capsys.readouterr().err
    big = tmp_path / "big.yaml"
    big.write_text("#" * (ReadLimits().max_bytes + 1))
    assert main(["robustness", "--file", str(big), *TINY]) == 2
    assert "the spec file is 1,048,577 bytes; the limit is 1,048,576" in capsys.readouterr().err
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["robustness", "--file", str(deep), *TINY]) == 2
    err = capsys.readouterr().err
    assert "nested too deeply" in err or "not valid JSON" in err
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert main(["robustness", "--file", str(binary), *TINY]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err
    code, _, err = run(
        tmp_path, capsys, "uncertain: {outcome: 0.5}\n", "--assessments", str(tmp_path / "x.csv")
    )
    assert code == 2 and "x.csv does not exist" in err


#: A YAML alias bomb ("billion laughs"), its last level under the allowed key ``name``.
BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(7)
    )
    + f"name: [{', '.join(['*h'] * 9)}]\n"
)

#: The hostile files of issue 11, as spec files: (name, suffix, content, words of the one line).
HOSTILE = [
    ("JSON nested 100,000 deep", ".json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("YAML nested 100,000 deep", ".yaml", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("alias bomb under name", ".yaml", BOMB, "aliases (*name) are not allowed in a spec file"),
    (
        "duplicate keys",
        ".yaml",
        "name: a\nuncertain: {outcome: 0.5}\nname: b\n",
        "spec.yaml:3: key 'name' is given twice (lines 1 and 3)",
    ),
    (
        "not UTF-8",
        ".yaml",
        "name: caf\u00e9\nuncertain: {outcome: 0.5}\n".encode("latin-1"),
        "spec.yaml:1: the spec file is not UTF-8 text: byte 0xe9",
    ),
    (
        "a python tag",
        ".yaml",
        "name: !!python/object/apply:os.system ['echo hi']\nuncertain: {outcome: 0.5}\n",
        "could not determine a constructor for the tag",
    ),
    (
        "an escape sequence",
        ".yaml",
        'name: "\\e[2J\\e[31mred"\nuncertain: {outcome: 0.5}\n',
        "holds the control character \\x1b",
    ),
]


@pytest.mark.parametrize("name, suffix, text, words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_spec_files_are_refused_with_one_line(tmp_path, capsys, tiny, name, suffix, text,
                                                      words):  # fmt: skip
    """The shared bounded reader of issue 11 reads spec files too: each hostile file is refused
    at once (the spec is read before any assessment), in one line naming the file, exit 2."""
    spec = tmp_path / f"spec{suffix}"
    (spec.write_bytes if isinstance(text, bytes) else spec.write_text)(text)
    start = time.perf_counter()
    with pytest.raises(RobustnessSpecError):
        load_robustness_spec(spec, tiny)
    assert time.perf_counter() - start < 1
    code = main(["robustness", "--file", str(spec), *TINY])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"wwc robustness: error: {spec}") and words in err, err
    assert "\x1b" not in err and "Traceback" not in err


def test_a_50_mb_spec_is_refused_before_it_is_read(tmp_path, capsys):
    spec = tmp_path / "big.yaml"
    with spec.open("w") as handle:
        handle.write("uncertain: {outcome: 0.5}\nname: x\n")
        handle.write(("#" * 999 + "\n") * 50_000)
    assert main(["robustness", "--file", str(spec), *TINY]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the spec file is 50,000,034 bytes" in err
    assert "raise it with --max-file-mb" in err


def test_the_limits_of_a_spec_file_are_options_as_in_whatif(tmp_path, capsys, assessments_file):
    text = "uncertain: {outcome: 0.5}\nsamples: 64\nsensitivity: false\n"
    code, _, err = run(tmp_path, capsys, text + "#" * 2_000_000 + "\n")
    assert code == 2 and "raise it with --max-file-mb" in err
    code, out, err = run(
        tmp_path,
        capsys,
        text + "#" * 2_000_000 + "\n",
        "--max-file-mb",
        "3",
        "--assessments",
        str(assessments_file),
    )
    assert code == 0 and "Robustness of the 2022 standard" in out, err
    many = "criteria: {" + ", ".join(f"X{i}: 0.5" for i in range(20)) + "}"
    code, _, err = run(tmp_path, capsys, f"uncertain: {{{many}}}\n", "--max-items", "10")
    assert code == 2 and "a mapping with too many entries; the limit is 10" in err
    assert "raise it with --max-items" in err and err.count("\n") == 1
    code, _, err = run(tmp_path, capsys, "uncertain: {outcome: 0.5}\n", "--max-values", "2")
    assert code == 2 and "raise it with --max-values" in err
    with pytest.raises(SystemExit):
        main(["robustness", "--file", "x.yaml", "--max-file-mb", "x"])
    assert "expected a whole number of at least 1, got 'x'" in capsys.readouterr().err


def test_parse_builds_the_spec(tiny, tiny_std2022):
    spec = parse_robustness_spec(
        {"uncertain": {"thresholds": 3, "core": True, "criteria": 0.9}, "round": "all"}, tiny
    )
    assert spec.inputs.thresholds == {"Silver": (48, 54), "Gold": (65, 71), "Platinum": (82, 88)}
    assert spec.inputs.core == {"DM1": 0.5, "LC1": 0.5, "PA1": 0.5}
    assert spec.inputs.criteria == dict.fromkeys(tiny_std2022.criteria, 0.9)
    assert spec.inputs.outcome is None and spec.round == "all" and spec.samples == 4096
    assert spec.sensitivity is not None and spec.sensitivity.samples == 1024
    off = parse_robustness_spec({"uncertain": {"outcome": True}, "sensitivity": False}, tiny)
    assert off.sensitivity is None and off.inputs.outcome == 0.5
    with pytest.raises(RobustnessSpecError) as info:
        parse_robustness_spec({"uncertain": {"thresholds": {"gold": -1}}}, tiny)
    assert info.value.problems == ["uncertain.thresholds.gold: -1 is outside 1-100"]
    with pytest.raises(TypeError, match="Dataset"):
        parse_robustness_spec({}, None)


# --- the three formats ---------------------------------------------------------------------------


def test_text_output(tmp_path, capsys, assessments_file):
    code, out, err = run(tmp_path, capsys, SPEC, "--assessments", str(assessments_file))
    assert code == 0 and err == ""
    assert out.startswith("Assessments: ") and "SIMULATED (fictional cities" in out.splitlines()[0]
    for part in (
        "Robustness of the 2022 standard: cut-offs and gates",
        "Population: 120 fictional cities, each at its latest assessment.",
        "Uncertain inputs, 256 runs (Sobol' points, seed 2022):",
        "  - Gold cut-off: a whole percent from 66 to 70, each equally likely (the standard: 68 %)",
        "Tier counts over the runs:",
        "Sensitivity: first-order and total-effect indices",
        "Leave one criterion out (cut-offs as percentages of the other 42), first 5 of 43:",
        "Add one criterion (met by every city), first 5 of 43:",
        "City sim-0007 meets",
    ):
        assert part in out, part
    assert "None" not in out and "nan" not in out.lower() and "**" not in out


def test_json_output_is_the_report(tmp_path, capsys, assessments_file, population, tiny):
    code, out, _ = run(
        tmp_path, capsys, SPEC, "--assessments", str(assessments_file), "--format", "json"
    )
    d = json.loads(out)
    assert code == 0 and d["simulated"] is True and "SIMULATED" in d["note"]
    spec = parse_robustness_spec(__import__("yaml").safe_load(SPEC), tiny)
    report = wi.run_robustness(spec, population)
    counts = report.uncertainty.count_frame(0.9)
    assert [r["baseline"] for r in d["tier_counts"]] == counts["baseline"].tolist()
    assert d["population"] == {"round": "latest", "cities": 120, "assessments": 120}
    assert len(d["leave_one_out"]) == 43 and len(d["cities"]["least_stable"]) <= 5
    assert d["city"]["city_id"] == "sim-0007" and abs(sum(d["city"]["shares"].values()) - 1) < 1e-9
    assert {"input", "first_order", "total_effect"} <= set(d["sensitivity"]["indices"][0])
    assert d["assessments"].endswith("assessments.csv")


def test_csv_output_is_one_labelled_table(tmp_path, capsys, assessments_file):
    code, out, _ = run(
        tmp_path, capsys, SPEC, "--assessments", str(assessments_file), "--format", "csv"
    )
    first, rest = out.split("\n", 1)
    assert code == 0 and first.startswith("# SIMULATED DATA")
    rows = list(csv.DictReader(io.StringIO(rest)))
    assert set(rows[0]) == {"analysis", "subject", "measure", "value", "low", "high", "simulated"}
    kinds = {r["analysis"] for r in rows}
    assert kinds == {
        "tier_counts",
        "city",
        "sensitivity",
        "leave_one_out",
        "add_one",
        "city_stability",
    }
    assert all(r["simulated"] == "True" for r in rows)


def test_real_assessments_are_not_labelled_simulated(tmp_path, capsys, population):
    # a researcher's own (real) file: its own city ids and no `simulated` column (sim- ids without
    # the column are refused as mislabelled simulated data)
    real = population.drop(columns="simulated")
    real["city_id"] = real["city_id"].str.replace("sim-", "city-", regex=False)
    path = tmp_path / "real.csv"
    real.to_csv(path, index=False)
    text = "uncertain: {outcome: 0.5}\nsamples: 64\nsensitivity: false\n"
    code, out, _ = run(tmp_path, capsys, text, "--assessments", str(path))
    assert code == 0 and "SIMULATED" not in out and "fictional" not in out
    assert "Population: 120 cities" in out
    code, out, _ = run(tmp_path, capsys, text, "--assessments", str(path), "--format", "json")
    d = json.loads(out)
    assert d["simulated"] is False and "note" not in d and "sensitivity" not in d


def test_round_selection(population):
    latest = wi.select_assessments(population, "latest")
    assert latest.groupby("city_id")["round_id"].nunique().max() == 1
    assert len(wi.select_assessments(population, "all")) == len(population)
    one = wi.select_assessments(population, "2024-06")
    assert set(one["round_id"]) == {"2024-06"}


def test_robustness_is_a_wwc_command(capsys):
    from wwc_analysis.cli import app, robustness

    assert robustness in app.COMMANDS
    with pytest.raises(SystemExit):
        main(["robustness", "--help"])
    assert "--assessments" in capsys.readouterr().out
