"""The one exception base of the handoff package."""

from __future__ import annotations


class HandoffError(Exception):
    """A handoff problem the reader can fix; the message says what, where and how."""
