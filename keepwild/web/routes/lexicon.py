"""The lexicon for curators: search and filter, add, edit and retire terms (each change a
versioned, audited edit through :func:`keepwild.service.lexicon.edit_term`), per-term
precision from moderators' decisions, and candidate terms to accept or reject."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query
from sqlalchemy import select
from starlette.responses import Response

from keepwild.lexicon.model import term_key
from keepwild.lexicon.schema import CATEGORIES, LANGUAGES, Boundary, Kind, Status, Term
from keepwild.service.errors import Invalid
from keepwild.service.lexicon import edit_term
from keepwild.store.database import as_utc
from keepwild.store.tables import LexiconEdit, TermStat, User
from keepwild.web.i18n import N_
from keepwild.web.pages import Page, PageNotFound, need, redirect, render

router = APIRouter(prefix="/lexicon", include_in_schema=False)
Reader = Annotated[Page, Depends(need("lexicon:read"))]
Curator = Annotated[Page, Depends(need("lexicon:edit"))]
Editing = Annotated[Page, Depends(need("lexicon:edit", form=True))]

KINDS = tuple(k.value for k in Kind)
STATUSES = tuple(s.value for s in Status)
BOUNDARIES = tuple(b.value for b in Boundary)
PAGE = 50


def _lexicon(current: Page) -> Any:
    current.rt.scanner.refresh(current.rt.db)
    return current.rt.scanner.lexicon


def _learned(current: Page) -> dict[tuple[str, str], tuple[int, int]]:
    with current.rt.db.session() as session:
        return {(s.lang, s.term): (s.tp, s.fp) for s in session.execute(select(TermStat))
                .scalars()}


def _row(term: Term, learned: dict[tuple[str, str], tuple[int, int]]) -> dict[str, Any]:
    """A term with its precision: shipped counts plus this deployment's decisions."""
    tp, fp = learned.get((term.lang, term.term), (0, 0))
    tp, fp = tp + term.tp, fp + term.fp
    return {**asdict(term), "tp": tp, "fp": fp,
            "precision": tp / (tp + fp) if tp + fp else None}


@router.get("")
def search(current: Reader, q: Annotated[str, Query(max_length=200)] = "",
           lang: Annotated[str, Query(max_length=8)] = "",
           category: Annotated[str, Query(max_length=32)] = "",
           kind: Annotated[str, Query(max_length=16)] = "",
           status: Annotated[str, Query(max_length=16)] = "",
           page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    lexicon = _lexicon(current)
    needle = q.strip().casefold()
    found = [t for t in lexicon.terms
             if (not needle or needle in t.term.casefold() or needle in t.species.casefold())
             and (not lang or t.lang == lang) and (not category or t.category == category)
             and (not kind or t.kind == kind) and (not status or t.status == status)]
    found.sort(key=lambda t: (t.lang, t.term))
    learned = _learned(current)
    rows = [_row(t, learned) for t in found[(page - 1) * PAGE: page * PAGE]]
    return render(current, "lexicon/search.html", rows=rows, total=len(found), page=page,
                  pages=max(1, -(-len(found) // PAGE)), version=lexicon.version,
                  filters={"q": q, "lang": lang, "category": category, "kind": kind,
                           "status": status},
                  languages=LANGUAGES, categories=CATEGORIES, kinds=KINDS, statuses=STATUSES)


def _history(current: Page, lang: str, spelling: str) -> list[dict[str, Any]]:
    with current.rt.db.session() as session:
        rows = session.execute(
            select(LexiconEdit, User.username).join(User, User.id == LexiconEdit.editor_id)
            .where(LexiconEdit.lang == lang, LexiconEdit.term == spelling)
            .order_by(LexiconEdit.id.desc()))
        return [{"id": e.id, "at": as_utc(e.created_at), "editor": name, "status": e.fields.get("status"),
                 "weight": e.fields.get("weight")} for e, name in rows]


def _form(current: Page, values: dict[str, Any], *, existing: bool, status: int = 200,
          errors: dict[str, str] | None = None, detail: str = "") -> Response:
    history = _history(current, values["lang"], values["term"]) if existing else []
    return render(current, "lexicon/term.html", status, values=values, existing=existing,
                  errors=errors or {}, detail=detail, history=history, languages=LANGUAGES,
                  categories=("", *CATEGORIES), kinds=KINDS, statuses=STATUSES,
                  boundaries=BOUNDARIES)


@router.get("/new")
def new_term(current: Curator) -> Response:
    values = {"term": "", "lang": "en", "kind": "product", "category": "", "species": "",
              "weight": "0.5", "status": "candidate", "boundary": "", "source": "", "note": ""}
    return _form(current, values, existing=False)


@router.get("/term")
def show_term(current: Curator, lang: Annotated[str, Query(max_length=8)] = "",
              term: Annotated[str, Query(max_length=256)] = "") -> Response:
    found = _lexicon(current).by_key().get(term_key(Term(term=term, lang=lang, kind="")))
    if found is None:
        raise PageNotFound
    values = {k: v for k, v in asdict(found).items() if k not in ("tp", "fp", "added")}
    values["weight"] = str(found.weight)
    return _form(current, values, existing=True)


def _check(values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values["term"] or len(values["term"]) > 200:
        errors["term"] = N_("Enter the word or phrase (at most 200 characters).")
    if values["lang"] not in LANGUAGES:
        errors["lang"] = N_("Choose a language from the list.")
    if values["kind"] not in KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    if values["category"] and values["category"] not in CATEGORIES:
        errors["category"] = N_("Choose a category from the list.")
    if values["status"] not in STATUSES:
        errors["status"] = N_("Choose a status from the list.")
    if values["boundary"] not in BOUNDARIES and values["boundary"]:
        errors["boundary"] = N_("Choose a boundary from the list.")
    try:
        weight = float(values["weight"].replace(",", "."))
        if not 0.05 <= weight <= 1.0:
            raise ValueError
    except ValueError:
        errors["weight"] = N_("The weight is a number from 0.05 to 1.")
    for name, limit in (("species", 128), ("source", 200), ("note", 500)):
        if len(values[name]) > limit:
            errors[name] = N_("This is too long.")
    return errors


@router.post("/term")
def save_term(current: Editing, term: Annotated[str, Form()] = "",
              lang: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "",
              category: Annotated[str, Form()] = "", species: Annotated[str, Form()] = "",
              weight: Annotated[str, Form()] = "", status: Annotated[str, Form()] = "",
              boundary: Annotated[str, Form()] = "", source: Annotated[str, Form()] = "",
              note: Annotated[str, Form()] = "",
              existing: Annotated[str, Form()] = "") -> Response:
    """Add or change a term; a refused edit comes back with the curator's input kept."""
    values = {"term": term.strip(), "lang": lang, "kind": kind, "category": category,
              "species": species.strip(), "weight": weight.strip(), "status": status,
              "boundary": boundary, "source": source.strip(), "note": note.strip()}
    errors = _check(values)
    if errors:
        return _form(current, values, existing=bool(existing), status=422, errors=errors)
    change = {**values, "weight": float(values["weight"].replace(",", "."))}
    return _save(current, change, values, existing=bool(existing))


def _save(current: Page, change: dict[str, Any], values: dict[str, Any], *,
          existing: bool) -> Response:
    rt = current.rt
    try:
        saved, warnings = edit_term(rt.db, current.principal, _lexicon(current), change,
                                    rt.now())
    except Invalid as exc:
        return _form(current, values, existing=existing, status=422,
                     errors={"form": N_("The lexicon's checks refused this term:")},
                     detail=exc.reason)
    rt.scanner.refresh(rt.db)
    current.session.flash(N_("Saved “%(term)s”. The lexicon is now version %(version)s."),
                          kind="success", term=saved.term, version=rt.scanner.lexicon.version)
    for warning in warnings:
        current.session.flash(N_("Check: %(warning)s"), warning=warning)
    return redirect(current, f"/lexicon/term?lang={saved.lang}&term={quote(saved.term, safe='')}")


@router.post("/status")
def set_status(current: Editing, term: Annotated[str, Form()] = "",
               lang: Annotated[str, Form()] = "", status: Annotated[str, Form()] = "",
               back: Annotated[str, Form()] = "") -> Response:
    """Retire a term, or accept (active) or reject (retired) a candidate, in one click."""
    found = _lexicon(current).by_key().get(term_key(Term(term=term, lang=lang, kind="")))
    if found is None or status not in STATUSES:
        raise PageNotFound
    change = {"term": found.term, "lang": found.lang, "status": status}
    values = {k: v for k, v in asdict(found).items() if k not in ("tp", "fp", "added")}
    response = _save(current, change, {**values, "weight": str(found.weight)}, existing=True)
    return redirect(current, "/lexicon/candidates") if back == "candidates" and \
        response.status_code == 303 else response


@router.get("/candidates")
def candidates(current: Curator) -> Response:
    lexicon = _lexicon(current)
    learned = _learned(current)
    rows = [_row(t, learned) for t in sorted(lexicon.terms, key=lambda t: (t.lang, t.term))
            if t.status == Status.CANDIDATE]
    return render(current, "lexicon/candidates.html", rows=rows)
