"""``python -m sxgeo``: the same command line as ``sxgeo`` (see :mod:`sxgeo.cli`)."""

import sys

from sxgeo.cli import main

sys.exit(main())
