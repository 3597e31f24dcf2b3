"""Where linkokr reads and writes: the `LINKOKR_*` environment, resolved once to absolute paths.

dbt runs inside `dbt_project/`, so a relative warehouse path would silently create a second
warehouse there; every path is made absolute against the working directory at start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

INBOX_KINDS = ("backlinks", "rankings", "domain_metrics", "traffic")
# The OKR dashboard, beside the warehouse (written by serve.dashboard).
DASHBOARD_FILE = Path("dashboard") / "okr_dashboard.html"


def dashboard_path(warehouse: Path) -> Path:
    """Where the OKR dashboard of a warehouse lives: `dashboard/okr_dashboard.html` beside it."""
    return warehouse.parent / DASHBOARD_FILE


@dataclass(frozen=True)
class Paths:
    home: Path
    config: Path
    inbox: Path
    warehouse: Path
    serving: Path
    dagster_home: Path

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Paths:
        env = os.environ if environ is None else environ

        def resolve(value: str) -> Path:
            return Path(value).expanduser().resolve()

        home = resolve(env.get("LINKOKR_HOME") or ".")
        warehouse = resolve(
            env.get("LINKOKR_WAREHOUSE") or str(home / "warehouse" / "linkokr.duckdb")
        )
        return cls(
            home=home,
            config=resolve(env.get("LINKOKR_CONFIG") or str(home / "linkokr.yml")),
            inbox=resolve(env.get("LINKOKR_INBOX") or str(home / "data" / "inbox")),
            warehouse=warehouse,
            serving=resolve(
                env.get("LINKOKR_SERVING") or str(warehouse.parent / "linkokr_serving.duckdb")
            ),
            dagster_home=resolve(env.get("DAGSTER_HOME") or str(home / ".dagster")),
        )

    def export(self) -> dict[str, str]:
        """The `LINKOKR_*` environment child processes (dbt) must see: absolute paths only."""
        return {
            "LINKOKR_HOME": str(self.home),
            "LINKOKR_CONFIG": str(self.config),
            "LINKOKR_INBOX": str(self.inbox),
            "LINKOKR_WAREHOUSE": str(self.warehouse),
            "LINKOKR_SERVING": str(self.serving),
        }
