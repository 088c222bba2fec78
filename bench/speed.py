"""Start-up and index-build timings, each in a fresh Python process, plus peak memory."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIRST_QUESTION = "як отримати номер PESEL"

# argv: cache_dir, question. Prints one JSON line as soon as the first answer exists.
_START = """
import json, resource, sys, time
t0 = time.perf_counter()
from bot.app import build_bot
from bot.messages import IncomingMessage
from bot.settings import load_settings
t1 = time.perf_counter()
parts = build_bot(load_settings(cache_dir=sys.argv[1]), persistent=False)
t2 = time.perf_counter()
replies = parts.dialogue.handle(IncomingMessage("bench", "start", "bench", sys.argv[2]))
t3 = time.perf_counter()
meta = next((r.meta for r in replies if r.to is None and "intent" in r.meta), {})
print(json.dumps({"import_s": t1 - t0, "build_s": t2 - t1, "first_answer_s": t3 - t2,
                  "faq_id": meta.get("faq_id"), "embed_misses": parts.embedder.misses,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), flush=True)
"""

# argv: cache_dir. Times the embedder load and build_answerer separately.
_BUILD = """
import json, resource, sys, time
from bot.app import build_answerer, build_embedder
from bot.settings import load_settings
settings = load_settings(cache_dir=sys.argv[1])
t0 = time.perf_counter()
embedder = build_embedder(settings)
t1 = time.perf_counter()
build_answerer(settings, embedder)
t2 = time.perf_counter()
print(json.dumps({"model_s": t1 - t0, "index_s": t2 - t1, "embed_hits": embedder.hits,
                  "embed_misses": embedder.misses,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), flush=True)
"""


class SubprocessError(Exception):
    """A measuring subprocess failed; the message carries the end of its stderr."""


@dataclass(frozen=True)
class StartRun:
    """One fresh process: wall time from `python -c` to the first answer, and its parts."""

    wall_s: float
    import_s: float
    build_s: float
    first_answer_s: float
    rss_mb: float
    embed_misses: int
    faq_id: str | None


@dataclass(frozen=True)
class BuildRun:
    """One fresh process building the answerer: model load, index build (embed, index, classifier)."""

    model_s: float
    index_s: float
    embed_hits: int
    embed_misses: int
    rss_mb: float


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _python(code: str, *args: str, timeout: float = 900.0) -> tuple[dict[str, object], float]:
    """Run `python -c code args` in the project root; return its JSON line and the wall time until it came."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=PROJECT_ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    wall = time.perf_counter() - start
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    if proc.returncode != 0 or not line.strip():
        raise SubprocessError(f"exit {proc.returncode}: {err.strip()[-1500:]}")
    return json.loads(line), wall


def start_run(cache_dir: Path, question: str = FIRST_QUESTION) -> StartRun:
    """A fresh process builds the bot from `cache_dir` and answers one question."""
    data, wall = _python(_START, str(cache_dir), question)
    return StartRun(wall, float(data["import_s"]), float(data["build_s"]),  # type: ignore[arg-type]
                    float(data["first_answer_s"]), float(data["rss_kb"]) / 1024.0,  # type: ignore[arg-type]
                    int(data["embed_misses"]), data.get("faq_id"))  # type: ignore[arg-type, call-overload]


def build_run(cache_dir: Path) -> BuildRun:
    """A fresh process loads the embedder and builds the answerer over `cache_dir`."""
    data, _ = _python(_BUILD, str(cache_dir))
    return BuildRun(float(data["model_s"]), float(data["index_s"]),  # type: ignore[arg-type]
                    int(data["embed_hits"]), int(data["embed_misses"]),  # type: ignore[call-overload]
                    float(data["rss_kb"]) / 1024.0)  # type: ignore[arg-type]
