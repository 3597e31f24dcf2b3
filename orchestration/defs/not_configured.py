"""API sources that are not configured: defined, but never materialized by any run.

A source without its key or endpoint (or without a site to pull for) is not pulled. It is not
left in the runs as an asset that succeeds with `rows: 0` (a green materialization that pulled
nothing), nor as an asset that yields nothing: Dagster then skips every step downstream of it,
the whole dbt build included (dagster-io/dagster#9408). Instead its assets are defined from
their specs as assets no run can materialize: the lineage still shows them upstream of staging,
the UI shows them without a materialize button and with the reason in their description, the
jobs and "Materialize all" leave them out, and `linkokr run` names them on stderr. Keys and
endpoints are read when the definitions load: after setting one, restart Dagster (or reload the
code location).
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

NOT_CONFIGURED = "linkokr/not_configured"


def not_pulled(assets: Iterable[dg.AssetsDefinition], reason: str) -> list[dg.AssetsDefinition]:
    """`assets` as assets no run materializes, each described with `reason` (why not)."""
    specs = [
        spec.replace_attributes(
            description=f"Not pulled: {reason}.\n\n{spec.description or ''}".strip(),
            metadata={**spec.metadata, NOT_CONFIGURED: reason},
        )
        for assets_def in assets
        for spec in assets_def.specs
    ]
    # an AssetsDefinition made from specs alone has no computation: no run can execute it
    return [dg.AssetsDefinition(specs=specs)]


def not_configured_reasons(defs: dg.Definitions) -> list[str]:
    """Why each API source that no run pulls is not pulled, once per source."""
    reasons = []
    for assets_def in defs.assets or []:
        if isinstance(assets_def, dg.AssetsDefinition) and not assets_def.is_executable:
            for spec in assets_def.specs:
                reason = spec.metadata.get(NOT_CONFIGURED)
                if reason and reason not in reasons:
                    reasons.append(reason)
    return reasons
