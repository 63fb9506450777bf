"""Charts: one function per chart the notebooks draw, each returning its Figure with a caption that
names the source (the notebook then calls ``save_figure(...)`` and ``plt.show()``).

- :mod:`~wwc_analysis.figures.style`: the style, the palettes (tiers, bases of a count), captions;
- :mod:`~wwc_analysis.figures.shared`: in a report build, a chart two pages show with the same
  arguments is drawn once;
- :mod:`~wwc_analysis.figures.levels`: growth, levels by round, latest levels, countries, regions,
  moves;
- :mod:`~wwc_analysis.figures.cohorts`: cohort sizes, upgrade times, cohort geography, sizes by
  round;
- :mod:`~wwc_analysis.figures.assessed`: the SIMULATED charts (criteria met, practice areas,
  separating criteria, tiers per round);
- :mod:`~wwc_analysis.figures.maps`: point maps of the certified cities over the approximate
  eligible universe (the Americas; the United States and Canada), offline;
- :mod:`~wwc_analysis.figures.reach`: residents of certified cities after each round, certification
  rate by city size;
- :mod:`~wwc_analysis.figures.whatif` and :mod:`~wwc_analysis.figures.robustness`: the what-if
  notebook's charts (its section 7: tier-count intervals, sensitivity indices, binding criteria, a
  city's stability under uncertain rules).
"""

from wwc_analysis.figures import style
from wwc_analysis.figures.assessed import (
    criteria_met,
    practice_areas,
    separating_criteria,
    simulated_tiers,
)
from wwc_analysis.figures.cohorts import (
    cohort_geography,
    cohort_sizes,
    cohort_sizes_by_round,
    upgrade_times,
)
from wwc_analysis.figures.levels import (
    by_country,
    by_region,
    growth,
    latest_levels,
    levels_by_round,
    transitions,
)
from wwc_analysis.figures.maps import reach_map
from wwc_analysis.figures.reach import rate_by_band, residents_over_time

__all__ = [
    "by_country",
    "by_region",
    "cohort_geography",
    "cohort_sizes",
    "cohort_sizes_by_round",
    "criteria_met",
    "growth",
    "latest_levels",
    "levels_by_round",
    "practice_areas",
    "rate_by_band",
    "reach_map",
    "residents_over_time",
    "separating_criteria",
    "simulated_tiers",
    "style",
    "transitions",
    "upgrade_times",
]
