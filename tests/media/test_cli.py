"""``keepwild images hash`` and ``keepwild images match`` through the real command line app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from keepwild.cli import app
from keepwild.media.bankfile import export_lines
from keepwild.media.banks import BankSet
from keepwild.media.hashing import hash_image

from .imagegen import recompressed, shapes

runner = CliRunner()


def test_hash_prints_pdq_hex_and_reports_bad_images(tmp_path: Path) -> None:
    good = tmp_path / "photo.png"
    shapes(31).save(good)
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image")
    result = runner.invoke(app, ["images", "hash", str(good), str(bad)])
    assert result.exit_code == 1
    [line] = [json.loads(x) for x in result.stdout.splitlines()]
    assert line["pdq"] == hash_image(shapes(31)).hex and line["matchable"] is True
    assert "broken.jpg: skipped: not a usable image" in result.stderr


def test_match_against_an_exported_bank_file(tmp_path: Path) -> None:
    banks = BankSet()
    banks.create("pangolin-photos", threshold=31)
    banks.add("pangolin-photos", hash_image(shapes(32)).hash, category="pangolin",
              added_by="curator", listing_id="L-77")
    bank_file = tmp_path / "pangolin.jsonl"
    bank_file.write_bytes(b"".join(export_lines(banks.bank("pangolin-photos"))))
    repost, other = tmp_path / "repost.jpg", tmp_path / "other.png"
    recompressed(shapes(32), 35).save(repost, "JPEG", quality=35)
    shapes(33).save(other)
    result = runner.invoke(app, ["images", "match", str(repost), str(other), "-b", str(bank_file)])
    assert result.exit_code == 0, result.stderr
    first, second = (json.loads(x) for x in result.stdout.splitlines())
    [found] = first["matches"]
    assert (found["bank"], found["category"], found["listing_id"]) == (
        "pangolin-photos", "pangolin", "L-77")
    assert found["distance"] <= 31
    assert second["matches"] == []


def test_match_refuses_a_malformed_bank_file(tmp_path: Path) -> None:
    bank_file = tmp_path / "bad.jsonl"
    bank_file.write_text('{"signal_type": "pdq", "signal": "xyz"}\n')
    image = tmp_path / "photo.png"
    shapes(34).save(image)
    result = runner.invoke(app, ["images", "match", str(image), "-b", str(bank_file)])
    assert result.exit_code == 3
    assert "line 1: signal" in result.stderr
