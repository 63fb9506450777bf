"""The test suite (a package, so that tests import their helpers as ``tests.csv_edits``,
``tests.notebook_files`` and ``tests.conftest``). Tiers and fixtures: tests/conftest.py."""
