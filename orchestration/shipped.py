"""Files linkokr ships beside its code: the dbt project and the example config.

In the repository they sit at the top (`dbt_project/`, `linkokr.yml`); a wheel carries them
inside the `orchestration` package (setup.py copies them there). Both are read-only: dbt writes
its artifacts and logs under `$LINKOKR_HOME/.linkokr/dbt` (README).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DBT_PROJECT = "dbt_project"
EXAMPLE_CONFIG = "linkokr.yml"


def shipped(name: str) -> Path:
    """The installed copy of `name` (`DBT_PROJECT` or `EXAMPLE_CONFIG`), else the checkout's."""
    package = Path(str(files("orchestration"))).resolve()
    installed = package / name
    return installed if installed.exists() else package.parent / name
