"""A running bot serves FAQ edits without a restart and refuses broken ones while it keeps answering."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from bot.answering import Answerer
from bot.app import build_bot
from bot.messages import IncomingMessage
from bot.reloader import FaqReloader
from bot.settings import PROJECT_ROOT, Settings


def ask(parts: object, text: str) -> str:
    replies = parts.dialogue.handle(IncomingMessage("test", "r", "u", text))  # type: ignore[attr-defined]
    return replies[0].text


def test_edit_is_served_and_broken_edit_is_refused(tmp_path: Path, settings: Settings, answerer: Answerer) -> None:
    faq = tmp_path / "faq_data"
    shutil.copytree(PROJECT_ROOT / "faq_data", faq)
    local = settings.model_copy(update={"faq_dir": faq})
    fresh = Answerer(answerer.embedder, answerer.knowledge, answerer.thresholds, settings.cache_dir)
    parts = build_bot(local, persistent=False, answerer=fresh)
    reloader = FaqReloader(fresh, faq, tmp_path / "faq-status.txt", interval=0.2)
    assert "https://" in ask(parts, "how do I get a PESEL number")

    pesel = faq / "pesel.yaml"
    original = pesel.read_text(encoding="utf-8")
    pesel.write_text(original.replace("  answer: |\n", "  answer: |\n    EDITED-MARKER.\n", 4), encoding="utf-8")
    reloader.start()
    try:
        deadline = time.monotonic() + 60
        while "EDITED-MARKER" not in ask(parts, "how do I get a PESEL number") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "EDITED-MARKER" in ask(parts, "how do I get a PESEL number")

        pesel.write_text(original.replace("category: documents", "category: papers"), encoding="utf-8")
        deadline = time.monotonic() + 30
        while reloader.last_error is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        reloader.stop()
    assert reloader.last_error is not None and "pesel.yaml" in reloader.last_error
    assert "line 2" in reloader.last_error and "category" in reloader.last_error
    status = (tmp_path / "faq-status.txt").read_text(encoding="utf-8")
    assert "still serving" in status
    assert "EDITED-MARKER" in ask(parts, "how do I get a PESEL number")
