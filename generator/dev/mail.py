"""The weekly digest as an e-mail: HTML (inline styles, tables for layout, no script, dark-mode aware,
absolute links and images) plus a plain-text part, written to a .eml file or sent over SMTP.

SMTP settings come from site.yaml's `email.smtp` (host, port, user), each overridden by the environment
(BRIEFINGS_SMTP_HOST, BRIEFINGS_SMTP_PORT, BRIEFINGS_SMTP_USER); the password is read only from
BRIEFINGS_SMTP_PASSWORD, never from a file in the project. STARTTLS is used whenever the server offers it.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from generator.build.builder import Builder, BuildOptions
from generator.core.config import Config, load_config
from generator.core.errors import SiteError
from generator.core.model import Site
from generator.render.social import page_image
from generator.render.theme import make_environment, static_files
from generator.site.groups import Week, weeks

DEFAULT_PORT = 587  # submission; STARTTLS when offered
EMAIL_KEYS = ("from", "recipients", "unsubscribe", "smtp")
SMTP_KEYS = ("host", "port", "user")


class MailError(Exception):
    """A problem sending or composing the e-mail, with the exit code the command returns (1 or 2)."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str


def email_settings(config: Config) -> dict[str, Any]:
    """site.yaml's `email:` mapping, checked: known keys, a list of recipients, a mapping for smtp."""
    raw = config.email or {}
    site_yaml = config.root / "site.yaml"
    for key in raw:
        if key not in EMAIL_KEYS:
            raise SiteError.at(
                site_yaml,
                config.lines.get(f"email.{key}"),
                f"unknown key 'email.{key}'; use one of: {', '.join(EMAIL_KEYS)}",
            )
    recipients = raw.get("recipients") or []
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise SiteError.at(
            site_yaml,
            config.lines.get("email.recipients"),
            "email.recipients must be a list of addresses",
        )
    smtp = raw.get("smtp") or {}
    if not isinstance(smtp, dict) or any(k not in SMTP_KEYS for k in smtp):
        raise SiteError.at(
            site_yaml,
            config.lines.get("email.smtp"),
            f"email.smtp must be a mapping of {', '.join(SMTP_KEYS)} (the password comes from "
            "BRIEFINGS_SMTP_PASSWORD only)",
        )
    return {**raw, "recipients": recipients, "smtp": smtp}


def smtp_settings(config: Config, environ: Mapping[str, str] = os.environ) -> SmtpSettings:
    """Host, port, user from site.yaml overridden by BRIEFINGS_SMTP_*; the password from the environment."""
    smtp = email_settings(config)["smtp"]
    host = environ.get("BRIEFINGS_SMTP_HOST") or str(smtp.get("host") or "")
    if not host:
        raise MailError(
            "no SMTP host: set email.smtp.host in site.yaml or BRIEFINGS_SMTP_HOST", code=2
        )
    port_text = environ.get("BRIEFINGS_SMTP_PORT") or str(smtp.get("port") or DEFAULT_PORT)
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise MailError(f"SMTP port must be a number from 1 to 65535, not {port_text!r}", code=2)
    user = environ.get("BRIEFINGS_SMTP_USER") or str(smtp.get("user") or "")
    password = environ.get("BRIEFINGS_SMTP_PASSWORD", "")
    if user and not password:
        raise MailError(
            f"SMTP user {user!r} needs BRIEFINGS_SMTP_PASSWORD in the environment", code=2
        )
    return SmtpSettings(host, int(port_text), user, password)


def find_week(site: Site, slug: str) -> Week:
    """The week `slug` ('2026-W48') of the site, or a MailError naming the weeks there are."""
    found = weeks(site)
    for week in found:
        if week.slug == slug:
            return week
    recent = ", ".join(w.slug for w in found[:4]) or "none"
    raise MailError(f"no briefings in week {slug}; weeks with briefings (newest first): {recent}")


def compose(
    site: Site,
    week: Week,
    env: jinja2.Environment,
    *,
    recipients: Sequence[str] = (),
    now: datetime,
) -> EmailMessage:
    """The digest of `week` as a multipart/alternative message: plain text first, then HTML."""
    config: Config = site.config
    settings = email_settings(config)
    host = urlsplit(config.base_url).hostname or "localhost"
    sender = settings.get("from") or f"{config.publisher or config.title} <digest@{host}>"
    unsubscribe = settings.get("unsubscribe") or f"mailto:unsubscribe@{host}?subject=unsubscribe"
    all_weeks = weeks(site)
    index = all_weeks.index(week)
    items = [(b, page_image(config, b)[0]) for b in week.briefings]
    context = {
        "week": week,
        "items": items,
        "web_url": config.absolute_url(week.url),
        "unsubscribe": unsubscribe,
        "older": all_weeks[index + 1] if index + 1 < len(all_weeks) else None,
    }
    text = env.get_template("email/digest.txt").render(context)
    html = env.get_template("email/digest.html").render(context)
    message = EmailMessage()
    message["Subject"] = f"{config.title}: {week.label} ({week.span})"
    message["From"] = sender
    message["To"] = ", ".join(recipients) if recipients else "undisclosed-recipients:;"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("digest", domain=host)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Id"] = f"{config.title} weekly digest <digest.{host}>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def write_eml(message: EmailMessage, path: Path) -> None:
    """The message as an RFC 5322 file any mail client opens."""
    path.write_bytes(message.as_bytes())


def send(message: EmailMessage, recipients: Sequence[str], settings: SmtpSettings) -> None:
    """Deliver one copy per recipient (no one sees the others' addresses); STARTTLS when offered."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.user:
                smtp.login(settings.user, settings.password)
            for recipient in recipients:
                del message["To"]
                message["To"] = recipient
                smtp.send_message(message, to_addrs=[recipient])
    except (ConnectionRefusedError, socket.gaierror, TimeoutError) as exc:
        reason = (
            exc.strerror
            if isinstance(exc, OSError) and exc.strerror
            else str(exc) or type(exc).__name__
        )
        raise MailError(
            f"cannot connect to SMTP server {settings.host}:{settings.port}: {reason}"
        ) from None
    except smtplib.SMTPException as exc:
        raise MailError(
            f"SMTP server {settings.host}:{settings.port} refused the message: {exc}"
        ) from None
    except OSError as exc:
        raise MailError(
            f"SMTP server {settings.host}:{settings.port}: {exc.strerror or exc}"
        ) from None


def week_slug(text: str) -> str:
    """'2026-W48' (also '2026-w48', '2026W48'), checked to be an ISO week; ValueError otherwise."""
    cleaned = text.strip().upper().replace("-W", "W")
    year, _, number = cleaned.partition("W")
    if not (year.isdigit() and number.isdigit() and len(year) == 4):
        raise ValueError(text)
    datetime.fromisocalendar(int(year), int(number), 1)  # raises ValueError for week 54, 0...
    return f"{int(year):04d}-W{int(number):02d}"


def digest_message(root: Path, slug: str, recipients: Sequence[str]) -> EmailMessage:
    """Load the site at `root` (its content as the build sees it now) and compose the digest of week `slug`."""
    builder = Builder(root, BuildOptions(run_import=False))
    config = builder.load_config()
    site = builder.load_site(config)
    env = make_environment(config, static_files(config))
    return compose(site, find_week(site, slug), env, recipients=recipients, now=builder.now(config))


def run_digest(
    root: Path, slug: str, recipients: Sequence[str], to: str | None, deliver: bool
) -> str:
    """`briefings digest`: compose the week's e-mail, then send it, write it to `to`, or print it; what
    to tell the user ('' when the message itself went to stdout)."""
    config = load_config(root)
    recipients = list(recipients or email_settings(config)["recipients"])
    if deliver and not recipients:
        raise MailError("no recipients: give --recipient ADDR or set email.recipients", code=2)
    smtp = smtp_settings(config) if deliver else None
    message = digest_message(root, slug, recipients)
    if smtp is not None:
        send(message, recipients, smtp)
        return f"sent the digest of {slug} to {len(recipients)} recipient(s) through {smtp.host}"
    if to:
        write_eml(message, Path(to))
        return str(Path(to).resolve())
    sys.stdout.buffer.write(message.as_bytes())
    sys.stdout.flush()
    return ""
