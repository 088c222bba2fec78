"""What the advisors read: topic titles, ticket cards, durations and mentions (Telegram HTML)."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.messages import Button
from bot.texts import text
from handoff.schedule import POLISH_ZONE, Advisor
from handoff.tickets import Ticket

MAX_TITLE = 128  # Telegram's limit for a forum topic name
CONTEXT_LINES = 8


def duration(delta: timedelta) -> str:
    """A short waiting time: '0 min', '45 min', '2 h 05 min', '3 d 4 h'."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def local_time(when: datetime, with_day: bool = False) -> str:
    """A time as advisors read it: Polish wall-clock, e.g. '14:05' or 'Tue 11.03 14:05'."""
    local = when.astimezone(POLISH_ZONE)
    return local.strftime("%a %d.%m %H:%M") if with_day else local.strftime("%H:%M")


def reason_label(reason: str, lang: str) -> str:
    """The reason a ticket was opened, in the advisors' language."""
    label = text(lang, f"advisors.reason.{reason}")
    return reason if label.startswith("advisors.") else label


def channel_label(channel: str, lang: str) -> str:
    """'Telegram' or 'Messenger' (Messenger conversations are labelled as such everywhere)."""
    return text(lang, f"advisors.channel.{channel}") if channel in ("telegram", "messenger") else channel


def topic_title(ticket: Ticket, now: datetime, lang: str) -> str:
    """'<LANG> · <reason> · <waiting>', marked urgent or Messenger when so, with the ticket number."""
    parts = [ticket.route_lang.upper(), reason_label(ticket.reason, lang), duration(now - ticket.created_at)]
    if ticket.channel == "messenger":
        parts.append("Messenger")
    parts.append(f"#{ticket.id}")
    title = ("‼️ " if ticket.priority else "") + " · ".join(parts)
    return title[:MAX_TITLE]


def mention(advisor: Advisor) -> str:
    """A Telegram mention of an advisor by user id (works without a username)."""
    return f'<a href="tg://user?id={advisor.telegram_id}">{html.escape(advisor.display_name)}</a>'


def mentions(advisors: Iterable[Advisor]) -> str:
    """Mentions separated by commas."""
    return ", ".join(mention(a) for a in advisors)


def ticket_buttons(ticket_id: int, lang: str) -> list[list[Button]]:
    """Take / Close / Return to bot under a ticket card."""
    return [
        [Button(text(lang, "advisors.button.take"), f"adv:take:{ticket_id}")],
        [
            Button(text(lang, "advisors.button.close"), f"adv:close:{ticket_id}"),
            Button(text(lang, "advisors.button.return"), f"adv:return:{ticket_id}"),
        ],
    ]


def card(
    ticket: Ticket,
    now: datetime,
    lang: str,
    on_duty: list[Advisor],
    transcript: list[tuple[datetime, str, str]],
) -> str:
    """The first message in a ticket's topic: who, why, since when, who is on duty, the conversation."""
    esc = html.escape
    lines = []
    if ticket.priority:
        lines.append(f"<b>{esc(text(lang, 'advisors.urgent'))}</b>")
    lines.append(
        "<b>"
        + esc(
            text(
                lang,
                "advisors.request",
                id=ticket.id,
                language=ticket.route_lang.upper(),
                reason=reason_label(ticket.reason, lang),
            )
        )
        + "</b>"
    )
    lines.append(
        esc(
            text(
                lang,
                "advisors.since",
                channel=channel_label(ticket.channel, lang),
                person_lang=ticket.lang.upper(),
                time=local_time(ticket.created_at, with_day=True),
                waiting=duration(now - ticket.created_at),
            )
        )
    )
    if ticket.contact:
        lines.append(esc(text(lang, "advisors.contact", contact=contact_label(ticket.contact, lang))))
    if on_duty:
        lines.append(esc(text(lang, "advisors.on_duty")) + " " + mentions(on_duty))
    else:
        lines.append(esc(text(lang, "advisors.nobody_on_duty", language=ticket.route_lang.upper())))
    lines.append("")
    # Only what came before the request: later messages are posted in the topic on their own.
    context = [line for line in transcript if line[0] <= ticket.created_at][-CONTEXT_LINES:]
    lines.append(esc(text(lang, "advisors.context" if context else "advisors.no_context")))
    for at, author, line in context:
        who = text(lang, "advisors.author.person") if author in ("person", "context") else author
        lines.append(f"{local_time(at)} · {esc(who)}: {esc(line[:600])}")
    return "\n".join(lines)


def contact_label(contact: str, lang: str) -> str:
    """How the person wants to be contacted, in the advisors' language."""
    return text(lang, f"advisors.contact_kind.{contact}")


def note(key: str, lang: str, *, html_tail: str = "", **values: object) -> str:
    """An advisors' text, HTML-escaped, with an optional HTML tail (mentions)."""
    body = html.escape(text(lang, f"advisors.{key}", **values))
    return f"{body} {html_tail}".rstrip() if html_tail else body
