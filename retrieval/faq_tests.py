"""The editors' test questions (`faq_data/tests/<id>.yaml`): paraphrases that must find their entry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from retrieval.errors import FaqError, Problem
from retrieval.schema import LANGS


@dataclass(frozen=True)
class FaqTestCase:
    """One paraphrased question and the entry it must reach."""

    faq_id: str
    lang: str
    text: str
    file: Path


def load_faq_tests(tests_dir: Path) -> list[FaqTestCase]:
    """All test questions; a malformed file raises FaqError naming it."""
    cases: list[FaqTestCase] = []
    problems: list[Problem] = []
    for path in sorted(tests_dir.glob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            problems.append(Problem(path, line, "", f"the YAML is broken: {exc.problem}"))
            continue
        if not isinstance(data, dict) or "id" not in data:
            problems.append(Problem(path, 1, "id", "expected 'id:' and lists of questions per language"))
            continue
        for lang in LANGS:
            items = data.get(lang) or []
            if not isinstance(items, list):
                problems.append(Problem(path, None, lang, "must be a list of questions ('- ...' lines)"))
                continue
            cases.extend(FaqTestCase(str(data["id"]), lang, str(q), path) for q in items if str(q).strip())
    if problems:
        raise FaqError(problems)
    return cases
