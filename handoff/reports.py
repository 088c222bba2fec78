"""/queue and /stats for the advisors' group: pure functions of tickets and a time."""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import datetime, time, timedelta
from statistics import mean

from bot.messages import LANGS
from bot.texts import text
from handoff.schedule import POLISH_ZONE, DutySchedule
from handoff.tickets import ASSIGNED, WAITING, Ticket
from handoff.wording import channel_label, duration, reason_label


def day_start(now: datetime) -> datetime:
    """Midnight of `now`'s day in Poland (the advisors' 'today')."""
    local = now.astimezone(POLISH_ZONE)
    return datetime.combine(local.date(), time(0), tzinfo=POLISH_ZONE)


def _order(ticket: Ticket) -> tuple[int, datetime]:
    return (0 if ticket.priority else 1, ticket.created_at)


def queue_text(open_tickets: list[Ticket], now: datetime, schedule: DutySchedule, lang: str) -> str:
    """Waiting tickets by language (urgent first, then oldest), then those in progress, as Telegram HTML."""
    esc = html.escape
    waiting = sorted((t for t in open_tickets if t.status == WAITING), key=_order)
    taken = [t for t in open_tickets if t.status == ASSIGNED]
    if not waiting and not taken:
        return esc(text(lang, "advisors.queue_empty"))
    lines = [f"<b>{esc(text(lang, 'advisors.queue_waiting', count=len(waiting)))}</b>"]
    by_lang: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in waiting:
        by_lang[ticket.route_lang].append(ticket)
    for code in [c for c in LANGS if c in by_lang] + [c for c in by_lang if c not in LANGS]:
        lines.append(f"{code.upper()}:")
        for t in by_lang[code]:
            flags = ("‼️ " if t.priority else "") + ("⏸ " if t.paused else "")
            lines.append(
                esc(
                    f"  {flags}#{t.id} · {reason_label(t.reason, lang)} · "
                    f"{duration(now - t.created_at)} · {channel_label(t.channel, lang)}"
                )
            )
    if taken:
        lines.append(f"<b>{esc(text(lang, 'advisors.queue_taken', count=len(taken)))}</b>")
        for t in sorted(taken, key=lambda x: x.taken_at or x.created_at):
            adv = schedule.advisors.get(t.advisor or "")
            name = adv.display_name if adv else (t.advisor or "?")
            since = duration(now - (t.taken_at or t.created_at))
            lines.append(esc(f"  #{t.id} · {t.route_lang.upper()} · {name} · {since}"))
    return "\n".join(lines)


def stats_text(
    open_tickets: list[Ticket],
    closed_today: list[Ticket],
    closed_month: list[Ticket],
    now: datetime,
    lang: str,
) -> str:
    """Waiting by language with waiting times, handled today, time to take, ratings; Telegram HTML."""
    esc = html.escape
    waiting = [t for t in open_tickets if t.status == WAITING]
    lines = [
        f"<b>{esc(text(lang, 'advisors.stats_title', date=f'{now.astimezone(POLISH_ZONE):%d.%m.%Y}'))}</b>"
    ]
    if waiting:
        counts: dict[str, int] = defaultdict(int)
        for t in waiting:
            counts[t.route_lang] += 1
        per_lang = ", ".join(f"{code.upper()} {n}" for code, n in sorted(counts.items()))
        waits = [now - t.created_at for t in waiting]
        lines.append(
            esc(
                text(
                    lang,
                    "advisors.stats_waiting",
                    count=len(waiting),
                    per_lang=per_lang,
                    longest=duration(max(waits)),
                    average=duration(sum(waits, timedelta()) / len(waits)),
                )
            )
        )
    else:
        lines.append(esc(text(lang, "advisors.stats_none_waiting")))
    handled = [t for t in closed_today if t.outcome in ("closed", "returned")]
    takes = [t.taken_at - t.created_at for t in handled if t.taken_at]
    lines.append(
        esc(
            text(
                lang,
                "advisors.stats_handled",
                count=len(handled),
                closed=sum(t.outcome == "closed" for t in handled),
                returned=sum(t.outcome == "returned" for t in handled),
                take=duration(sum(takes, timedelta()) / len(takes)) if takes else "–",
            )
        )
    )
    lines.append(
        esc(text(lang, "advisors.stats_ratings", today=_ratings(closed_today), month=_ratings(closed_month)))
    )
    return "\n".join(lines)


def _ratings(tickets: list[Ticket]) -> str:
    values = [t.rating for t in tickets if t.rating]
    if not values:
        return "–"
    return f"{mean(values):.1f}/5 ({len(values)})"
