"""Serve FAQ edits without a restart: watch `faq_data/`, rebuild, and keep the last good FAQ on errors."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from bot.answering import Answerer
from nlu.rasa_data import NluDataError
from retrieval.errors import FaqError

log = logging.getLogger(__name__)

ErrorSink = Callable[[str], None]


def snapshot(faq_dir: Path) -> dict[str, tuple[float, int]]:
    """Modification time and size of every YAML file under the FAQ folder."""
    out: dict[str, tuple[float, int]] = {}
    for path in sorted(faq_dir.rglob("*.y*ml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        out[str(path.relative_to(faq_dir))] = (stat.st_mtime, stat.st_size)
    return out


class FaqReloader:
    """Polls the FAQ folder; on a change rebuilds the answerer's knowledge, or reports why it could not."""

    def __init__(self, answerer: Answerer, faq_dir: Path, status_file: Path | None = None,
                 on_error: ErrorSink | None = None, interval: float = 2.0) -> None:
        self.answerer = answerer
        self.faq_dir = faq_dir
        self.status_file = status_file
        self.on_error = on_error
        self.interval = interval
        self._seen = snapshot(faq_dir)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def check(self) -> bool | None:
        """Reload if anything changed: True reloaded, False refused (old FAQ still serving), None unchanged."""
        current = snapshot(self.faq_dir)
        if current == self._seen:
            return None
        self._seen = current
        return self.reload()

    def reload(self) -> bool:
        """Rebuild now; on a broken FAQ keep serving the last good one and report the problems."""
        try:
            knowledge = self.answerer.reload(self.faq_dir)
        except (FaqError, NluDataError) as exc:
            self.last_error = str(exc)
            self._report(f"FAQ update refused, the previous FAQ is still serving:\n{exc}")
            if self.on_error:
                self.on_error(self.last_error)
            return False
        except Exception as exc:  # noqa: BLE001 - never let a reload take the bot down
            log.exception("FAQ reload failed")
            self.last_error = f"unexpected error: {exc}"
            self._report(f"FAQ update failed, the previous FAQ is still serving: {exc}")
            return False
        self.last_error = None
        self._report(f"FAQ reloaded: {len(knowledge.collection.entries)} topics.")
        return True

    def _report(self, message: str) -> None:
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        (log.warning if "refused" in message or "failed" in message else log.info)("%s", message)
        if self.status_file is None:
            return
        try:
            self.status_file.parent.mkdir(parents=True, exist_ok=True)
            self.status_file.write_text(f"{stamp} {message}\n", encoding="utf-8")
        except OSError:
            log.warning("could not write the FAQ status file %s", self.status_file)

    def start(self) -> None:
        """Watch in a background thread until `stop`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="faq-reloader", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval * 2)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # noqa: BLE001
                log.exception("FAQ watcher error")
