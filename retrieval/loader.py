"""Load and validate the FAQ directory; every problem names the file, the line and the key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from retrieval.checks import check_entries
from retrieval.errors import FaqError, Problem
from retrieval.schema import FaqEntry
from retrieval.yaml_lines import SAFE_LOADER, YamlLines

NLU_FILE = "nlu.yml"
SKIPPED_DIRS = ("tests",)

_FRIENDLY = {
    "missing": "this key is required but missing",
    "extra_forbidden": "unknown key (check the spelling; allowed keys are in docs/editing.md)",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
    "date_parsing": "write the date as YYYY-MM-DD",
    "date_type": "write the date as YYYY-MM-DD",
    "literal_error": "not one of the allowed values",
    "too_short": "too short or empty",
    "string_type": "must be text",
    "list_type": "must be a list ('- item' lines)",
    "bool_type": "must be true or false",
    "model_type": "must be a block of keys (title, questions, answer)",
}


@dataclass
class FaqCollection:
    """Validated entries plus the warnings found while loading them."""

    entries: list[FaqEntry]
    warnings: list[Problem] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)

    def by_id(self) -> dict[str, FaqEntry]:
        """Entries keyed by id."""
        return {e.id: e for e in self.entries}


def faq_files(faq_dir: Path) -> list[Path]:
    """The topic files of an FAQ directory (not nlu.yml, not the tests)."""
    return sorted(p for p in faq_dir.glob("*.y*ml") if p.name != NLU_FILE and p.suffix in (".yml", ".yaml"))


def _humanise(error: dict) -> str:  # type: ignore[type-arg]
    friendly = _FRIENDLY.get(error["type"])
    msg = str(error.get("msg", ""))
    if error["type"] == "value_error":
        return msg.removeprefix("Value error, ")
    if error["type"] == "literal_error":
        return f"{friendly}: {msg.split('Input should be ')[-1]}"
    return friendly or msg


def load_entry_file(path: Path) -> tuple[FaqEntry | None, list[Problem]]:
    """Parse and validate one topic file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path, None, "", f"cannot read the file ({exc})")]
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader, libyaml's when present
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        hint = " (a value starting with { or containing ': ' needs quotes, or use a | block)"
        return None, [Problem(path, line, "", f"the YAML is broken: {exc.problem}{hint}")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, None, "", f"the YAML is broken: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "", "the file must be a block of keys (id, category, uk, ru, ...)")]
    lines = YamlLines(text)
    try:
        entry = FaqEntry.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not isinstance(p, str) or p not in ("function-after",)]
            key = ".".join(str(p) for p in loc)
            problems.append(Problem(path, lines.line_of(loc), key, _humanise(err)))
        return None, problems
    if entry.id != path.stem:
        return None, [Problem(path, lines.line_of(["id"]), "id",
                              f"the id '{entry.id}' must equal the file name '{path.stem}'")]
    return entry, []


def load_faq(faq_dir: Path, today: dt.date | None = None) -> FaqCollection:
    """Load every topic file; raise FaqError listing all errors (warnings are returned)."""
    if not faq_dir.is_dir():
        raise FaqError([Problem(faq_dir, None, "", "the FAQ folder does not exist")])
    entries: list[FaqEntry] = []
    problems: list[Problem] = []
    files: dict[str, Path] = {}
    for path in faq_files(faq_dir):
        entry, found = load_entry_file(path)
        problems.extend(found)
        if entry is None:
            continue
        if entry.id in files:
            problems.append(Problem(path, 1, "id", f"duplicate id '{entry.id}' (also in {files[entry.id].name})"))
            continue
        files[entry.id] = path
        entries.append(entry)
    problems.extend(check_entries(entries, files, today or dt.date.today()))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise FaqError(errors)
    if not entries:
        raise FaqError([Problem(faq_dir, None, "", "no FAQ topic files (*.yaml) found")])
    return FaqCollection(entries, [p for p in problems if p.severity != "error"], files)
