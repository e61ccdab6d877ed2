"""`briefings digest`: the week's digest as an e-mail, sent to a real SMTP server (aiosmtpd) on 127.0.0.1,
parsed with the email package; and its errors, one line each."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import briefing_md

BASE = "https://example.org/desk/"
CONFIG = f"""title: Mail Desk
base_url: {BASE}
email:
  from: Mail Desk <digest@example.org>
  unsubscribe: https://example.org/desk/unsubscribe/
  recipients: [listed@example.org]
"""


def site_files() -> dict[str, str]:
    return {
        "content/briefings/one.md": briefing_md(
            "Ceasefire holds in the north",
            date="2026-11-24T09:00:00+00:00",
            summary="Both sides report calm.",
            takeaways=["Monitors deployed.", "Talks resume Friday."],
            countries=["Ukraine"],
            body="See [the about page](/about/).",
        ),
        "content/briefings/two.md": briefing_md(
            "Grain corridor reopens",
            date="2026-11-26T09:00:00+00:00",
            summary="Ships sail again.",
            countries=["Türkiye"],
        ),
        "content/briefings/earlier.md": briefing_md(
            "An earlier week", date="2026-11-17T09:00:00+00:00"
        ),
    }


class Collector:
    """aiosmtpd handler keeping every envelope it is given."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # the hook aiosmtpd calls
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Collector]]:
    """A real SMTP server on a free 127.0.0.1 port, stopped at the end."""
    from aiosmtpd.controller import Controller

    handler = Collector()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
        if tag == "img":
            self.srcs.append(str(a.get("src")))


def check_message(message: EmailMessage) -> None:
    """Both parts present, links and images absolute, no script, the headers a list mail needs."""
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    plain, markup = text.get_content(), html.get_content()
    assert "Ceasefire holds in the north" in plain and "Grain corridor reopens" in plain
    assert f"{BASE}briefings/ceasefire-holds-in-the-north/" in plain
    refs = _Refs()
    refs.feed(markup)
    assert "script" not in refs.tags and "table" in refs.tags
    assert refs.hrefs and all(h.startswith(("https://", "mailto:")) for h in refs.hrefs), refs.hrefs
    assert f"{BASE}briefings/grain-corridor-reopens/" in refs.hrefs
    assert refs.srcs == [
        f"{BASE}briefings/ceasefire-holds-in-the-north/preview.png",
        f"{BASE}briefings/grain-corridor-reopens/preview.png",
    ]
    assert message["List-Unsubscribe"] == "<https://example.org/desk/unsubscribe/>"
    assert message["From"] == "Mail Desk <digest@example.org>"
    assert "Week 48, 2026" in message["Subject"]
    assert 'style="' in markup and "prefers-color-scheme: dark" in markup


def test_digest_sent_through_a_real_smtp_server(make_site, smtp_server, monkeypatch, capsys):
    port, handler = smtp_server
    project = make_site(site_files(), config=CONFIG)
    monkeypatch.setenv("BRIEFINGS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFINGS_SMTP_PORT", str(port))
    monkeypatch.delenv("BRIEFINGS_SMTP_USER", raising=False)
    args = ["-C", str(project.root), "digest", "--week", "2026-W48", "--send"]
    code = main([*args, "--recipient", "a@example.org", "--recipient", "b@example.org"])
    assert code == 0, capsys.readouterr().err
    assert [e.rcpt_tos for e in handler.envelopes] == [["a@example.org"], ["b@example.org"]]
    for envelope, to in zip(handler.envelopes, ("a@example.org", "b@example.org"), strict=True):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        assert message["To"] == to  # one copy each: no one sees the other addresses
        check_message(message)
    # without --recipient, site.yaml's list
    assert main(args) == 0
    assert handler.envelopes[-1].rcpt_tos == ["listed@example.org"]


def test_digest_to_an_eml_file(make_site, tmp_path, capsys):
    project = make_site(site_files(), config=CONFIG)
    target = tmp_path / "week.eml"
    assert main(["-C", str(project.root), "digest", "--week", "2026-w48", "--to", str(target)]) == 0
    message = email.message_from_bytes(target.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    check_message(message)


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_digest_errors_are_one_clear_line(make_site, monkeypatch, capsys):
    project = make_site(site_files(), config=CONFIG)
    for name in ("BRIEFINGS_SMTP_HOST", "BRIEFINGS_SMTP_PORT", "BRIEFINGS_SMTP_USER"):
        monkeypatch.delenv(name, raising=False)
    base = ["-C", str(project.root), "digest"]
    assert main([*base, "--week", "2026-W40"]) == 1
    assert one_line_error(capsys) == (
        "error: no briefings in week 2026-W40; weeks with briefings (newest first): 2026-W48, 2026-W47"
    )
    assert main([*base, "--week", "2026-W48", "--send"]) == 2
    assert "no SMTP host" in one_line_error(capsys)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("BRIEFINGS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFINGS_SMTP_PORT", str(closed))
    assert main([*base, "--week", "2026-W48", "--send"]) == 1
    assert one_line_error(capsys) == (
        f"error: cannot connect to SMTP server 127.0.0.1:{closed}: Connection refused"
    )
    monkeypatch.setenv("BRIEFINGS_SMTP_USER", "desk")
    monkeypatch.delenv("BRIEFINGS_SMTP_PASSWORD", raising=False)
    assert main([*base, "--week", "2026-W48", "--send"]) == 2
    assert "BRIEFINGS_SMTP_PASSWORD" in one_line_error(capsys)
    with pytest.raises(SystemExit) as exit_info:
        main([*base, "--week", "2026-W60"])
    assert exit_info.value.code == 2


def test_email_settings_are_checked_and_not_part_of_the_page_keys(make_site, capsys):
    project = make_site(site_files(), config=CONFIG + "  pasword: x\n")
    assert main(["-C", str(project.root), "digest", "--week", "2026-W48"]) == 1
    assert "unknown key 'email.pasword'" in capsys.readouterr().err
    project = make_site(site_files(), config=CONFIG)
    project.build()
    Path(project.root / "site.yaml").write_text(
        CONFIG.replace("listed@", "other@"), encoding="utf-8"
    )
    assert project.build().rendered == 0
