"""``hub collab``: collaboration between departments from the command line.

hub collab approvals-intake       open a claim for every new granted reform-track licensing case
hub collab campaign-status ID     a campaign's completion per department and region
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from hub.cli.exchange import make_console, store_engine
from hub.errors import NotFoundError

collab_app = typer.Typer(
    help="Collaboration (抄告抄送, 协查协办, 专项整治, 审批联动): intake and campaign status.",
    no_args_is_help=True,
)
console = make_console()


@collab_app.command("approvals-intake")
def approvals_intake_command() -> None:
    """Open a claim for every granted 先照后证 / 多证合一 / 告知承诺 case without one (idempotent)."""
    from hub.collaboration.approvals import take_new_licensing_events

    report = take_new_licensing_events(store_engine())
    console.print(f"opened {report['opened']} claim(s)", highlight=False)
    for department, count in report["by_department"].items():
        console.print(f"  {department}: {count}", highlight=False)


@collab_app.command("campaign-status")
def campaign_status_command(
    campaign_id: Annotated[int, typer.Argument(help="the campaign's id")],
) -> None:
    """Tasks, completed, late, escalated and mean progress per department and region."""
    from hub.collaboration.campaigns import completion
    from hub.store.models.collaboration import Campaign

    with Session(store_engine()) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFoundError(f"no campaign {campaign_id}")
        rows = completion(session, campaign)
        title = f"{campaign.name} ({campaign.starts_on} – {campaign.ends_on})"
    table = Table(title=escape(title))
    columns = ("department", "region", "tasks", "completed", "late", "escalated", "progress")
    for column in columns:
        table.add_column(column, justify="left" if column in columns[:2] else "right")
    for row in rows:
        table.add_row(
            row.department_code,
            row.region_code,
            str(row.tasks),
            str(row.completed),
            str(row.late),
            str(row.escalated),
            f"{row.progress_percent}%",
        )
    table.add_row(
        "all",
        "",
        str(sum(row.tasks for row in rows)),
        str(sum(row.completed for row in rows)),
        str(sum(row.late for row in rows)),
        str(sum(row.escalated for row in rows)),
        "",
    )
    console.print(table)
