"""Docs stay honest: every CLI command and every intent is in the README, and CI calls the README's test command."""

from __future__ import annotations

import re

from bot.cli import build_parser
from bot.settings import PROJECT_ROOT
from nlu.rasa_data import load_nlu_file

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    names: list[str] = []
    for action in actions:
        for name, sub in action.choices.items():  # type: ignore[attr-defined]
            nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
            names.append(name)
            for inner in nested:
                names.extend(f"{name} {n}" for n in inner.choices)  # type: ignore[attr-defined]
    return names


def test_every_cli_command_is_in_the_readme() -> None:
    missing = [n for n in _subcommands() if f"migrant-bot {n}" not in README and f"`{n}`" not in README]
    assert not missing, missing


def test_every_intent_is_in_the_readme() -> None:
    intents = {e.intent for e in load_nlu_file(PROJECT_ROOT / "faq_data" / "nlu.yml")}
    assert {i for i in intents if f"`{i}`" not in README} == set()


def test_readme_opens_with_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    first_block = re.search(r"```\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make chat", "make test"]
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
