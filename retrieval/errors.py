"""The one exception base of the retrieval package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in an editor's file."""

    file: Path
    line: int | None
    key: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.file}" + (f", line {self.line}" if self.line else "")
        key = f", key '{self.key}'" if self.key else ""
        return f"{self.severity.upper()}: {where}{key}: {self.message}"


class FaqError(Exception):
    """The FAQ cannot be loaded; carries every problem found, each naming file, line and key."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
