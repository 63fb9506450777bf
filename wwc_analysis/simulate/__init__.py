"""Seeded generator of **fictional** applicant cities assessed under the 2022 standard; calibration.

Real cities' criterion-level results are not public, so the project simulates them. Everything made
here is SIMULATED: the cities are fictional (ids ``sim-0001``, ``sim-0002`` ... and display names
``Simulated City 0001`` ...; no real city id has the ``sim-`` prefix and no real city is modelled),
every frame carries a ``simulated`` column that is ``True`` and ``attrs["simulated"] = True``, and
scoring carries the flag through. Tiers are never assigned: they come from
:func:`wwc_analysis.rules.scoring.score_matrix` applied to the simulated criteria.

Modules (``docs/simulation.md`` describes the model, its parameters and the calibration):

* :mod:`~wwc_analysis.simulate.model`: :class:`SimulationParameters`, :func:`parameters_table`,
  :func:`criterion_difficulties` and :func:`simulate_matrix` (large-scale work: independent first
  assessments as a boolean matrix);
* :mod:`~wwc_analysis.simulate.panel`: :func:`simulated_rounds`, :func:`simulate` /
  :func:`simulate_assessments` (the long assessment frame of the contract and the fictional cities)
  and :func:`reapplication_outcomes`;
* :mod:`~wwc_analysis.simulate.calibrate`: :class:`Target`, :func:`public_targets`,
  :func:`calibration` and :func:`format_calibration`; the pass bands (:data:`TOLERANCES`
  around a target the record gives, :data:`ASSUMED_BANDS` where it gives none);
* :mod:`~wwc_analysis.simulate.files`: :func:`write_simulated` (the files of ``data/simulated/``).

The ``wwc simulate`` command is :mod:`wwc_analysis.cli.simulate`.
"""

from wwc_analysis.simulate.calibrate import (
    ASSUMED_BANDS,
    TOLERANCES,
    Target,
    calibration,
    format_calibration,
    public_targets,
)
from wwc_analysis.simulate.files import write_simulated
from wwc_analysis.simulate.model import (
    DEFAULT_N_CITIES,
    DEFAULT_SEED,
    GENERATOR_VERSION,
    STANDARD,
    SimulationParameters,
    criterion_difficulties,
    parameters_table,
    simulate_matrix,
)
from wwc_analysis.simulate.panel import (
    ASSESSMENT_COLUMNS,
    CITY_NAME_PREFIX,
    CITY_PREFIX,
    REAPPLICATION_OUTCOMES,
    SimulatedPanel,
    reapplication_outcomes,
    simulate,
    simulate_assessments,
    simulated_rounds,
)

__all__ = [
    "ASSESSMENT_COLUMNS",
    "ASSUMED_BANDS",
    "CITY_NAME_PREFIX",
    "CITY_PREFIX",
    "DEFAULT_N_CITIES",
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "REAPPLICATION_OUTCOMES",
    "STANDARD",
    "SimulatedPanel",
    "SimulationParameters",
    "TOLERANCES",
    "Target",
    "calibration",
    "criterion_difficulties",
    "format_calibration",
    "parameters_table",
    "public_targets",
    "reapplication_outcomes",
    "simulate",
    "simulate_assessments",
    "simulate_matrix",
    "simulated_rounds",
    "write_simulated",
]
