"""``keepwild serve``, ``keepwild demo``, ``keepwild users`` and ``keepwild export``: running
the service and managing its database."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keepwild.cli.exits import Exit, fail
from keepwild.errors import KeepwildError

if TYPE_CHECKING:
    from keepwild.store.database import Database

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", "-d", help="Database URL (default: KEEPWILD_DATABASE_URL or "
                 "the embedded SQLite file in your data directory)."),
]
users_app = typer.Typer(help="Accounts of the service.", no_args_is_help=True)
export_app = typer.Typer(help="Export data from the service's database.", no_args_is_help=True)


def _database(url: str | None) -> Database:
    """The database at ``url`` (or the default), migrated; a bad URL is one line, not a
    traceback. Imported late: the service's dependencies slow every other command."""
    from keepwild.store.database import Database

    try:
        database = Database(url)
        database.upgrade()
        return database
    except KeepwildError as exc:
        fail(str(exc), Exit.USAGE)
    except Exception as exc:  # unreachable server, bad credentials...
        fail(f"cannot open the database: {type(exc).__name__}: {exc}")


def serve(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (one scanner each).")] = 1,
) -> None:
    """Run the keepwild service (HTTP API, review queue, webhooks) with uvicorn.

    Example: keepwild serve --port 8000 --workers 2

    The schema is migrated first; the API is under /v1, its documentation at /docs.
    Settings come from KEEPWILD_* variables (see docs/service.md).
    """
    import uvicorn

    from keepwild.store.database import ENV_URL

    if database:
        os.environ[ENV_URL] = database
    db = _database(database)
    print(f"keepwild: serving {db!r} on http://{host}:{port} (API docs at /docs)",
          file=sys.stderr)
    db.dispose()
    os.environ["KEEPWILD_MIGRATE"] = "false"  # done once here, not by each worker
    uvicorn.run("keepwild.web.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, http="httptools", loop="uvloop", access_log=False,
                log_level="warning", timeout_graceful_shutdown=10)


def demo(
    database: DatabaseOption = None,
    per_language: Annotated[int, typer.Option(help="Corpus listings per language.")] = 25,
    decisions: Annotated[int, typer.Option(help="Queue items the demo moderator decides.")
                         ] = 40,
    policy: Annotated[str, typer.Option("--policy", "-p", help="Policy profile.")] = "coalition",
) -> None:
    """Load the demo platform into the service's database and print a summary.

    Example: keepwild demo && keepwild serve

    Loads the lexicon, a few hundred scanned listings in twelve languages, users of every
    role (with fresh passwords, printed), reports and some decisions; safe to run again.
    """
    from keepwild.service.demo import load_demo
    from keepwild.service.settings import Settings

    try:
        summary = load_demo(Settings.from_env(database_url=database, policy=policy),
                            per_language=per_language, decisions=decisions)
    except KeepwildError as exc:
        fail(str(exc))
    for record, result in summary.demo_results:
        evidence = "; ".join(
            f"{m.kind} '{m.text}'" + (f" [{', '.join(m.obfuscation)}]" if m.obfuscation else "")
            for m in result.matches)
        print(f"{result.verdict:6} {result.score:.2f} [{result.language}] "
              f"{record.title[:60]!r}  {evidence}")
    verdicts = ", ".join(f"{v} {summary.verdicts[v]}" for v in ("block", "review", "allow"))
    print(f"\nDemo platform in {summary.database}")
    print(f"  listings: {sum(summary.verdicts.values())} scanned in {summary.languages} "
          f"languages ({verdicts}); lexicon {summary.lexicon_version}, "
          f"model {summary.model_version or 'none'}")
    print(f"  review queue: {summary.queue.get('pending', 0)} pending, "
          f"{summary.queue.get('decided', 0)} decided; reports: {summary.reports}; "
          f"decisions: {summary.decisions} (this run)")
    print("  users (new passwords each run):")
    for username, password in summary.passwords.items():
        print(f"    {username:16} {password}")
    print(f"  platform API key (scan, ingest; 30 days): {summary.platform_key}")
    print("Serve it with: keepwild serve   (then open http://127.0.0.1:8000/docs)")


@users_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, curator, moderator, spotter or analyst.")],
    database: DatabaseOption = None,
) -> None:
    """Create an account with a random password (printed once); the first admin of a new
    deployment is made this way.

    Example: keepwild users add alice --role admin
    """
    from keepwild.service import accounts
    from keepwild.service.settings import utcnow

    password = secrets.token_urlsafe(15)
    db = _database(database)
    try:
        accounts.create_user(db, username=username, role=role, password=password, now=utcnow(),
                             actor="system:cli")
    except KeepwildError as exc:
        fail(str(exc), Exit.USAGE)
    finally:
        db.dispose()
    print(f"created {role} {username!r}; password: {password}")


@export_app.command("decisions")
def export_decisions(
    out: Annotated[Path, typer.Option("--out", "-o", help="JSON Lines file to write.")],
    database: DatabaseOption = None,
) -> None:
    """Write moderators' decisions as labeled listings that ``keepwild train`` reads.

    Example: keepwild export decisions --out decisions.jsonl && keepwild train decisions.jsonl

    Removed and escalated listings are label 1, allowed ones 0 (the latest decision per
    listing); each record gets a train/dev/test split, near-duplicates kept together.
    """
    from keepwild.service.learning import export_decisions as write

    db = _database(database)
    try:
        with db.session() as session, out.open("wb") as handle:
            records, positives = write(session, handle)
    finally:
        db.dispose()
    print(f"wrote {records} labeled listings ({positives} positive) to {out}", file=sys.stderr)
