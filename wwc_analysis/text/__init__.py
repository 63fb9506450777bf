"""Prose and reader tables: what the notebooks print, in words a reader can use.

- :mod:`~wwc_analysis.text.words` and :mod:`~wwc_analysis.text.tables`: number words, the dash for a
  missing value, tables with readable headers (shared by every notebook);
- :mod:`~wwc_analysis.text.cohorts`: the cohort vocabulary ("re-certified") and notebook 02's prose;
- :mod:`~wwc_analysis.text.levels`: notebook 01's prose (growth, latest levels, geography, moves);
- :mod:`~wwc_analysis.text.annual`: the annual summary's sentences and tables (notebook 04);
- :mod:`~wwc_analysis.text.assessed`: the simulated sections' prose and tables;
- :mod:`~wwc_analysis.text.reach`: the reach (notebook 05, the annual headline, ``wwc reach``).
- :mod:`~wwc_analysis.text.whatif` and :mod:`~wwc_analysis.text.robustness`: the what-if notebook's
  prose (and the text of ``wwc robustness``).

Text sits above the computation (``history``) and below the charts (``figures``).
"""

from wwc_analysis.text import annual, assessed, cohorts, levels, reach, tables, words

__all__ = ["annual", "assessed", "cohorts", "levels", "reach", "tables", "words"]
