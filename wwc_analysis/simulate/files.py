"""A simulation as files: ``assessments.csv``, ``cities.csv``, ``README.md``, written atomically.

Deterministic bytes: the same arguments, generator version and numpy version give the same files.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from wwc_analysis.data.dataset import Dataset
from wwc_analysis.simulate.model import DEFAULT_N_CITIES, DEFAULT_SEED, GENERATOR_VERSION
from wwc_analysis.simulate.panel import (
    ASSESSMENT_COLUMNS,
    CITY_NAME_PREFIX,
    CITY_PREFIX,
    SimulatedPanel,
    simulate,
)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv_text(df: pd.DataFrame) -> str:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = np.where(out[col].to_numpy(), "true", "false")
    return out.to_csv(index=False, lineterminator="\n", float_format="%.4f")


def _readme_text(panel: SimulatedPanel) -> str:
    # a backslash at the end of a template line joins it with the next (the README keeps its lines)
    a, c = panel.assessments, panel.cities
    k = len(panel.standard.criteria)
    command = f"wwc simulate --out data/simulated --n-cities {panel.n_cities} --seed {panel.seed}"
    return f"""# data/simulated: SIMULATED assessments of FICTIONAL cities

Everything in this folder is **SIMULATED**. The cities are fictional: ids `{CITY_PREFIX}0001` ...
(display names `{CITY_NAME_PREFIX} 0001` ...); no real city is modelled and no real id starts with
`{CITY_PREFIX}`. Criteria-level results of real cities are not public. \
Every row has `simulated = true`.

- generator: `wwc_analysis.simulate` version {GENERATOR_VERSION} (numpy {np.__version__})
- seed: {panel.seed}; cities: {panel.n_cities}; standard: {panel.standard.name}
- command (from the project root): `{command}`
  (`make simulate` runs it with the defaults); the same command gives the same bytes.
- `assessments.csv`: {len(a)} rows = {len(a) // k} assessments x {k} criteria;
  columns `{", ".join(ASSESSMENT_COLUMNS)}` (the assessments contract of docs/architecture.md).
- `cities.csv`: {len(c)} fictional cities: \
`city_id, city, entry_round, entry_capacity, growth_per_year,
  setbacks, assessments, simulated` (the latent draws of the model; there is no region: \
the cities are nowhere).

The model, its parameters and assumptions, and the calibration against the public record are in
docs/simulation.md (`wwc simulate --calibration` prints the table).
"""


def write_simulated(
    out_dir: str | Path, data: Dataset, n_cities: int = DEFAULT_N_CITIES, seed: int = DEFAULT_SEED
) -> dict[str, Path]:
    """Write ``assessments.csv``, ``cities.csv`` and ``README.md`` of :func:`simulate` (of ``data``)
    into ``out_dir`` (created if needed).

    Deterministic: the same ``n_cities``, ``seed``, generator version and numpy version give the
    same bytes (``\\n`` line ends, booleans ``true``/``false``, 4 decimals). Each file is replaced
    atomically.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    panel = simulate(data, n_cities, seed)
    assessments = panel.assessments[list(ASSESSMENT_COLUMNS)]
    files = {
        "assessments": (out / "assessments.csv", _csv_text(assessments)),
        "cities": (out / "cities.csv", _csv_text(panel.cities)),
        "readme": (out / "README.md", _readme_text(panel)),
    }
    for path, text in files.values():
        _write_atomic(path, text)
    return {name: path for name, (path, _) in files.items()}


__all__ = ["write_simulated"]
