"""The demo platform: a database as a platform would have it after a few days of running
keepwild, to try the API and the review queue on.

It loads the lexicon in force, a few hundred listings in all twelve languages (the shipped
corpus, sampled, plus the bundled demo listings), scanned on ingest; users of every role;
reports from the public and a Cyber Spotter (on listings the scanner missed, and on innocent
ones); and some moderator decisions, which feed the per-term precision and the metrics.
Loading again is safe: listings and reports are idempotent, and the demo users get fresh
passwords (printed), so there is always a way in.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from sqlalchemy import func, select

from keepwild.detect.listing import Listing as ListingRecord
from keepwild.records import BadRecord, read_records
from keepwild.service import accounts
from keepwild.service.auth import ROLES, Principal, role_scopes
from keepwild.service.listings import ingest
from keepwild.service.queue import claim, decide
from keepwild.service.reports import client_hash, file_report
from keepwild.service.scanning import ScannerHolder
from keepwild.service.settings import Settings, utcnow
from keepwild.store.database import Database
from keepwild.store.tables import Listing, QueueItem, Report, User
from keepwild.training.corpus import shipped_corpus

__all__ = ["load_demo", "DemoSummary"]

BATCH = 200


@dataclass
class DemoSummary:
    database: str
    verdicts: Counter[str]
    languages: int
    reports: int
    decisions: int
    queue: dict[str, int]
    passwords: dict[str, str]
    platform_key: str
    lexicon_version: str
    model_version: str | None
    demo_results: list[tuple[ListingRecord, Any]] = field(default_factory=list)


def _principal(user: User, key_id: int = 0) -> Principal:
    return Principal(user.id, user.username, user.role, role_scopes(user.role), key_id, "demo")


def _users(db: Database, now: Any) -> tuple[dict[str, str], dict[str, Principal]]:
    passwords, principals = {}, {}
    for role in ROLES:
        username = f"demo-{role}"
        password = secrets.token_urlsafe(12)
        with db.session() as session:
            exists = accounts.find_user(session, username) is not None
        if exists:
            accounts.set_password(db, username=username, password=password, now=now,
                                  actor="system:demo")
        else:
            accounts.create_user(db, username=username, role=role, password=password, now=now,
                                 actor="system:demo", display_name=f"Demo {role}")
        with db.session() as session:
            user = accounts.find_user(session, username)
            if user is None:
                raise RuntimeError(f"demo user {username} vanished")
            principals[role] = _principal(user)
        passwords[username] = password
    return passwords, principals


def _bundled() -> list[ListingRecord]:
    records = []
    with files("keepwild").joinpath("data/demo_listings.jsonl").open(encoding="utf-8") as f:
        for _, record in read_records(f, "jsonl"):
            if not isinstance(record, BadRecord):
                records.append(record)
    return records


def load_demo(settings: Settings, *, per_language: int = 25, decisions: int = 40
              ) -> DemoSummary:
    """Load (or refresh) the demo platform into ``settings.database_url``."""
    db = Database(settings.database_url)
    try:
        db.upgrade()
        holder = ScannerHolder(settings.lexicon, settings.policy, settings.model)
        holder.refresh(db)
        now = utcnow()
        passwords, people = _users(db, now)
        platform_key, _ = accounts.issue_key(db, people["admin"], name="demo platform",
                                             scopes=["scan", "ingest"], user_id=None,
                                             expires_days=30, now=now)
        corpus: dict[str, list[Any]] = {}
        for item in shipped_corpus():
            corpus.setdefault(item.listing.lang or "und", []).append(item)
        sample = []
        for lang in sorted(corpus):  # every k-th listing by id: the same sample every time
            items = sorted(corpus[lang], key=lambda i: i.listing.id)
            sample.extend(items[::max(1, len(items) // per_language)][:per_language])
        labels = {item.listing.id: item.label for item in sample}
        bundled = _bundled()
        records = [item.listing for item in sample] + bundled
        results: list[dict[str, Any]] = []
        for start in range(0, len(records), BATCH):
            results.extend(ingest(db, holder, people["admin"], records[start:start + BATCH],
                                  now))
        verdicts = Counter(r["verdict"] for r in results)
        by_id = {r["id"]: r for r in results}
        reported = 0
        for index, item in enumerate(sample):
            missed = item.label == 1 and by_id[item.listing.id]["verdict"] == "allow"
            if missed or (item.label == 0 and index % 4 == 0):
                reporter = people["spotter"] if missed else None
                file_report(db, listing_ref=item.listing.id, url=None,
                            category=(item.category or "unknown") if missed else "unknown",
                            text="seen on the platform", contact=None, reporter=reporter,
                            client=(f"user:{reporter.user_id}" if reporter else
                                    client_hash(settings.client_salt, f"demo-{index}")),
                            now=now, per_hour=10_000)
                reported += 1
        decided = 0
        moderator = people["moderator"]
        while decided < decisions:
            items = claim(db, moderator, min(50, decisions - decided), now, 600)
            if not items:
                break
            for item in items:
                listing = item["listing"]
                label = labels.get(listing["id"], 1) if listing else 0
                action = "allow" if label == 0 else ("escalate" if decided % 10 == 0
                                                    else "remove")
                reason = "not_wildlife" if label == 0 else "prohibited_product"
                decide(db, moderator, item["id"], action=action, policy_reason=reason,
                       note="demo decision", now=now)
                decided += 1
        with db.session() as session:
            queue = {s: int(c) for s, c in session.execute(
                select(QueueItem.status, func.count()).group_by(QueueItem.status))}
            reports = int(session.execute(select(func.count(Report.id))).scalar_one())
            languages = int(session.execute(
                select(func.count(func.distinct(Listing.language)))).scalar_one())
        demo_results = [(record, holder.scan(record)) for record in bundled]
        return DemoSummary(str(db.url.render_as_string(hide_password=True)), verdicts,
                           languages, reports, decided, queue, passwords, platform_key,
                           holder.lexicon.version, holder.model_version, demo_results)
    finally:
        db.dispose()
