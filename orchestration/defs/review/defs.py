"""The review folder: the weekly review digest (docs/review.md), written by a job that a schedule
starts every Monday at 07:00 UTC (off until you turn it on), and posted to the alert webhook when
`LINKOKR_ALERT_WEBHOOK` is set.

The job is an op, not an asset: it must stay out of the daily job (every asset), and a digest is
a report about the marts, not a relation in the warehouse. It only reads the marts, read-only
(the serving copy, else the warehouse), so it does not queue for the warehouse pool.
"""

from datetime import date
from typing import Literal

import dagster as dg
from pydantic import Field

from ingest.settings import Paths
from orchestration.defs.okrs.alerts import WEBHOOK_ENV, AlertWebhook
from serve.alerts.deliver import post_message
from serve.review import write_review

REVIEW_JOB = "linkokr_weekly_review"
REVIEW_SCHEDULE = "linkokr_weekly_review_schedule"
# Monday morning, an hour after the daily run (orchestration/jobs.py) has loaded Sunday's data.
REVIEW_CRON = "0 7 * * 1"


class ReviewConfig(dg.Config):
    period: Literal["week", "month", "quarter"] = Field(
        default="week", description="The period the digest covers, ending on its last day."
    )
    date: str | None = Field(
        default=None,
        description="The period's last day (YYYY-MM-DD); empty: the marts' last data day.",
    )


def build_review_job(paths: Paths) -> dg.JobDefinition:
    @dg.op(name="write_review")
    def write_review_op(
        context: dg.OpExecutionContext, config: ReviewConfig, alert_webhook: AlertWebhook
    ) -> dg.Output[str]:
        """Writes the review digest (`reviews/review-<period>-<last day>.html` and `.md` in the
        linkokr home) from the marts, read-only, and POSTs its Markdown to the webhook in
        `LINKOKR_ALERT_WEBHOOK` as Slack's `{"text": ...}`. A failed delivery is logged and
        never fails the run: the files are written either way."""
        on = date.fromisoformat(config.date) if config.date else None
        written = write_review(paths, config.period, on=on)
        period = written.review.period
        for note in written.review.notes:
            context.log.warning(note)
        context.log.info("Review of %s → %s written to %s", period.start, period.end, written.html)
        delivered = False
        # The URL carries a token: it goes nowhere but the POST itself.
        if alert_webhook.url:
            delivered, attempts, error = post_message(
                alert_webhook.url, {"text": written.text}, what=f"{config.period} review"
            )
            if delivered:
                context.log.info("Review posted to the webhook")
            else:
                context.log.warning(
                    "Review not posted to the webhook after %d attempt(s): %s", attempts, error
                )
        else:
            context.log.info("Not posted: %s is not set", WEBHOOK_ENV)
        return dg.Output(
            str(written.html),
            metadata={
                "period": period.name,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "html": dg.MetadataValue.path(str(written.html)),
                "markdown": dg.MetadataValue.path(str(written.markdown)),
                "status_changes": dg.MetadataValue.int(len(written.review.status_changes)),
                "posted": dg.MetadataValue.bool(delivered),
                "digest": dg.MetadataValue.md(written.text),
            },
        )

    @dg.job(
        name=REVIEW_JOB,
        description="The review digest of the week (or, launched with config, the month or "
        "quarter) ending on the last data day, as HTML and Markdown in the home's reviews/ "
        "folder; posted to LINKOKR_ALERT_WEBHOOK when it is set. Reads the marts only.",
    )
    def review_job() -> None:
        write_review_op()

    return review_job


def build_review_schedule(job: dg.JobDefinition) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=REVIEW_SCHEDULE,
        job=job,
        cron_schedule=REVIEW_CRON,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Every Monday at 07:00 UTC: the weekly review digest, posted to the alert "
        "webhook. Off until turned on in the UI (or `dagster schedule start`).",
    )


def build_defs(paths: Paths) -> dg.Definitions:
    """The review job and its weekly schedule; its `alert_webhook` resource is the okrs folder's."""
    job = build_review_job(paths)
    return dg.Definitions(jobs=[job], schedules=[build_review_schedule(job)])
