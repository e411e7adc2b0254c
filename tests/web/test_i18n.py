"""Every string of the interface is translated: the catalogs hold exactly the strings the
code and templates use, each translated in every language with the same placeholders, and
no page, in any of the five languages, shows an English source string."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from keepwild.web.i18n import LOCALE_DIR, LOCALES, catalog

from .conftest import Web, csrf_of, sign_in

WEB = Path(LOCALE_DIR).parent
PLACEHOLDER = re.compile(r"%\([a-z]+\)s")
TRANSLATED = [code for code in LOCALES if code != "en"]


def source_messages() -> set[str | tuple[str, str]]:
    """What the code and templates ask to translate, extracted as ``pybabel extract`` does."""
    with (WEB / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(WEB), method_map, options_map, keywords=keywords):
        found.add(message if isinstance(message, str) else tuple(message))  # type: ignore[arg-type]
    return found


def catalog_messages(path: Path) -> dict[str | tuple[str, str], object]:
    with path.open("rb") as handle:
        po = read_po(handle)
    return {message.id: message for message in po if message.id}


def test_the_template_catalog_lists_exactly_the_strings_in_use() -> None:
    template = set(catalog_messages(LOCALE_DIR / "messages.pot"))
    assert template == source_messages(), "run the pybabel extract command in docs/web.md"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_string_is_translated_with_its_placeholders(locale: str) -> None:
    messages = catalog_messages(LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po")
    assert set(messages) == source_messages()
    for msgid, message in messages.items():
        assert not message.fuzzy, msgid  # type: ignore[attr-defined]
        strings = message.string  # type: ignore[attr-defined]
        forms = strings if isinstance(strings, tuple) else (strings,)
        wanted = set(PLACEHOLDER.findall(msgid[-1] if isinstance(msgid, tuple) else msgid))
        for form in forms:
            assert form.strip(), f"{locale}: {msgid!r} has no translation"
            assert set(PLACEHOLDER.findall(form)) <= wanted, f"{locale}: {msgid!r}"
        if not isinstance(msgid, tuple):
            assert set(PLACEHOLDER.findall(forms[0])) == wanted, f"{locale}: {msgid!r}"


class VisibleText(HTMLParser):
    """The text a reader sees or hears (text, labels in attributes), leaving out content
    that comes from listings and reporters, which the interface marks ``dir="auto"`` or
    with its own ``lang``."""

    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        foreign = (tag in ("script", "style") or values.get("dir") == "auto"
                   or (tag != "html" and "lang" in values))
        hidden = any(self.stack) or foreign
        if not hidden:
            self.chunks += [values[name] or "" for name in self.ATTRIBUTES if values.get(name)]
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack) and data.strip():
            self.chunks.append(" ".join(data.split()))


def english_leaks(html: str, locale: str) -> list[str]:
    """Source strings (translated differently in ``locale``) that appear on the page."""
    parser = VisibleText()
    parser.feed(html)
    chunks = set(parser.chunks)
    text = " ".join(parser.chunks)
    translations = catalog(locale)
    leaks = []
    for msgid in source_messages():
        source = msgid if isinstance(msgid, str) else msgid[0]
        if translations.gettext(source) == source:
            continue  # the same word in both languages ("Pangolin", "Status")
        fragments = [f.strip(" .:") for f in PLACEHOLDER.split(source)]
        if len(fragments) == 1 and source in chunks:
            leaks.append(source)
        elif any(len(f) >= 16 and f in text for f in fragments):
            leaks.append(source)
    return leaks


def pages_for(web: Web) -> list[tuple[str | None, str, str]]:
    """(who, method-free path, why): every page of the interface, with data on it."""
    with web.browser_client() as client:  # a report from the public, and a receipt
        form = client.get("/report")
        response = client.post("/report", data={"csrf": csrf_of(form.text),
                                                "url": "https://bazaar.example/p/9",
                                                "category": "pangolin", "text": "scales"})
        receipt = str(response.url).rsplit("/", 1)[1]
    with web.browser_client() as client:  # a spotter's report of a flagged listing
        sign_in(client, "spotter")
        form = client.get("/report")
        client.post("/report", data={"csrf": csrf_of(form.text), "listing_id": "ad-1",
                                     "category": "ivory"})
    with web.browser_client() as client:  # one decision, one held item
        sign_in(client, "admin")
        csrf = csrf_of(client.get("/review").text)
        first = client.post("/review/claim", data={"csrf": csrf})
        item = str(first.url).rsplit("/", 1)[1]
        client.post(f"/review/{item}/decide", data={"csrf": csrf, "action": "remove"})
    with web.api("admin") as api:
        term = api.put("/v1/lexicon/terms", json={"term": "ivoire brute", "lang": "fr",
                                                   "kind": "product", "category": "ivory",
                                                   "status": "candidate", "source": "test"})
        term.raise_for_status()
    return [
        (None, "/", "home"), (None, "/signin", "sign-in form"), (None, "/report", "report"),
        (None, f"/report/{receipt}", "receipt"), (None, "/report/lookup?receipt=nope", "bad"),
        (None, "/report/R-AAAA-AAAA-AAAA", "unknown receipt"), (None, "/review", "sign in"),
        ("spotter", "/spotter", "history"), ("spotter", "/report", "spotter form"),
        ("spotter", "/dashboard", "forbidden"),
        ("admin", "/", "home"), ("admin", "/review", "queue"), ("admin", f"/review/{item}",
                                                                 "decided item"),
        ("admin", "/reports", "reports"), ("admin", "/lexicon", "lexicon"),
        ("admin", "/lexicon?lang=xx&q=zzz", "no terms"), ("admin", "/lexicon/new", "new"),
        ("admin", "/lexicon/term?lang=fr&term=ivoire%20brute", "term"),
        ("admin", "/lexicon/candidates", "candidates"), ("admin", "/dashboard", "dashboard"),
    ]


def test_no_page_shows_an_untranslated_string_in_any_language(web: Web) -> None:
    pages = pages_for(web)
    clients: dict[str | None, httpx.Client] = {}
    try:
        for who in {p[0] for p in pages}:
            clients[who] = web.browser_client()
            if who is not None:
                sign_in(clients[who], who)
        for locale in LOCALES:
            for client in clients.values():
                client.get(f"/lang/{locale}")
            for who, path, why in pages:
                response = clients[who].get(path)
                assert response.status_code in (200, 403, 404, 422), (path, response.text)
                assert f'<html lang="{locale}" dir="{"rtl" if locale == "ar" else "ltr"}">' \
                    in response.text, (locale, path)
                if locale != "en":
                    assert english_leaks(response.text, locale) == [], (locale, who, path, why)
            # a refused form, with its error
            client = clients[None]
            form = client.get("/report")
            refused = client.post("/report", data={"csrf": csrf_of(form.text),
                                                   "url": "not a url"})
            assert refused.status_code == 422
            if locale != "en":
                assert english_leaks(refused.text, locale) == [], locale
                assert catalog(locale).gettext(
                    "Enter a full web address starting with http:// or https://.") \
                    in refused.text
    finally:
        for client in clients.values():
            client.close()


def test_english_leak_check_finds_an_untranslated_string() -> None:
    """The walk above would notice a string that escaped translation."""
    page = '<html lang="fr"><body><h1>Review queue</h1><p dir="auto">Rhino horn</p></body>'
    assert english_leaks(page, "fr") == ["Review queue"]
