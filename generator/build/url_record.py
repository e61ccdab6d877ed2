"""Reading and writing the URL record (`published-urls.txt`, see read/published.py) for a build."""

from __future__ import annotations

from datetime import datetime

from generator.core.atomic import write_atomic
from generator.core.config import Config
from generator.core.errors import SiteError
from generator.core.model import Site
from generator.pages.redirects import record
from generator.read.published import RECORD_FILE, format_record


def save_record(config: Config, site: Site, before: str, now: datetime) -> str:
    """Add the URLs this build published at `now` to the record (when any is new or changed owner); its new
    text."""
    text = format_record(record(site, now))
    if text != before:
        try:
            write_atomic(config.root / RECORD_FILE, text.encode("utf-8"))
        except OSError as exc:
            message = f"cannot write the URL record: {exc.strerror}; the site was built"
            raise SiteError.at(config.root / RECORD_FILE, None, message) from None
    return text
