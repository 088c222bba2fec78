"""Editors' mistakes give messages naming the file, the line and the key."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from retrieval.checks import markup_problems
from retrieval.errors import FaqError
from retrieval.loader import load_faq

FAQ = PROJECT_ROOT / "faq_data"

GOOD = """\
id: {id}
category: documents
reviewed: 2026-11-22
review_by: 2027-05-22
sources: [https://www.gov.pl/web/gov/uzyskaj-numer-pesel]
related: []
en:
  title: A topic
  questions: [one, two, three, four, five, six, seven, eight]
  answer: |
    Go to the office. Details: https://www.gov.pl/web/gov/uzyskaj-numer-pesel
    Talk to an advisor if unsure.
"""


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(FaqError) as info:
        load_faq(folder)
    return [str(p) for p in info.value.problems]


def test_the_shipped_faq_loads_with_every_topic_in_four_languages() -> None:
    collection = load_faq(FAQ)
    assert len(collection.entries) >= 37
    for entry in collection.entries:
        assert entry.languages() == ["uk", "ru", "pl", "en"], entry.id
        assert entry.sources and all(s.startswith("https://") for s in entry.sources)


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "pesel", GOOD.format(id="pesel").replace("  title: A topic", "  title: A: topic: {x"))
    [message] = problems_of(tmp_path)
    assert "pesel.yaml" in message and "line 8" in message and "YAML is broken" in message


def test_missing_key_names_the_key(tmp_path: Path) -> None:
    write(tmp_path, "pesel", GOOD.format(id="pesel").replace("category: documents\n", ""))
    [message] = problems_of(tmp_path)
    assert "key 'category'" in message and "required" in message


def test_wrong_value_names_line_and_allowed_values(tmp_path: Path) -> None:
    write(tmp_path, "pesel", GOOD.format(id="pesel").replace("category: documents", "category: papers"))
    [message] = problems_of(tmp_path)
    assert "line 2" in message and "'documents'" in message


def test_misspelled_key_is_reported_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, "pesel", GOOD.format(id="pesel").replace("  answer: |", "  answr: |"))
    messages = problems_of(tmp_path)
    assert any("en.answr" in m and "line 10" in m and "unknown key" in m for m in messages)


def test_bad_date_and_unknown_related_id(tmp_path: Path) -> None:
    body = GOOD.format(id="pesel").replace("reviewed: 2026-11-22", "reviewed: 22.11.2026")
    write(tmp_path, "pesel", body)
    assert any("reviewed" in m and "YYYY-MM-DD" in m for m in problems_of(tmp_path))
    write(tmp_path, "pesel", GOOD.format(id="pesel").replace("related: []", "related: [nosuch]"))
    [message] = problems_of(tmp_path)
    assert "'nosuch' is not an existing topic id" in message and "line 6" in message


def test_id_must_match_file_name_and_be_unique(tmp_path: Path) -> None:
    write(tmp_path, "pesel", GOOD.format(id="pessel"))
    assert any("must equal the file name" in m for m in problems_of(tmp_path))


def test_answer_over_messenger_limit_and_bad_markup(tmp_path: Path) -> None:
    long_answer = GOOD.format(id="pesel").replace("Talk to an advisor if unsure.", "x " * 1100)
    write(tmp_path, "pesel", long_answer)
    assert any("limit is 2000" in m for m in problems_of(tmp_path))
    write(tmp_path, "pesel", GOOD.format(id="pesel").replace("Go to the office.", "Go <i>now</i> & wait."))
    messages = problems_of(tmp_path)
    assert any("<i>" in m for m in messages) and any("'&'" in m for m in messages)


def test_unknown_placeholder_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "pesel", GOOD.format(id="pesel").replace("Go to the office.", "Call {org_fone}."))
    assert any("{org_fone}" in m for m in problems_of(tmp_path))


def test_missing_language_and_past_review_are_warnings(tmp_path: Path) -> None:
    write(tmp_path, "pesel", GOOD.format(id="pesel").replace("review_by: 2027-05-22", "review_by: 2020-01-01"))
    collection = load_faq(tmp_path, today=dt.date(2026, 11, 22))
    text = "\n".join(str(w) for w in collection.warnings)
    assert "uk version is missing" in text and "review date 2020-01-01 has passed" in text


def test_markup_checker_accepts_bold_only() -> None:
    assert markup_problems("<b>PESEL</b>: see https://x.pl/a?b=1") == []
    assert markup_problems("<b>open") == ["a <b> is not closed with </b>"]
    assert markup_problems("a < b") != []


def test_all_errors_of_all_files_are_reported_together(tmp_path: Path) -> None:
    shutil.copy(FAQ / "pesel.yaml", tmp_path / "pesel.yaml")
    write(tmp_path, "a_topic", GOOD.format(id="a_topic").replace("category: documents", "category: x"))
    write(tmp_path, "b_topic", "id: [")
    messages = problems_of(tmp_path)
    assert any("a_topic.yaml" in m for m in messages) and any("b_topic.yaml" in m for m in messages)
