"""Fixtures shared by every test module: the shipped record, loaded and validated once."""

from __future__ import annotations

import pytest

from wwc_analysis.data import Dataset, load
from wwc_analysis.rules.standards import Standard, get_standard


@pytest.fixture(scope="session")
def record() -> Dataset:
    """The project's shipped data (the public record and the simulated assessments). Read-only."""
    return load()


@pytest.fixture(scope="session")
def std2022(record: Dataset) -> Standard:
    return get_standard("2022", record)


@pytest.fixture(scope="session")
def std2018(record: Dataset) -> Standard:
    return get_standard("2018", record)
