"""Languages of the web interface: the gettext catalogs, the locale of a request, and
locale-aware formatting of dates and numbers.

The ``.po`` catalogs under ``keepwild/web/locale`` are the source of truth and are compiled
in memory with Babel when first needed, so a fresh clone serves every language without a
build step. English is the source language (msgids); the other four are complete catalogs,
which ``tests/web/test_i18n.py`` keeps complete.

Templates call ``_()``; which catalog that reaches is held in a context variable set by
:func:`activate` for the duration of one render, so the shared Jinja environment stays
thread-safe. Python code marks strings with :func:`N_` and hands the msgid to a template,
which translates it.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

__all__ = ["LOCALES", "DEFAULT_LOCALE", "LOCALE_DIR", "N_", "catalog", "activate",
           "gettext", "ngettext", "negotiate", "direction", "language_name", "Formatter"]

LOCALES = ("en", "fr", "nl", "id", "ar")
DEFAULT_LOCALE = "en"
RTL = frozenset({"ar"})
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_current: ContextVar[_gettext.NullTranslations] = ContextVar(
    "keepwild_web_translations", default=_gettext.NullTranslations())


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


@lru_cache(maxsize=len(LOCALES))
def catalog(locale: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``locale`` (English: the msgids themselves)."""
    if locale == DEFAULT_LOCALE:
        return _gettext.NullTranslations()
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, po)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@contextmanager
def activate(locale: str) -> Iterator[None]:
    """Translate with ``locale``'s catalog inside the block."""
    token = _current.set(catalog(locale))
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return _current.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.get().ngettext(singular, plural, n)


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an ``Accept-Language`` header (English if none fits)."""
    if not accept_language:
        return DEFAULT_LOCALE
    wanted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        wanted.append((quality, tag.strip().lower().split("-")[0]))
    for _, tag in sorted(wanted, key=lambda w: -w[0]):
        if tag in LOCALES:
            return tag
    return DEFAULT_LOCALE


def direction(locale: str) -> str:
    return "rtl" if locale in RTL else "ltr"


@lru_cache(maxsize=len(LOCALES))
def language_name(locale: str) -> str:
    """A language's name in that language (``Français``), for the switcher."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


class Formatter:
    """Dates and numbers as readers of ``locale`` write them."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def datetime(self, value: datetime | None, format: str = "medium") -> str:
        return "" if value is None else format_datetime(value, format=format, locale=self.locale)

    def day(self, value: datetime) -> str:
        return format_date(value, format="medium", locale=self.locale)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float | None) -> str:
        return "–" if value is None else format_percent(value, locale=self.locale)

    def duration(self, seconds: float | None) -> str:
        """A span of time in the largest sensible unit (``3.5 h``), numbers localised."""
        if seconds is None:
            return "–"
        if seconds >= 86400:
            return gettext("%(value)s d") % {"value": self.number(seconds / 86400, 1)}
        if seconds >= 3600:
            return gettext("%(value)s h") % {"value": self.number(seconds / 3600, 1)}
        if seconds >= 60:
            return gettext("%(value)s min") % {"value": self.number(seconds / 60, 1)}
        return gettext("%(value)s s") % {"value": self.number(seconds)}

    def __call__(self, value: Any) -> str:
        if isinstance(value, datetime):
            return self.datetime(value)
        return self.number(value)
