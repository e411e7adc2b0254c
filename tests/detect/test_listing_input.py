"""Listing validation: clear errors naming the field, sizes bounded."""

from __future__ import annotations

import pytest

from keepwild import InputError, Listing
from keepwild.detect.listing import MAX_TEXT_CHARS


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": "x"}, "field 'id' is required"),
        ({"id": "", "title": "x"}, "field 'id' is required"),
        ({"id": "1"}, "needs a 'title' or a 'description'"),
        ({"id": "1", "title": 5}, "field 'title' must be a string"),
        ({"id": "1", "title": "x" * (MAX_TEXT_CHARS + 1)}, "longer than"),
        ({"id": "1", "title": "x", "price": "cheap"}, "field 'price' must be a number"),
        ({"id": "1", "title": "x", "price": -3}, "at least 0"),
        ({"id": "1", "title": "x", "images": [1, 2]}, "field 'images' must be a list"),
        ({"id": "1", "title": "x", "images": ["a"] * 51}, "more than 50 images"),
        ({"id": "1", "title": "x", "lang": ["en"]}, "field 'lang' must be a string"),
    ],
)
def test_bad_records_name_the_field(record: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Listing.from_mapping(record)


def test_good_record_keeps_every_field() -> None:
    listing = Listing.from_mapping({
        "id": 7, "title": "Ivory", "description": "d", "price": "12.5", "currency": "EUR",
        "seller": "s1", "url": "https://example.org/1", "images": "a.jpg|b.jpg", "lang": "fr",
    })
    assert listing.id == "7" and listing.price == 12.5 and listing.images == ("a.jpg", "b.jpg")
    assert listing.joined_text() == "Ivory\nd"
