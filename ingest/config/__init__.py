"""Load and validate `linkokr.yml`, and write it into the warehouse as the `raw.config_*` tables.

The config is the one place a person types by hand, so every problem is reported at once, each
as `<file>:<line>: <key path>: <what was expected>`: a typo must fail loudly, never pass silently.

- yaml_lines.py: the YAML, the line of every key, ConfigError and how a problem reads;
- fields.py, metrics.py, models.py: the pydantic models, every check a validator; a key
  result's keys depend on its metric (a discriminated union on `metric`);
- scope.py: what the checks across keys (references, unique ids) have seen so far;
- loading.py: `load_config`, pydantic's errors as problems with lines;
- tables.py: the `raw.config_*` tables, the only way dbt reads the config.
"""

from ingest.config.loading import load_config
from ingest.config.metrics import (
    ANCHOR_TYPES,
    AUTHORITY_METRICS,
    FILTERABLE_METRICS,
    GAP_METRICS,
    METRICS,
    PLACEMENTS,
    RANK_METRICS,
    RANK_SOURCES,
    TIERS,
    Filters,
    KeyResult,
    MetricInfo,
    Milestone,
)
from ingest.config.models import (
    ADD_KEY_RESULTS_HINT,
    KeywordSet,
    LinkokrConfig,
    Objective,
    Period,
    Settings,
    Site,
    StatusThresholds,
)
from ingest.config.scope import check_name
from ingest.config.tables import KeyResultRow, write_config_tables
from ingest.config.yaml_lines import ConfigError, ConfigProblem

__all__ = [
    "ADD_KEY_RESULTS_HINT",
    "ANCHOR_TYPES",
    "AUTHORITY_METRICS",
    "FILTERABLE_METRICS",
    "GAP_METRICS",
    "METRICS",
    "PLACEMENTS",
    "RANK_METRICS",
    "RANK_SOURCES",
    "TIERS",
    "ConfigError",
    "ConfigProblem",
    "Filters",
    "KeyResult",
    "KeyResultRow",
    "KeywordSet",
    "LinkokrConfig",
    "MetricInfo",
    "Milestone",
    "Objective",
    "Period",
    "Settings",
    "Site",
    "StatusThresholds",
    "check_name",
    "load_config",
    "write_config_tables",
]
