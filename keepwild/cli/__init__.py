"""The ``keepwild`` command line. Each command calls one library function and maps
:class:`~keepwild.errors.KeepwildError` to a one-line message and a named exit code."""

from __future__ import annotations

import typer

from keepwild.cli.audit import audit_app
from keepwild.cli.bank import bank_app
from keepwild.cli.images import images_app
from keepwild.cli.lexicon import lexicon_app
from keepwild.cli.scan import policies, scan
from keepwild.cli.service import demo, export_app, serve, users_app
from keepwild.cli.training import corpus_app, eval_, train

app = typer.Typer(
    name="keepwild",
    help="Find online listings of prohibited wildlife in any language, and explain why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(scan)
app.command()(policies)
app.command()(demo)
app.command()(train)
app.command("eval")(eval_)
app.add_typer(lexicon_app, name="lexicon")
app.add_typer(images_app, name="images")
app.add_typer(bank_app, name="bank")
app.add_typer(corpus_app, name="corpus")
app.command()(serve)
app.add_typer(users_app, name="users")
app.add_typer(export_app, name="export")
app.add_typer(audit_app, name="audit")


def main() -> None:
    app()
