"""The alerts asset: after dbt rebuilds the key-result marts, notice status changes and POST them
to the `AlertWebhook` resource's URL, `LINKOKR_ALERT_WEBHOOK` (docs/config.md, "Checks and
alerts"; the work is in `serve.alerts`)."""

from collections.abc import Mapping

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL, env_var
from serve.alerts import run_alerts

ALERTS = dg.AssetKey(["ops", "key_result_alerts"])
WEBHOOK_ENV = "LINKOKR_ALERT_WEBHOOK"


class AlertWebhook(dg.ConfigurableResource):
    """Where key-result alerts are POSTed. `url` comes from LINKOKR_ALERT_WEBHOOK as an `EnvVar`
    (the URL carries a token: its value never reaches config, logs or the UI); None turns alerts
    off, and status changes are still recorded."""

    url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "AlertWebhook":
        """`url` as an `EnvVar` when LINKOKR_ALERT_WEBHOOK is set (and not empty), else None:
        Dagster fails a run whose `EnvVar` is not set, even for an optional field."""
        return cls(url=env_var(WEBHOOK_ENV, env))


@dg.asset(
    key=ALERTS,
    deps=[
        dg.AssetKey(["marts", "fct_key_result_progress"]),
        dg.AssetKey(["marts", "fct_backlinks"]),
    ],
    pool=WAREHOUSE_POOL,
    group_name="ops",
    kinds={"duckdb", "python"},
)
def key_result_alerts(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource, alert_webhook: AlertWebhook
) -> dg.MaterializeResult:
    """Alerts when a key result's latest status gets worse, to at_risk, behind or missed
    (an improvement such as behind → at_risk is logged and recorded, not alerted).

    One Slack-compatible JSON POST per change to the URL in `LINKOKR_ALERT_WEBHOOK`, with the
    links gained and lost (link metrics) or the biggest rank drops (rank metrics). State is kept
    in `ops.key_result_status` (the previous run's statuses) and `ops.alerts` (each alert and its
    delivery). The first run records the statuses without alerting; a failed delivery is logged,
    kept and retried on the next run, and never fails the run. Without the variable, changes are
    recorded and nothing is sent.
    """
    # The URL carries a token: it goes nowhere but the POST itself.
    with warehouse.get_connection() as con:
        run = run_alerts(con, alert_webhook.url or None)
    if not run.key_results:
        context.log.info("No key results in the config yet: nothing to alert on")
    elif not run.enabled:
        context.log.info("Alerts are off: %s is not set; status changes are recorded", WEBHOOK_ENV)
    for change in run.changes:
        context.log.info(
            "%s: %s → %s%s",
            change.kr_id,
            change.old_status,
            change.new_status,
            " (alert)" if change.alerts else "",
        )
    if run.failed:
        context.log.warning(
            "%d alert(s) not delivered; they are retried on the next run (see ops.alerts)",
            run.failed,
        )
    rows = [
        f"| {c.kr_id} | {c.old_status} | {c.new_status} | {'yes' if c.alerts else 'no'} |"
        for c in run.changes
    ]
    table = "\n".join(["| key result | was | now | alert |", "|---|---|---|---|", *rows])
    return dg.MaterializeResult(
        metadata={
            "key_results": dg.MetadataValue.int(run.key_results),
            "changes": dg.MetadataValue.int(len(run.changes)),
            "first_seen": dg.MetadataValue.int(run.first_seen),
            "new_alerts": dg.MetadataValue.int(run.new_alerts),
            "delivered": dg.MetadataValue.int(run.delivered),
            "failed": dg.MetadataValue.int(run.failed),
            "pending": dg.MetadataValue.int(run.pending),
            "alerts_enabled": dg.MetadataValue.bool(run.enabled),
            "status_changes": dg.MetadataValue.md(table if rows else "No status change."),
        }
    )
