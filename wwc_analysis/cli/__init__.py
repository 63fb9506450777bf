"""The command line: one module per ``wwc`` command, the only place that parses arguments or
prints."""

from wwc_analysis.cli.app import main

__all__ = ["main"]
