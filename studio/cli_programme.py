"""`loa programme …`, `loa window …` and `loa area …`: programmes and broadcast windows."""

from __future__ import annotations

import typer

from studio.cli import app

programme_app = typer.Typer(no_args_is_help=True, help="Daily programmes.")
window_app = typer.Typer(no_args_is_help=True, help="Broadcast windows and exceptions.")
area_app = typer.Typer(no_args_is_help=True, help="Areas: quiet hours and session caps.")
app.add_typer(programme_app, name="programme")
app.add_typer(window_app, name="window")
app.add_typer(area_app, name="area")
