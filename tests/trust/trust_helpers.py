"""Helpers shared by the trust tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def dump_databases(*paths: Path) -> list[str]:
    """Every row of every table of the SQLite files, as SQL: equal dumps mean nothing was written."""
    lines: list[str] = []
    for path in paths:
        if not path.exists():
            lines.append(f"-- {path.name}: no file")
            continue
        conn = sqlite3.connect(str(path))
        try:
            lines += [f"-- {path.name}", *conn.iterdump()]
        finally:
            conn.close()
    return lines
