"""The editors' commands: `faq validate`, `faq stats`, `faq test`."""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter
from pathlib import Path

from bot.settings import Settings
from retrieval.errors import FaqError
from retrieval.faq_tests import load_faq_tests
from retrieval.loader import NLU_FILE, load_faq
from retrieval.schema import LANGS


def validate(settings: Settings, args: argparse.Namespace) -> int:
    """Print every problem; exit 1 if any is an error."""
    faq_dir = Path(settings.faq_dir)
    try:
        collection = load_faq(faq_dir)
    except FaqError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"\n{len(exc.problems)} error(s): the bot keeps serving the last good FAQ until they are fixed.")
        return 1
    for warning in collection.warnings:
        print(warning)
    from nlu.rasa_data import NluDataError, load_nlu_file

    try:
        examples = load_nlu_file(faq_dir / NLU_FILE)
    except NluDataError as exc:
        print(f"ERROR: {exc}")
        return 1
    intents = Counter(e.intent for e in examples)
    print(f"OK: {len(collection.entries)} topics, {len(intents)} intents in {NLU_FILE}, "
          f"{len(collection.warnings)} warning(s).")
    return 0


def stats(settings: Settings, args: argparse.Namespace) -> int:
    """Entries, questions and answers per language; what is missing and what is due for review."""
    try:
        collection = load_faq(Path(settings.faq_dir))
    except FaqError as exc:
        print(exc)
        return 1
    today = dt.date.today()
    print(f"{len(collection.entries)} topics\n")
    print("| language | topics | questions | answers | missing |")
    print("|---|---|---|---|---|")
    for lang in LANGS:
        present = [e for e in collection.entries if e.text(lang)]
        questions = sum(len(e.text(lang).questions) for e in present)  # type: ignore[union-attr]
        missing = [e.id for e in collection.entries if not e.text(lang)]
        print(f"| {lang} | {len(present)} | {questions} | {len(present)} | {', '.join(missing) or '-'} |")
    due = sorted((e.review_by, e.id) for e in collection.entries if e.review_by and e.review_by <= today
                 + dt.timedelta(days=30))
    print("\nDue for review (within 30 days):" if due else "\nNothing due for review within 30 days.")
    for when, entry_id in due:
        print(f"  {entry_id}: review by {when}")
    return 0


def run_tests(settings: Settings, args: argparse.Namespace) -> int:
    """Ask every test question; print each miss with what the bot chose instead."""
    faq_dir = Path(settings.faq_dir)
    try:
        from bot.app import build_answerer

        cases = load_faq_tests(faq_dir / "tests")
        answerer = build_answerer(settings)
    except FaqError as exc:
        print(exc)
        return 1
    misses = 0
    for case in cases:
        decision = answerer.decide(case.text)
        ok = decision.kind in ("answer", "intent") and decision.faq_id == case.faq_id
        if not ok:
            misses += 1
            got = decision.faq_id or (",".join(decision.candidates) if decision.kind == "suggest" else
                                      decision.intent)
            print(f"MISS {case.faq_id} [{case.lang}] {case.text!r} -> {decision.kind}: {got} "
                  f"({decision.confidence:.3f})")
        elif args.verbose:
            print(f"ok   {case.faq_id} [{case.lang}] {case.text!r}")
    print(f"\n{len(cases) - misses} passed, {misses} failed")
    return 1 if misses else 0
