"""``python -m carnot.demo``: the same as ``carnot demo``."""

import sys

from carnot.demo.cli import main

sys.exit(main())
