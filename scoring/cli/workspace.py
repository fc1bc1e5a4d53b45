"""`smarketing init DIR`: editable copies of the shipped definition files, for a team to version."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from scoring.cli.app import stdout, writing_to
from scoring.errors import ConfigError
from scoring.settings import DEFAULTS


def shipped_files() -> list[Path]:
    """The shipped definition files, relative to DEFAULTS (profiles/ included), in a stable order."""
    return sorted(p.relative_to(DEFAULTS) for p in DEFAULTS.rglob("*.yaml") if p.is_file())


def init_folder(target: Path, *, force: bool = False) -> list[Path]:
    """Copy every shipped definition file into `target`; nothing is written if one would be replaced
    (unless `force`). Returns the files written."""
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target}: exists and is not a folder")
    files = shipped_files()
    clashes = [target / name for name in files if (target / name).exists()]
    if clashes and not force:
        raise ConfigError(
            f"{target}: {len(clashes)} file(s) already there, for example {clashes[0]}; "
            "nothing was written (--force replaces them)"
        )
    written = []
    for name in files:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEFAULTS / name, destination)
        written.append(destination)
    return written


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init_command(
        folder: Path = typer.Argument(..., help="Folder to write the definition files into."),
        force: bool = typer.Option(False, "--force", help="Replace files already there."),
    ) -> None:
        """Write editable copies of the shipped definition files into FOLDER, for a team to version.

        The rulebook, lifecycle contract, reasons, assignment rules, objectives and mapping profiles.
        """
        with writing_to(folder):
            written = init_folder(folder, force=force)
        for path in written:
            stdout.print(str(path), highlight=False)
        stdout.print(
            f"{len(written)} files written. Edit them, then put them in force with "
            f"`smarketing rules publish {folder / 'rulebook.yaml'} --by NAME --note TEXT` "
            "(`smarketing policy publish lifecycle|reasons FILE` likewise); "
            "`smarketing import PROFILE.yaml FILE` takes a profile by its path.",
            highlight=False,
        )
