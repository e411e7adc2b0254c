"""The live lexicon: the shipped release plus curators' edits, its export, and per-term
precision learned from moderators' decisions.

Edits are rows, applied over the base lexicon in order, so the history of every term is kept
and any worker can rebuild the same lexicon. The version of an edited lexicon is the base
version plus the last edit (``2026.11.0+edit.7``), and every scan records it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepwild.lexicon.model import Lexicon, term_key
from keepwild.lexicon.schema import Term
from keepwild.lexicon.validate import validate
from keepwild.service.auth import Principal
from keepwild.service.errors import Invalid
from keepwild.store import audit
from keepwild.store.database import Database
from keepwild.store.tables import LexiconEdit, TermStat

__all__ = ["EDITABLE", "edit_state", "load_edits", "apply_edits", "edit_term", "export",
           "precision", "edits_fingerprint"]

#: Fields a curator may set on a term (its spelling and language identify it).
EDITABLE = ("kind", "category", "species", "weight", "status", "boundary", "source", "note")


def edit_state(session: Session) -> int:
    """The id of the newest edit (0: none): a cheap way for workers to notice changes."""
    return int(session.execute(select(func.coalesce(func.max(LexiconEdit.id), 0))).scalar_one())


def load_edits(session: Session) -> list[LexiconEdit]:
    return list(session.execute(select(LexiconEdit).order_by(LexiconEdit.id)).scalars())


def edits_fingerprint(edits: list[LexiconEdit]) -> str:
    """Identifies the content of a list of edits (two databases with the same edits share
    one compiled scanner in a process)."""
    body = json.dumps([[e.id, e.lang, e.term, e.fields] for e in edits], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def apply_edits(base: Lexicon, edits: list[LexiconEdit]) -> Lexicon:
    """``base`` with every edit applied in order; unchanged if there are none."""
    if not edits:
        return base
    terms = {term_key(t): t for t in base.terms}
    for edit in edits:
        term = Term(term=edit.term, lang=edit.lang, **_term_fields(edit.fields))
        terms[term_key(term)] = term
    return base.with_terms(terms.values(), version=f"{base.version}+edit.{edits[-1].id}")


def _term_fields(fields: dict[str, Any]) -> dict[str, Any]:
    known = {name: fields[name] for name in (*EDITABLE, "added") if name in fields}
    if "weight" in known:
        known["weight"] = float(known["weight"])
    return known


def edit_term(db: Database, caller: Principal, current: Lexicon, change: dict[str, Any],
              now: datetime) -> tuple[Term, list[str]]:
    """Add a term or change one; returns it and any validation warnings.

    The term is checked with the same rules as a lexicon release (``keepwild lexicon
    validate``); an error refuses the edit and says why.
    """
    spelling, lang = change["term"].strip(), change["lang"]
    existing = current.by_key().get(term_key(Term(term=spelling, lang=lang, kind="")))
    if existing is not None:
        spelling = existing.term
        term = replace(existing, **{k: change[k] for k in EDITABLE if change.get(k) is not None})
    else:
        given = {k: change[k] for k in EDITABLE if change.get(k) is not None}
        term = Term(term=spelling, lang=lang, kind=given.pop("kind", ""),
                    added=now.date().isoformat(), **given)
    issues = validate(Lexicon(current.version, species=current.species, terms=(term,)))
    errors = [i.message for i in issues if i.level == "error"]
    if errors:
        raise Invalid(f"term {spelling!r} ({lang}): {'; '.join(errors)}")
    fields = {k: v for k, v in asdict(term).items() if k in (*EDITABLE, "added")}
    with db.transaction() as session:
        edit = LexiconEdit(lang=lang, term=spelling, fields=fields, editor_id=caller.user_id,
                           created_at=now)
        session.add(edit)
        session.flush()
        audit.append(session, at=now, actor=caller.actor,
                     action="lexicon.add" if existing is None else "lexicon.edit",
                     subject=f"term:{lang}:{spelling}",
                     details={"edit": edit.id, "fields": fields})
    return term, [i.message for i in issues if i.level == "warning"]


def _stats(session: Session) -> dict[tuple[str, str], TermStat]:
    return {(s.lang, s.term): s for s in session.execute(select(TermStat)).scalars()}


def export(session: Session, lexicon: Lexicon) -> dict[str, Any]:
    """The lexicon as the JSON export ``keepwild lexicon import`` reads, with this
    deployment's decision counts added to each term's ``tp``/``fp``."""
    stats = _stats(session)
    terms = []
    for term in lexicon.terms:
        row = asdict(term)
        learned = stats.get((term.lang, term.term))
        if learned is not None:
            row["tp"] += learned.tp
            row["fp"] += learned.fp
        terms.append(row)
    return {"version": lexicon.version, "species": [asdict(s) for s in lexicon.species.values()],
            "terms": terms}


def precision(session: Session, *, min_decisions: int, limit: int) -> list[dict[str, Any]]:
    """Terms that fired on decided listings, least precise first: the ones to look at."""
    rows = []
    for stat in _stats(session).values():
        total = stat.tp + stat.fp
        if total >= min_decisions:
            rows.append({"term": stat.term, "lang": stat.lang, "kind": stat.kind,
                         "category": stat.category, "tp": stat.tp, "fp": stat.fp,
                         "decisions": total, "precision": round(stat.tp / total, 4)})
    rows.sort(key=lambda r: (r["precision"], -r["decisions"], r["lang"], r["term"]))
    return rows[:limit]
