"""`loa jingle …`: station idents and chimes for session openings and closings."""

from __future__ import annotations

import typer

from studio.cli import app

jingle_app = typer.Typer(no_args_is_help=True, help="Station idents and chimes.")
app.add_typer(jingle_app, name="jingle")
