"""``keepwild audit verify``: check that nobody edited the audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from keepwild.cli.exits import Exit, fail
from keepwild.cli.service import DatabaseOption, _database

audit_app = typer.Typer(help="The service's hash-chained audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    database: DatabaseOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the exit code.")] = False,
) -> None:
    """Recompute the audit log's hash chain; exit 4 naming the first altered entry.

    Example: keepwild audit verify --database postgresql://keepwild@db/keepwild

    Prints the number of entries and the head hash; record the head elsewhere from time to
    time, so that even a rewrite of the whole chain would show.
    """
    from keepwild.store.audit import verify as verify_chain  # SQLAlchemy: only when used

    db = _database(database)
    try:
        with db.session() as session:
            result = verify_chain(session)
    finally:
        db.dispose()
    if not result.ok:
        fail(f"audit trail broken at entry {result.first_bad}: {result.reason} "
             f"({result.entries} entries verified before it)", Exit.ERROR)
    if not quiet:
        print(f"audit trail intact: {result.entries} entries, head {result.head}")
