"""``keepwild bank`` on real databases (SQLite and PostgreSQL): create, set, add (hashes and
image files), remove, export, import with tombstones, list; refusals are one line and a named
exit code, and every change is in the audit log under the ``--as`` actor."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from media.imagegen import shapes
from sqlalchemy import select
from typer.testing import CliRunner, Result

from keepwild.cli import app
from keepwild.media.hashing import hash_file
from keepwild.store.audit import verify
from keepwild.store.database import Database
from keepwild.store.tables import AuditEntry


def run(database: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["bank", *args, "--database", database])


def _banks(database: str) -> dict[str, dict[str, object]]:
    result = run(database, "list")
    assert result.exit_code == 0, result.output
    return {b["name"]: b for b in map(json.loads, result.stdout.splitlines())}


def test_bank_commands_round_trip_with_tombstones(database_url: str, db: Database,
                                                  tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    shapes(41).save(photo)
    pdq = hash_file(photo)
    other = "ab" * 32
    assert run(database_url, "create", "ivory-photos", "--threshold", "24",
               "--as", "curator:ana").exit_code == 0
    added = run(database_url, "add", "ivory-photos", str(photo), other, "--category", "ivory",
                "--listing-id", "L-41", "--as", "curator:ana")
    assert added.exit_code == 0, added.output
    assert [json.loads(line)["signal"] for line in added.stdout.splitlines()] == [pdq.hex,
                                                                                  other]
    again = run(database_url, "add", "ivory-photos", other, "--category", "ivory")
    assert again.exit_code == 0 and "1 already there" in again.stderr
    removed = run(database_url, "remove", "ivory-photos", other, "--as", "curator:ben")
    assert removed.exit_code == 0 and "removed 1" in removed.stderr
    assert run(database_url, "set", "ivory-photos", "--disable").exit_code == 0
    listed = _banks(database_url)["ivory-photos"]
    assert (listed["threshold"], listed["enabled"], listed["active"],
            listed["tombstones"]) == (24, False, 1, 1)

    exported = tmp_path / "ivory.jsonl"
    assert run(database_url, "export", "ivory-photos", "--out", str(exported)).exit_code == 0
    lines = [orjson.loads(line) for line in exported.read_bytes().splitlines()]
    assert lines[0]["name"] == "ivory-photos" and lines[0]["enabled"] is False
    assert [(e["signal"], e["listing_id"], e["added_by"], e["removed_by"])
            for e in lines[1:]] == [(pdq.hex, "L-41", "curator:ana", None),
                                    (other, "L-41", "curator:ana", "curator:ben")]
    on_stdout = run(database_url, "export", "ivory-photos")
    assert on_stdout.stdout.encode() == exported.read_bytes()

    # a bank that still holds the withdrawn hash drops it on import; a new one keeps the
    # tombstone to share it on
    run(database_url, "create", "partner")
    run(database_url, "add", "partner", other, "--category", "ivory")
    imported = run(database_url, "import", "partner", str(exported), "--as", "admin:cy")
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout) == {"bank": "partner", "created": False, "added": 1,
                                           "removed": 1, "duplicates": 0, "tombstones": 0}
    fresh = run(database_url, "import", "copy", str(exported))
    assert json.loads(fresh.stdout)["tombstones"] == 1 and json.loads(fresh.stdout)["created"]
    banks = _banks(database_url)
    assert (banks["partner"]["active"], banks["partner"]["tombstones"]) == (1, 1)
    assert banks["copy"]["threshold"] == 24

    with db.session() as session:
        trail = [(e.actor, e.action) for e in session.execute(
            select(AuditEntry).order_by(AuditEntry.seq)).scalars()]
        assert verify(session).ok
    assert trail[:3] == [("curator:ana", "bank.create"), ("curator:ana", "bank.add"),
                         ("curator:ben", "bank.remove")]
    assert trail[3][1] == "bank.configure" and trail[3][0].startswith("cli:")  # no --as
    assert ("admin:cy", "bank.import") in trail


def test_bank_commands_refuse_bad_input_whole(database_url: str, tmp_path: Path) -> None:
    run(database_url, "create", "ivory-photos")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"signal_type": "pdq", "signal": "' + "11" * 32 + '", "category": "ivory"}\n'
                   '{"signal_type": "pdq", "signal": "123"}\n'
                   '{"signal_type": "md5", "signal": "' + "22" * 32 + '"}\n', "utf-8")
    refused = run(database_url, "import", "ivory-photos", str(bad))
    assert refused.exit_code == 3
    assert "line 2" in refused.stderr and "line 3" in refused.stderr
    assert _banks(database_url)["ivory-photos"]["active"] == 0
    unknown = run(database_url, "add", "no-such-bank", "11" * 32, "--category", "ivory")
    assert unknown.exit_code == 3 and "no bank named 'no-such-bank'" in unknown.stderr
    unreadable = run(database_url, "add", "ivory-photos", str(tmp_path / "missing.jpg"),
                     "--category", "ivory")
    assert unreadable.exit_code == 3 and "cannot read" in unreadable.stderr
    taken = run(database_url, "create", "ivory-photos")
    assert taken.exit_code == 3 and "already exists" in taken.stderr
    assert run(database_url, "set", "ivory-photos", "--threshold", "32").exit_code == 3
    assert _banks(database_url)["ivory-photos"]["active"] == 0
