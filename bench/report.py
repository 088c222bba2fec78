"""Render the benchmark results (plain data) as one markdown report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bench.devset import STYLES
from retrieval.schema import LANGS

GROUPS = (*LANGS, "all")


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for a table cell; '—' when not measured."""
    return "—" if value is None else f"{value:.{digits}f}"


def cell(text: object) -> str:
    """Text that is safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def _rate(d: dict[str, Any] | None) -> str:
    if not d:
        return "—"
    return f"{fmt(d['rate'])} ({d['right']}/{d['n']})"


def _faq_rows(scores: dict[str, Any], keys: Sequence[str]) -> list[list[object]]:
    rows = []
    for key in keys:
        s = scores.get(key)
        if s:
            rows.append([key, s["n"], fmt(s["top1"]), f"{fmt(s['suggested_rate'])} ({s['suggested']})",
                         s["declined"], s["wrong"]])
    return rows


def _targets(results: dict[str, Any]) -> list[str]:
    rows = []
    for t in results["targets"]:
        value = "—" if t["value"] is None else f"{t['value']:.3f}{t['unit']}".replace(".000 MB", " MB")
        rows.append([t["name"], t["target"], value, "not measured" if t["met"] is None else
                     ("met" if t["met"] else "**not met**")])
    return ["## Targets", "", *table(["figure", "target", "measured", ""], rows), ""]


def _quality(q: dict[str, Any]) -> list[str]:
    out = ["## Quality (dev set through `Dialogue.handle`, one fresh conversation per line)", "",
           "### Top-1 FAQ accuracy per language", ""]
    header = ["group", "n", "top-1", "did you mean, right id among choices", "declined", "wrong"]
    out += table(header, _faq_rows(q["faq_by_lang"], GROUPS)) + ["", "### Top-1 FAQ accuracy by style", ""]
    out += table(header, _faq_rows(q["faq_by_style"], STYLES)) + ["", "### Refusals, handoff, emergency", ""]
    oos, hand, emer = q["out_of_scope"], q["handoff"], q["emergency"]
    rows = [
        ["out-of-scope precision", fmt(oos["precision"]), f"{oos['tp']} of {oos['tp'] + oos['fp']} declined"
                                                          " messages were out of scope"],
        ["out-of-scope recall", fmt(oos["recall"]), f"{oos['tp']} of {oos['tp'] + oos['fn']} out-of-scope "
                                                    "messages declined"],
        ["handoff recall", fmt(hand["recall"]),
         f"{hand['tp']} of {hand['tp'] + hand['fn']} requests for a person"],
        ["handoff offered on other messages", str(hand["fp"]),
         "fallbacks and sensitive FAQ answers offer an advisor too"],
        ["emergency recall", fmt(emer["recall"]), f"{emer['tp']} of {emer['tp'] + emer['fn']} emergencies"],
        ["emergency false alarms", str(emer["fp"]), "non-emergency messages answered as emergency"],
        ["small talk (greet/thanks/goodbye)", _rate(q["small_talk"]), "intent matches exactly"],
        ["end-to-end correct decision", _rate(q["end_to_end"]), "every line, by its label (language aside)"],
    ]
    out += table(["figure", "value", "counts"], rows) + ["", "### Reply language", ""]
    out += table(["language", "accuracy"],
                 [[k, _rate(q["language"].get(k))] for k in GROUPS if k in q["language"]])
    conf = q["uk_ru_confusion"]
    out += ["", "uk/ru confusion (rows: labelled language, columns: reply language):", ""]
    out += table(["labelled \\ reply", "uk", "ru", "other"],
                 [[exp, conf[exp]["uk"], conf[exp]["ru"], conf[exp]["other"]] for exp in ("uk", "ru")])
    return out + [""]


def _speed(results: dict[str, Any]) -> list[str]:
    s, mem = results["speed"], results["memory"]
    lat = s["latency"]
    rows: list[list[object]] = [
        ["latency per message p50", f"{fmt(lat['p50_ms'], 1)} ms", f"warm, one process, {lat['n']} messages, "
                                                                   "around `Dialogue.handle`"],
        ["latency per message p95", f"{fmt(lat['p95_ms'], 1)} ms", ""],
        ["latency per message max", f"{fmt(lat['max_ms'], 1)} ms", f"mean {fmt(lat['mean_ms'], 1)} ms"],
        ["CPU time per message p50 / p95",
         f"{fmt(lat.get('cpu_p50_ms'), 1)} / {fmt(lat.get('cpu_p95_ms'), 1)} ms",
         "process CPU time around the same calls: what the latency would be on an idle machine, roughly "
         "(more than the wall time when the work runs on both cores)"],
        ["bot build in this process", f"{fmt(s['build_in_process_s'], 2)} s", "`build_bot`, warm caches"],
    ]
    start = s.get("start")
    if start:
        rows.append(["cold start, warm caches (fresh `python -c` to first answer)",
                     f"{fmt(start['wall_s'], 2)} s",
                     f"median of {len(start['runs_wall_s'])} runs "
                     f"({', '.join(fmt(x, 2) for x in start['runs_wall_s'])}); imports "
                     f"{fmt(start['import_s'], 2)} s, build {fmt(start['build_s'], 2)} s, first answer "
                     f"{fmt(start['first_answer_s'], 3)} s, {start['embed_misses']} texts re-embedded"])
    elif s.get("start_error"):
        rows.append(["cold start, warm caches", "failed", s["start_error"][:300]])
    for key, label in (("index_cold", "index build, cold (empty cache dir)"),
                       ("index_warm", "index build, warm (same cache dir again)")):
        run = s.get(key)
        if run:
            rows.append([label, f"{fmt(run['index_s'], 2)} s",
                         f"fresh process, `build_answerer`; model load {fmt(run['model_s'], 2)} s apart; "
                         f"{run['embed_misses']} texts embedded, {run['embed_hits']} from cache; "
                         f"peak RSS {fmt(run['rss_mb'], 0)} MB"])
        elif s.get(f"{key}_error"):
            rows.append([label, "failed", s[f"{key}_error"][:300]])
    rows.append(["peak RSS, benchmark process after the dev set", f"{fmt(mem['bot_process_mb'], 0)} MB",
                 "`ru_maxrss`: the bot built and the whole dev set answered"])
    if start:
        rows.append(["peak RSS, warm-start process", f"{fmt(start['rss_mb'], 0)} MB",
                     "after its first answer"])
    rows.append(["peak RSS, benchmark process at the end", f"{fmt(mem['bench_end_mb'], 0)} MB",
                 "includes the baselines (and torch, when the sentence-transformers row ran)"])
    return ["## Speed and memory", "", *table(["figure", "value", "notes"], rows), ""]


def _baselines(results: dict[str, Any]) -> list[str]:
    rows_in = results.get("baselines")
    out = ["## Baselines (argmax over the same FAQ documents on the dev set's FAQ questions, no thresholds)",
           ""]
    if rows_in is None:
        return out + ["Skipped (`--no-baselines`).", ""]
    bot = results["quality"]["faq_by_lang"]
    rows: list[list[object]] = [["**the bot** (dialogue path, thresholds)",
                                 *[fmt(bot.get(k, {}).get("top1")) for k in GROUPS], "—", "see above"]]
    notes = []
    for row in rows_in:
        if row["status"] != "ok":
            rows.append([row["name"], *["—"] * len(GROUPS), "—", row["status"]])
            continue
        build = f"{fmt(row['build_s'], 2)} s" + (f" (+ model load {fmt(row['load_s'], 1)} s)"
                                                 if row.get("load_s") is not None else "")
        rows.append([row["name"], *[fmt(row["top1"].get(k, {}).get("rate")) for k in GROUPS], build,
                     f"{fmt(row['p50_ms'], 2)} / {fmt(row['p95_ms'], 2)} ms"])
        if row.get("note"):
            notes.append(f"- {row['name']}: {row['note']}")
    out += table(["method", *GROUPS, "index build", "per query p50 / p95"], rows)
    return out + ([""] + notes if notes else []) + [""]


def _devset(results: dict[str, Any]) -> list[str]:
    d = results["devset"]
    out = ["## Dev set", "",
           f"{d['lines']} lines ({d['faq_lines']} FAQ questions, {d['out_of_scope']} out of scope, "
           f"{d['handoff']} handoff, {d['emergency']} emergency, {d['small_talk']} small talk).", ""]
    for key, label in (("leaked_questions", "equal to an FAQ example question"),
                       ("leaked_titles", "equal to an FAQ title"),
                       ("leaked_nlu", "equal to an nlu.yml intent example")):
        texts = d[key]
        out.append(f"- lines {label} (lowercased): {len(texts)}" + (": " + "; ".join(texts) if texts else ""))
    return out + [""]


def _misses(q: dict[str, Any]) -> list[str]:
    misses = q["misses"]
    out = [f"## Misses ({len(misses)})", ""]
    if not misses:
        return out + ["None.", ""]
    rows = [[n, m["what"], m["lang"], m["style"], m["text"], m["expected"], m["got"]]
            for n, m in enumerate(sorted(misses, key=lambda m: (m["what"], m["lang"], m["expected"])), 1)]
    return out + table(["#", "what", "lang", "style", "text", "expected", "got"], rows) + [""]


def render(results: dict[str, Any]) -> str:
    """The whole report."""
    run = results["run"]
    head = [f"# Benchmark: {run['embedder']}", "",
            f"{run['date']} · Python {run['python']} · {run['cpus']} CPUs · load average "
            f"{run['load_before']} before, {run['load_after']} after · {run['faq_entries']} FAQ entries · "
            f"dev set `{run['devset']}` · run took {fmt(run['seconds'], 0)} s", ""]
    parts = [head, _targets(results), _quality(results["quality"]), _speed(results), _baselines(results),
             _devset(results), _misses(results["quality"])]
    return "\n".join(line for part in parts for line in part).rstrip() + "\n"
