"""The data layer: where the files are, what the tables hold, and loading them validated and typed.

Modules, in the order a file passes through them:

- :mod:`~wwc_analysis.data.paths`: project directories and the file names of a data directory.
- :mod:`~wwc_analysis.data.schemas`: columns, dtypes and pandera schemas of every table; the tier
  and cohort vocabularies (``LEVELS``, ``COHORTS`` and their dtypes).
- :mod:`~wwc_analysis.data.read`: bytes -> decoded text -> records -> a frame of raw strings.
- :mod:`~wwc_analysis.data.fastread`: the fast path of reading a plain CSV file in bulk.
- :mod:`~wwc_analysis.data.convert`: raw strings -> typed columns.
- :mod:`~wwc_analysis.data.schema_check`: the schema's checks in bulk (fast path); pandera failure
  cases -> problems.
- :mod:`~wwc_analysis.data.table`: one table read end to end (read, convert, schema check).
- :mod:`~wwc_analysis.data.cross`: the checks that span tables.
- :mod:`~wwc_analysis.data.identity`: likely duplicate cities (warnings), fictional ids in a file
  not marked simulated.
- :mod:`~wwc_analysis.data.validate`: a whole directory validated (``validate_dir``, ``read_all``,
  ``check_dir`` with the warnings).
- :mod:`~wwc_analysis.data.dataset`: ``Dataset``, ``load()`` and one loader per table.
- :mod:`~wwc_analysis.data.structured`: YAML/JSON files (scenario files) read as data within
  limits: ``read_structured``, ``ReadLimits``, ``StructuredFileError``.

Note: ``wwc_analysis.data.dataset`` as an attribute is the function ``load``; the module is reached
with ``from wwc_analysis.data.dataset import ...``.
"""

from wwc_analysis.data.dataset import (
    Dataset,
    load,
    load_assessments,
    load_certifications,
    load_criteria,
    load_rounds,
    load_standards,
    load_unplaced,
)
from wwc_analysis.data.paths import (
    ASSESSMENTS_FILE,
    CRITERIA_GLOB,
    DATA_DIR,
    FILES,
    NOTEBOOKS_DIR,
    PROJECT_ROOT,
    REPORTS_DIR,
    SIMULATED_DIR,
    TABLE_ORDER,
)
from wwc_analysis.data.read import DEFAULT_MAX_ROWS
from wwc_analysis.data.schemas import (
    COHORT_DTYPE,
    COHORTS,
    COLUMNS,
    LEVEL_DTYPE,
    LEVELS,
    SCHEMAS,
)
from wwc_analysis.data.structured import ReadLimits, StructuredFileError, read_structured
from wwc_analysis.data.validate import DirCheck, check_dir, read_all, validate_dir

__all__ = [
    "ASSESSMENTS_FILE",
    "COHORTS",
    "COHORT_DTYPE",
    "COLUMNS",
    "CRITERIA_GLOB",
    "DATA_DIR",
    "DEFAULT_MAX_ROWS",
    "FILES",
    "LEVELS",
    "LEVEL_DTYPE",
    "NOTEBOOKS_DIR",
    "PROJECT_ROOT",
    "REPORTS_DIR",
    "SCHEMAS",
    "SIMULATED_DIR",
    "TABLE_ORDER",
    "Dataset",
    "DirCheck",
    "check_dir",
    "ReadLimits",
    "StructuredFileError",
    "load",
    "load_assessments",
    "load_certifications",
    "load_criteria",
    "load_rounds",
    "load_standards",
    "load_unplaced",
    "read_all",
    "read_structured",
    "validate_dir",
]
