"""What every test shares: the tiers, the hypothesis profiles and the session fixtures.

Tiers (one folder each; the folder sets the marker, see ``pytest_collection_modifyitems``):

- ``tests/unit``: logic on small inputs: the tiny record of ``tests/fixtures/tiny``, frames built in
  the test, or the shipped record through relations that hold for any edition of it. No kernel, no
  child process. Marker ``unit``.
- ``tests/integration``: the command line in child processes, kernels, papermill, report builds and
  nbconvert. Marker ``integration``; every one is also ``slow``.
- ``tests/record``: the shipped record (``data/`` and ``data/simulated/``) against
  ``tests/record/expected.yaml``, the one file that holds its expected figures. Marker ``record``.
- the notebooks under ``notebooks/`` (nbval; see ``notebooks/conftest.py``), marked ``slow``.

``make test`` runs everything on every core; ``make test-fast`` leaves out what is ``slow``.

Hypothesis runs the profile named by ``HYPOTHESIS_PROFILE``: ``fast`` by default, ``ci`` (what
``.ci/run`` sets) for a thorough run. Tests take their example count from the profile.

Session fixtures are read-only: a test that needs to change a table copies it (``.copy()``,
``dataclasses.replace``) or a folder (``data_copy``, ``record_copy``, ``tiny_copy``). The shared
datasets check at the end of the session that no test changed them in place.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, settings

from wwc_analysis.data import Dataset, load, paths
from wwc_analysis.rules.standards import Standard, get_standard
from wwc_analysis.simulate import simulate_assessments

TESTS_DIR = Path(__file__).resolve().parent
#: The tiny purpose-built record of the unit tests (its README tells each city's story).
TINY_DIR = TESTS_DIR / "fixtures" / "tiny"
#: A made-up universe and crosswalk for the tiny record (read with it: ``tiny_reach``).
REACH_DIR = TESTS_DIR / "fixtures" / "reach"
#: Every expected figure of the shipped record.
EXPECTED_FILE = TESTS_DIR / "record" / "expected.yaml"
TIERS = ("unit", "integration", "record")

# --- hypothesis -----------------------------------------------------------------------------------
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("fast", max_examples=30, deadline=None, suppress_health_check=_QUIET)
settings.register_profile(
    "ci", max_examples=250, deadline=None, suppress_health_check=_QUIET, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


# --- kernels --------------------------------------------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    """The kernels this test process starts (papermill, report builds, nbval) keep their IPython
    profile in a folder of their own: the kernels of two workers never write one history database,
    and a user's ~/.ipython startup files never run in a test. (notebooks/conftest.py does the same
    when the notebooks run alone.)"""
    if os.environ.get("WWC_TEST_IPYTHONDIR_PID") != str(os.getpid()):
        folder = tempfile.mkdtemp(prefix="wwc-test-ipython-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ.update(IPYTHONDIR=folder, WWC_TEST_IPYTHONDIR_PID=str(os.getpid()))


# --- tiers ----------------------------------------------------------------------------------------
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of ``tests/`` with the tier of its folder (integration tests are also slow);
    a test module outside the tier folders is an error."""
    for item in items:
        try:
            parts = Path(item.path).resolve().relative_to(TESTS_DIR).parts
        except ValueError:  # the notebooks: notebooks/conftest.py marks them
            continue
        tier = parts[0] if len(parts) > 1 else None
        if tier not in TIERS:
            raise pytest.UsageError(
                f"{item.nodeid}: a test module belongs in tests/unit, tests/integration or "
                "tests/record (see tests/conftest.py)"
            )
        item.add_marker(tier)
        if tier == "integration":
            item.add_marker("slow")


# --- the shipped record ---------------------------------------------------------------------------
def _fingerprint(dataset: Dataset) -> dict[str, tuple]:
    """Columns, dtypes and a hash of the values of every table: a cheap check that nothing changed
    a shared Dataset in place (cheaper than loading it again)."""
    out = {}
    for field in dataclasses.fields(Dataset):
        frame = getattr(dataset, field.name)
        if isinstance(frame, pd.DataFrame):
            values = int(pd.util.hash_pandas_object(frame, index=True).sum())
            out[field.name] = (tuple(frame.columns), tuple(map(str, frame.dtypes)), values)
    return out


def _shared(dataset: Dataset, what: str):
    """Yield ``dataset``; at the end of the session, fail if a test changed it in place."""
    before = _fingerprint(dataset)
    yield dataset
    after = _fingerprint(dataset)
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert not changed, f"a test changed {what}.{', '.join(changed)} in place (copy it first)"


@pytest.fixture(scope="session")
def record():
    """The project's shipped data (the public record and the simulated assessments). Read-only."""
    yield from _shared(load(), "record")


@pytest.fixture(scope="session")
def std2022(record: Dataset) -> Standard:
    return get_standard("2022", record)


@pytest.fixture(scope="session")
def std2018(record: Dataset) -> Standard:
    return get_standard("2018", record)


@pytest.fixture(scope="session")
def expected() -> dict:
    """``tests/record/expected.yaml``: the expected figures of the shipped record (record tier)."""
    return load_expected(EXPECTED_FILE)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice (PyYAML keeps the last one silently, which
    would drop an expected figure without a word)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_expected(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_UniqueKeyLoader)  # a SafeLoader: no objects built


# --- the tiny record ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def tiny():
    """The tiny purpose-built record (``tests/fixtures/tiny``): 22 events of 13 made-up cities in 7
    rounds, and the real standards. No simulated assessments. Read-only."""
    yield from _shared(load(TINY_DIR), "tiny")


@pytest.fixture(scope="session")
def tiny_std2022(tiny: Dataset) -> Standard:
    return get_standard("2022", tiny)


@pytest.fixture(scope="session")
def tiny_std2018(tiny: Dataset) -> Standard:
    return get_standard("2018", tiny)


@pytest.fixture(scope="session")
def tiny_std2017(tiny: Dataset) -> Standard:
    return get_standard("2017", tiny)


@pytest.fixture(scope="session")
def tiny_sim(tiny: Dataset) -> Dataset:
    """The tiny record with SIMULATED assessments of 300 fictional cities in its four rounds of the
    2022 standard (seeded). Read-only."""
    simulated = simulate_assessments(tiny, 300, seed=2022)
    yield from _shared(dataclasses.replace(tiny, assessments=simulated), "tiny_sim")


@pytest.fixture(scope="session")
def tiny_reach(tmp_path_factory):
    """The tiny record with the made-up universe and crosswalk of ``tests/fixtures/reach`` (its
    README has the hand counts). Read-only."""
    folder = _tiny_with_reach(tmp_path_factory.mktemp("tiny-reach") / "tiny")
    yield from _shared(load(folder), "tiny_reach")


def _tiny_with_reach(target: Path) -> Path:
    _copy_csv(TINY_DIR, target)
    for path in REACH_DIR.glob("*.csv"):
        shutil.copy(path, target / path.name)
    return target


# --- folders to change ----------------------------------------------------------------------------
@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the project's data directory, everything in it (``simulated/`` too)."""
    target = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, target)
    return target


@pytest.fixture
def record_copy(tmp_path: Path) -> Path:
    """A copy of the public record alone: the top-level CSV files of ``data/`` (no
    ``simulated/``)."""
    return _copy_csv(paths.DATA_DIR, tmp_path / "data")


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A copy of the tiny record's CSV files, to break or edit."""
    return _copy_csv(TINY_DIR, tmp_path / "tiny")


@pytest.fixture
def tiny_reach_copy(tmp_path: Path) -> Path:
    """A copy of the tiny record with the reach tables of ``tests/fixtures/reach``, to break."""
    return _tiny_with_reach(tmp_path / "tiny")


def _copy_csv(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.glob("*.csv"):
        shutil.copy(path, target / path.name)
    return target
