"""`linkokr review`: the week, month or quarter in review, written as an HTML page and a Markdown
file (docs/review.md); read-only, from the serving copy (else the warehouse)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.settings import Paths
from serve.review import PERIODS, NoMarts, write_review

__all__ = ["add_review_parser", "cmd_review"]


def add_review_parser(sub, date_type) -> None:
    review = sub.add_parser(
        "review",
        help="the week, month or quarter in review: an HTML page and a Markdown file",
        description="Summarise the period ending on the last data day (or --date) against the "
        "period before: key-result status changes and forecasts, links won and lost by "
        "quality tier, rank and traffic movers. Writes review-<period>-<last day>.html and .md "
        "to --output (default: reviews/ in LINKOKR_HOME) and prints their paths.",
    )
    review.add_argument("--period", choices=PERIODS, default="week", help="default: week")
    review.add_argument(
        "--date", type=date_type, help="the period's last day (default: the last data day)"
    )
    review.add_argument(
        "--output", type=Path, help="the folder to write to (default: $LINKOKR_HOME/reviews)"
    )
    review.set_defaults(func=cmd_review)


def cmd_review(args: argparse.Namespace) -> int:
    """0 when the digest is written (its two paths on stdout), 1 when there is nothing to review
    yet (no warehouse, or no marts)."""
    paths = Paths.from_env()
    try:
        written = write_review(
            paths, args.period, on=args.date, output=args.output.resolve() if args.output else None
        )
    except NoMarts as error:
        print(f"linkokr: {error}", file=sys.stderr)
        return 1
    for note in written.review.notes:
        print(f"linkokr: {note}", file=sys.stderr)
    print(written.html)
    print(written.markdown)
    return 0
