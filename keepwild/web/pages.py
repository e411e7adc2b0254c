"""What every page handler shares: the request's session and runtime (:class:`Page`), who
may open it (:func:`need`), and turning a template into a response with the session cookie
and security headers.

Handlers stay synchronous (the database calls block); the session is loaded, and the CSRF
token of a form checked, by the async dependencies here before the handler runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from keepwild.service.deps import Runtime
from keepwild.web import i18n
from keepwild.web.labels import label
from keepwild.web.session import WebSession, check_csrf, load_session, save_session

__all__ = ["Page", "page", "form_page", "need", "render", "redirect", "SignInNeeded",
           "NotAllowed", "PageNotFound", "safe_next", "templates"]

TEMPLATES = Path(__file__).parent / "templates"

#: Pages run no inline script or style and load nothing from elsewhere except listing images
#: (which are the platform's, and which moderators must see).
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' https: http: data:; "
                                "script-src 'self'; style-src 'self'; object-src 'none'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = True
    env.filters["tr"] = _translate_code
    return env


def _translate_code(code: str | None, group: str) -> str:
    """``{{ item.action|tr("action") }}``: the translated word for a stored code."""
    msgid = label(group, code)
    return i18n.gettext(msgid) if msgid else ""


templates = _environment()


class SignInNeeded(Exception):
    """The page needs an account; the visitor is sent to sign in and brought back."""


class NotAllowed(Exception):
    """The signed-in account's role does not allow this page."""


class PageNotFound(Exception):
    """What the address names does not exist."""


@dataclass
class Page:
    request: Request
    rt: Runtime
    session: WebSession

    @property
    def principal(self) -> Any:
        return self.session.principal

    def now(self) -> Any:
        return self.rt.now()


async def page(request: Request) -> Page:
    """Any page: the runtime and the visitor's session."""
    rt: Runtime = request.app.state.runtime
    return Page(request, rt, await load_session(request, rt))


async def form_page(request: Request) -> Page:
    """A form submission: as :func:`page`, after checking its CSRF token."""
    current = await page(request)
    form = await request.form()
    token = form.get("csrf")
    check_csrf(current.session, token if isinstance(token, str) else None)
    return current


class need:  # noqa: N801 - used like a function: Depends(need("queue"))
    """A page for accounts holding ``permission``; ``form`` pages also check CSRF."""

    def __init__(self, permission: str, *, form: bool = False) -> None:
        self.permission = permission
        self.form = form

    async def __call__(self, request: Request) -> Page:
        current = await (form_page(request) if self.form else page(request))
        if current.session.principal is None:
            raise SignInNeeded
        if not current.session.allows(self.permission):
            raise NotAllowed
        return current



def safe_next(target: str | None, default: str = "/") -> str:
    """Only paths on this site: a crafted ``next`` must not send anyone elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _finish(current: Page, response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    save_session(response, current.request, current.rt, current.session)
    return response


def render(current: Page, template: str, code: int = 200, **values: Any) -> Response:
    """``template`` in the visitor's language, with the session cookie and headers."""
    session = current.session
    flashes, session.flashes = session.flashes, []
    session.changed = session.changed or bool(flashes)
    locale = session.locale
    here = current.request.url.path + (f"?{current.request.url.query}"
                                       if current.request.url.query else "")
    with i18n.activate(locale):
        html = templates.get_template(template).render(
            locale=locale, dir=i18n.direction(locale), fmt=i18n.Formatter(locale),
            ui_languages=[(tag, i18n.language_name(tag)) for tag in i18n.LOCALES],
            here=quote(here, safe="/?=&"), csrf=session.csrf, user=session.principal,
            session=session, flashes=flashes, **values)
    return _finish(current, HTMLResponse(html, status_code=code))


def redirect(current: Page, url: str) -> Response:
    """After a form: see-other, so a reload never submits twice."""
    return _finish(current, RedirectResponse(url, status_code=303))
