"""Text read from images is scanned like the description; bank matches weigh in the verdict."""

from __future__ import annotations

import base64

import pytest

from keepwild import Scanner
from keepwild.detect.listing import Listing
from keepwild.media.banks import BankSet
from keepwild.media.fetch import ImageLoader
from keepwild.media.hashing import hash_image
from keepwild.media.matcher import BankMatcher
from keepwild.media.ocr import OcrEngine
from keepwild.media.scan import MediaScanner, bank_listing_images, image_score

from .imagegen import cjk_font, encode, recompressed, resized, shapes, text_image


def _uri(image) -> str:
    return "data:image/png;base64," + base64.b64encode(encode(image)).decode()


def test_reads_a_latin_price_phone_number_and_ivory_term(ocr_engine: OcrEngine) -> None:
    text = ocr_engine.text(text_image(["Carved ivory bangle $450", "WhatsApp +254 712 345 678"]))
    assert "ivory" in text.lower()
    assert "450" in text
    assert "712 345 678" in text or "712345678" in text.replace(" ", "")


def test_reads_chinese_ivory_terms_price_and_phone_number(ocr_engine: OcrEngine) -> None:
    text = ocr_engine.text(text_image(["象牙手镯 出售 ¥3000", "微信 13812345678"], font=cjk_font()))
    assert "象牙" in text
    assert "3000" in text
    assert "13812345678" in text.replace(" ", "")


@pytest.mark.parametrize("lines, font_kind", [
    (["Carved ivory bangle $450", "WhatsApp +254 712 345 678"], "latin"),
    (["象牙手镯 出售 ¥3000", "微信 13812345678"], "cjk"),
])
def test_scanner_flags_a_listing_whose_offer_is_only_in_its_image(
    lines: list[str], font_kind: str, ocr_engine: OcrEngine, full_scanner: Scanner
) -> None:
    image = text_image(lines, **({"font": cjk_font()} if font_kind == "cjk" else {}))
    listing = {"id": "L-9", "title": "Bangle", "description": "see photo",
               "images": [_uri(shapes(1)), _uri(image)]}
    assert full_scanner.scan(listing).verdict == "allow"  # the text alone says nothing
    scanned = MediaScanner(full_scanner, ocr=ocr_engine).scan(listing)
    assert scanned.result.verdict != "allow"
    assert "ivory" in scanned.result.categories
    ivory = [m for m in scanned.result.matches if m.category == "ivory"]
    assert ivory and all(m.field == "image:1" for m in ivory)
    image_text = scanned.images[1].text
    assert all(image_text[m.start:m.end] == m.text for m in ivory)
    assert any(r.rule == "image_text" and "image 2" in r.detail for r in scanned.result.reasons)
    assert scanned.to_dict()["images"][1]["field"] == "image:1"


def _bank_with(image, threshold: int = 31) -> tuple[BankSet, BankMatcher]:
    banks = BankSet()
    banks.create("rhino-photos", threshold=threshold)
    pdq = hash_image(image)
    banks.add("rhino-photos", pdq.hash, category="rhino_horn", added_by="curator",
              listing_id="L-1", quality=pdq.quality)
    return banks, BankMatcher.from_banks(banks)


def test_a_bank_match_raises_the_verdict_and_explains_it(small_scanner: Scanner) -> None:
    photo = shapes(11)
    _, matcher = _bank_with(photo)
    scanner = MediaScanner(small_scanner, matcher, ocr=None)
    listing = {"id": "L-2", "title": "Decorative carving", "images": [_uri(recompressed(photo, 40))]}
    assert small_scanner.scan(listing).verdict == "allow"
    scanned = scanner.scan(listing)
    [match] = scanned.images[0].matches
    assert (match.bank, match.category, match.variant) == ("rhino-photos", "rhino_horn",
                                                           "original")
    assert scanned.result.verdict == "block"  # distance far below half the threshold
    assert scanned.result.score == pytest.approx(image_score(match.distance, 31))
    assert scanned.result.categories == ("rhino_horn",)
    [reason] = [r for r in scanned.result.reasons if r.rule == "image_bank"]
    assert "rhino-photos" in reason.detail and f"distance {match.distance} of 31" in reason.detail


def test_a_distant_match_is_sent_to_review_not_blocked(small_scanner: Scanner) -> None:
    photo = shapes(12)
    _, matcher = _bank_with(photo)
    scanned = MediaScanner(small_scanner, matcher, ocr=None).scan(
        {"id": "L-3", "title": "Carving", "images": [_uri(resized(photo, 0.25))]})
    [match] = scanned.images[0].matches
    assert 10 <= match.distance <= 31
    expected = "block" if image_score(match.distance, 31) >= 0.75 else "review"
    assert scanned.result.verdict == expected


def test_unusable_images_are_reported_not_dropped(small_scanner: Scanner) -> None:
    scanner = MediaScanner(small_scanner, ocr=None)
    scanned = scanner.scan({"id": "L-4", "title": "Carving", "images": [
        "data:image/png;base64," + base64.b64encode(b"garbage").decode(),
        "/etc/passwd",
        "ftp://example.org/x.jpg",
    ]})
    errors = [image.error for image in scanned.images]
    assert "not a usable image" in errors[0]
    assert "local files are not read" in errors[1]
    assert "only http, https and data:" in errors[2]
    assert scanned.result.verdict == "allow"


def test_a_confirmed_listing_banks_its_images_in_one_step(small_scanner: Scanner,
                                                          tmp_path) -> None:
    banks = BankSet()
    banks.create("ivory-photos")
    matcher = BankMatcher.from_banks(banks)
    path = tmp_path / "photo.png"
    shapes(13).save(path)
    scanner = MediaScanner(small_scanner, matcher, ocr=None,
                           loader=ImageLoader(allow_files=True))
    confirmed = Listing(id="L-5", title="ivory", images=(str(path), "/missing.jpg"))
    added, problems = bank_listing_images(scanner, confirmed, banks, "ivory-photos",
                                          category="ivory", added_by="moderator-7")
    assert [(e.listing_id, e.added_by, e.category) for e in added] == [
        ("L-5", "moderator-7", "ivory")]
    assert len(problems) == 1 and problems[0].startswith("image 2:")
    repost = scanner.scan({"id": "L-6", "title": "Bangle", "images": [str(path)]})
    assert repost.images[0].matches[0].entry_id == added[0].id
    assert repost.result.verdict == "block"
