"""Every command has help text and a row in the README's CLI reference."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from conftest import REPO

from pipeline.cli import main


def commands(group: click.Group, prefix: str = "homelang") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(commands(command, path))
    return found


ALL = commands(main)


@pytest.mark.parametrize("path,command", ALL, ids=[p for p, _ in ALL])
def test_command_has_help_and_is_documented(path: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"{path} has no help text"
    args = path.split()[1:] + ["--help"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0 and "Usage:" in result.output
    if not isinstance(command, click.Group):
        assert f"`{path}" in (REPO / "README.md").read_text("utf-8"), (
            f"{path} is missing from README.md"
        )


def test_readme_names_the_two_commands_first() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert "make all" in first_block and "make test" in first_block
