"""Home, signing in and out, the language switcher and the image-blur preference."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from starlette.responses import Response

from keepwild.service import accounts
from keepwild.service.errors import Unauthorized
from keepwild.web.i18n import LOCALES, N_
from keepwild.web.pages import Page, form_page, page, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
Current = Annotated[Page, Depends(page)]
Posted = Annotated[Page, Depends(form_page)]

#: Where each role starts its day.
LANDING = {"moderator": "/review", "admin": "/review", "curator": "/lexicon",
           "spotter": "/spotter", "analyst": "/dashboard"}


@router.get("/")
def home(current: Current) -> Response:
    return render(current, "home.html")


@router.get("/signin")
def sign_in_form(current: Current, next: str | None = None) -> Response:
    return render(current, "signin.html", next=safe_next(next, ""), username="", error=None)


@router.post("/signin")
def sign_in(current: Posted, username: Annotated[str, Form(max_length=64)] = "",
            password: Annotated[str, Form(max_length=1024)] = "",
            next: Annotated[str, Form(max_length=2048)] = "") -> Response:
    rt = current.rt
    if not username.strip() or not password:
        return render(current, "signin.html", 422, next=safe_next(next, ""), username=username,
                      error=N_("Enter your username and your password."))
    try:
        token, _, user = accounts.login(rt.db, username=username.strip(), password=password,
                                        now=rt.now(), hours=rt.settings.session_hours)
    except Unauthorized:
        return render(current, "signin.html", 401, next=safe_next(next, ""),
                      username=username, error=N_("Wrong username or password."))
    current.session.key = token
    current.session.changed = True
    current.session.flash(N_("Signed in as %(name)s."), name=user.display_name or user.username)
    return redirect(current, safe_next(next, LANDING.get(user.role, "/")))


@router.post("/signout")
def sign_out(current: Posted) -> Response:
    principal = current.session.principal
    if principal is not None:
        accounts.revoke_key(current.rt.db, principal, principal.key_id, current.rt.now())
        current.rt.auth.forget(principal.key_prefix)
    current.session.key, current.session.principal = None, None
    current.session.flash(N_("You are signed out."))
    return redirect(current, "/")


@router.get("/lang/{code}")
def switch_language(code: str, current: Current,
                    next: Annotated[str | None, Query(max_length=2048)] = None) -> Response:
    """A plain link per language: harmless to follow, so no form or token is needed."""
    if code in LOCALES:
        current.session.locale = code
        current.session.changed = True
    return redirect(current, safe_next(next))


@router.post("/preferences/blur")
def toggle_blur(current: Posted, next: Annotated[str, Form(max_length=2048)] = "/") -> Response:
    """Blurred listing images by default, for reviewers' wellbeing; the choice is kept."""
    current.session.blur = not current.session.blur
    current.session.changed = True
    return redirect(current, safe_next(next))
