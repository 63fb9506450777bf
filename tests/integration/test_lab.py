"""`make lab`: JupyterLab out of the box. The default install has it (and the widgets' lab
extension); `make lab` serves notebooks/ with the project's kernel even when the user has a kernel
named `python3` of their own (one without wwc_analysis)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from wwc_analysis.data import paths

ROOT = paths.PROJECT_ROOT
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
STAMP = ROOT / ".venv" / ".installed-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return json.loads(answer.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.skipif(not STAMP.is_file(), reason="no .venv made by `make venv` in this checkout")
def test_make_lab_serves_the_notebooks_on_the_project_kernel(tmp_path):
    # a user's own `python3` kernel, which would start a Python without wwc_analysis
    home = tmp_path / "home"
    theirs = home / ".local" / "share" / "jupyter" / "kernels" / "python3"
    theirs.mkdir(parents=True)
    spec = {"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    (theirs / "kernel.json").write_text(json.dumps({**spec, "display_name": "Their Python"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(HOME=str(home), IPYTHONDIR=str(tmp_path / "ipython"))
    port, token = _free_port(), "wwc-test-token"
    lab_args = f"--no-browser --port={port} --ServerApp.port_retries=0 --ServerApp.token={token}"
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_ARGS={lab_args}"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # make and jupyter in a group of their own, ended below
    )
    try:
        base = f"http://127.0.0.1:{port}/api"
        specs, deadline = None, time.monotonic() + 90
        while specs is None and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            specs = _get(f"{base}/kernelspecs?token={token}")
        assert specs is not None, (tmp_path / "lab.log").read_text(errors="replace")[-2000:]
        ours = specs["kernelspecs"][specs["default"]]["spec"]
        assert specs["default"] == "python3"
        assert Path(ours["argv"][0]) == VENV_PYTHON
        assert ours["display_name"] == "Python 3 (wwc-analysis)"
        listing = _get(f"{base}/contents?token={token}")
        names = {c["name"] for c in listing["content"]}
        assert {p.name for p in ROOT.joinpath("notebooks").glob("0*.ipynb")} <= names
        extensions = _get(f"http://127.0.0.1:{port}/lab/api/extensions?token={token}")
        assert any("jupyterlab-manager" in e["name"] for e in extensions), extensions
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
