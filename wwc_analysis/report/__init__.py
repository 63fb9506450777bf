"""The annual report: run the notebooks (papermill), render them (nbconvert, a Jinja2 index page),
publish them atomically; and the helpers notebooks write their outputs with.

- :mod:`~wwc_analysis.report.build`: :func:`build_report`, the steps in order (its docstring
  documents the whole pipeline and the published layout), the year and the notebooks to run.
- :mod:`~wwc_analysis.report.run`: papermill in child processes, job files, per-cell progress,
  failure descriptions.
- :mod:`~wwc_analysis.report.cache`: the executed notebooks reused when their inputs did not change.
- :mod:`~wwc_analysis.report.render`: the pages (:mod:`~wwc_analysis.report.pages`), ``tables.xlsx``
  (:mod:`~wwc_analysis.report.workbook`), ``index.html`` (:mod:`~wwc_analysis.report.front`) and
  the PDF (:mod:`~wwc_analysis.report.pdf`) of a finished build
  (:mod:`~wwc_analysis.report.document`).
- :mod:`~wwc_analysis.report.publish`: the atomic swap into ``OUT/YYYY``, the kept failed build.
- :mod:`~wwc_analysis.report.outputs`: ``say``, ``save_figure``, ``save_table``, ``write_metrics``
  for notebooks.
"""

from wwc_analysis.report.build import (
    NOTEBOOK_PATTERN,
    ReportError,
    build_report,
    discover_notebooks,
    merge_metrics,
    report_years,
    resolve_year,
)
from wwc_analysis.report.outputs import save_figure, save_table, say, write_metrics
from wwc_analysis.report.run import NotebookRun, notebook_parameters

__all__ = [
    "NOTEBOOK_PATTERN",
    "NotebookRun",
    "ReportError",
    "build_report",
    "discover_notebooks",
    "merge_metrics",
    "notebook_parameters",
    "report_years",
    "resolve_year",
    "say",
    "save_figure",
    "save_table",
    "write_metrics",
]
