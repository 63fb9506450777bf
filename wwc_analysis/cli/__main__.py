"""``python -m wwc_analysis.cli``: the same as ``wwc``."""

import sys

from wwc_analysis.cli.app import main

sys.exit(main())
