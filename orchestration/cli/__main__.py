"""`python -m orchestration.cli`: the `linkokr` command."""

import sys

from orchestration.cli import main

sys.exit(main())
