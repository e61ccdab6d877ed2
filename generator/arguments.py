"""Argument types of the command line: each turns a text into a value or says, as argparse shows it, what
the option takes."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo


def jobs(text: str) -> int:
    """--jobs N: a whole number of processes, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"--jobs takes a whole number of processes, 1 or more, not {text!r}"
        )
    return value


def moment(text: str) -> datetime:
    """--as-of: a date or date and time; without an offset it is in the site's timezone (applied later)."""
    from generator.read.content import parse_datetime

    try:
        value = parse_datetime(text, ZoneInfo("UTC"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--as-of takes a date or time such as 2026-12-24 or 2026-12-24T09:00, not {text!r}"
        ) from None
    # remember that the user gave no offset, so the site's timezone applies (cli._as_of applies it)
    return value if has_offset(text) else value.replace(tzinfo=None)


def has_offset(text: str) -> bool:
    tail = text.strip()[10:]
    return tail.endswith("Z") or "+" in tail or "-" in tail


def week(text: str) -> str:
    from generator.dev.mail import week_slug

    try:
        return week_slug(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--week takes an ISO week such as 2026-W48, not {text!r}"
        ) from None
