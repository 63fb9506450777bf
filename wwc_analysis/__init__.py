"""wwc_analysis: the What Works Cities Certification public record, exact scoring, cohorts and
simulation.

Start with :func:`load`, which returns every table of ``data/`` validated and typed::

    import wwc_analysis as wwc
    data = wwc.load()
    std = wwc.get_standard("2022", data)
    wwc.round_summary(data)
"""

from wwc_analysis.data import (
    Dataset,
    load,
    load_assessments,
    load_certifications,
    load_criteria,
    load_rounds,
    load_standards,
    load_unplaced,
    validate_dir,
)
from wwc_analysis.errors import DataValidationError, Problem
from wwc_analysis.history.annual import annual_metrics, rounds_in_year
from wwc_analysis.history.cohorts import (
    classify_events,
    disagreements,
    round_members,
    round_summary,
    upgrade_times,
)
from wwc_analysis.history.levels import geography, latest_levels, level_counts, level_transitions
from wwc_analysis.history.rounds import cumulative, latest_year, years_with_rounds
from wwc_analysis.rules.scoring import (
    SCORE_TIER_DTYPE,
    SCORE_TIERS,
    score,
    score_city,
    score_counts,
    score_matrix,
)
from wwc_analysis.rules.standards import TIERS, Standard, get_standard
from wwc_analysis.text.cohorts import coverage

__version__ = "0.1.0"

__all__ = [
    "SCORE_TIERS",
    "SCORE_TIER_DTYPE",
    "TIERS",
    "DataValidationError",
    "Dataset",
    "Problem",
    "Standard",
    "annual_metrics",
    "classify_events",
    "coverage",
    "cumulative",
    "disagreements",
    "geography",
    "get_standard",
    "latest_levels",
    "latest_year",
    "level_counts",
    "level_transitions",
    "load",
    "load_assessments",
    "load_certifications",
    "load_criteria",
    "load_rounds",
    "load_standards",
    "load_unplaced",
    "round_members",
    "round_summary",
    "rounds_in_year",
    "score",
    "score_city",
    "score_counts",
    "score_matrix",
    "upgrade_times",
    "validate_dir",
    "years_with_rounds",
]
