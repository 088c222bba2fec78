"""The shipped FAQ: content rules and the editors' paraphrase tests, run by the suite."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.answering import Answerer
from bot.settings import PROJECT_ROOT
from retrieval.faq_tests import load_faq_tests
from retrieval.loader import load_faq

FAQ = PROJECT_ROOT / "faq_data"
OFFICIAL = re.compile(r"https://([a-z0-9-]+\.)*(gov\.pl|udsc\.gov\.pl|nfz\.gov\.pl|zus\.pl|ms\.gov\.pl|"
                      r"krakow\.pl|gdansk\.pl|torun\.pl|uw\.gov\.pl|pip\.gov\.pl|praca\.gov\.pl|"
                      r"podatki\.gov\.pl|biznes\.gov\.pl|cudzoziemcy\.gov\.pl|mos\.cudzoziemcy\.gov\.pl|"
                      r"rpo\.gov\.pl|nawa\.gov\.pl|certyfikatpolski\.pl|pacjent\.gov\.pl|isap\.sejm\.gov\.pl)")
REQUIRED_IDS = {
    "pesel", "temporary_residence_permit", "permanent_residence", "application_status", "legal_stay_extension",
    "work_permit", "ukrainian_temporary_protection", "student_residence", "family_reunification",
    "citizenship", "karta_polaka", "meldunek", "trusted_profile", "driving_license", "health_insurance",
    "doctor_visit", "school_enrollment", "kindergarten", "polish_courses", "job_search", "labor_rights",
    "housing", "social_benefits", "discrimination_violence", "legal_aid", "psychological_help",
    "sworn_translation", "bank_account", "taxes", "diploma_recognition", "civic_participation",
    "culture_events", "info_point_contact", "business_registration", "travel_schengen", "lost_documents",
    "child_birth_registration",
}
# The paraphrase tests include deliberately hard wordings; the suite guards against regressions.
MIN_PARAPHRASE_ACCURACY = 0.85


def test_every_required_topic_exists_in_four_languages_with_official_sources() -> None:
    collection = load_faq(FAQ)
    by_id = collection.by_id()
    assert REQUIRED_IDS <= set(by_id)
    for entry in collection.entries:
        assert any(OFFICIAL.match(s) for s in entry.sources), f"{entry.id}: no official source"
        assert entry.reviewed <= dt.date(2026, 12, 31)
        for lang in ("uk", "ru", "pl", "en"):
            loc = entry.text(lang)
            assert loc is not None and len(loc.questions) >= 8, f"{entry.id}/{lang}"
            assert "https://" in loc.answer or "{org_website}" in loc.answer, f"{entry.id}/{lang}: no link"


def test_every_topic_has_editors_test_questions() -> None:
    covered = {case.faq_id for case in load_faq_tests(FAQ / "tests")}
    assert REQUIRED_IDS <= covered


def test_editors_paraphrases_find_their_topic(answerer: Answerer) -> None:
    cases = load_faq_tests(FAQ / "tests")
    misses = []
    for case in cases:
        decision = answerer.decide(case.text)
        if decision.faq_id != case.faq_id:
            misses.append(f"{case.faq_id} [{case.lang}] {case.text!r} -> {decision.kind} "
                          f"{decision.faq_id or decision.candidates or decision.intent}")
    accuracy = 1 - len(misses) / len(cases)
    assert accuracy >= MIN_PARAPHRASE_ACCURACY, f"{accuracy:.3f}\n" + "\n".join(misses)


@pytest.mark.parametrize("lang", ["uk", "ru", "pl", "en"])
def test_faq_own_questions_are_answered_by_their_topic(answerer: Answerer, lang: str) -> None:
    collection = answerer.knowledge.collection
    wrong = [(e.id, q) for e in collection.entries for q in e.text(lang).questions[:3]  # type: ignore[union-attr]
             if answerer.decide(q).faq_id != e.id]
    assert len(wrong) <= 0.05 * 3 * len(collection.entries), wrong
