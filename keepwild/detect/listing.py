"""The listing record keepwild scans, and its validation.

Input records carry ``id``, ``title`` and ``description``, and optionally ``price``,
``currency``, ``seller``, ``url``, ``images`` and ``lang``. Sizes are bounded so that one bad
record cannot stall a scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from keepwild.errors import InputError

__all__ = ["Listing", "TEXT_FIELDS", "MAX_TEXT_CHARS"]

#: Fields whose text is scanned, in the order they are joined.
TEXT_FIELDS = ("title", "description")
MAX_TEXT_CHARS = 20_000
MAX_ID_CHARS = 256
MAX_IMAGES = 50
_OPTIONAL_STRINGS = ("currency", "seller", "url", "lang")


@dataclass(frozen=True, slots=True)
class Listing:
    """One marketplace listing, as a platform sends it."""

    id: str
    title: str = ""
    description: str = ""
    price: float | None = None
    currency: str | None = None
    seller: str | None = None
    url: str | None = None
    images: tuple[str, ...] = ()
    lang: str | None = None
    extra_text: dict[str, str] = field(default_factory=dict)

    def texts(self) -> list[tuple[str, str]]:
        """(field, text) pairs to scan: title, description, then any extra text (e.g. OCR)."""
        pairs = [(name, getattr(self, name)) for name in TEXT_FIELDS]
        pairs.extend(self.extra_text.items())
        return [(name, text) for name, text in pairs if text]

    def joined_text(self) -> str:
        """The scanned fields joined by newlines (the text the matcher sees, before folding)."""
        if self.extra_text:
            return "\n".join(text for _, text in self.texts())
        if self.title and self.description:
            return f"{self.title}\n{self.description}"
        return self.title or self.description

    @classmethod
    def from_mapping(cls, record: Mapping[str, Any]) -> Listing:
        """Validate a decoded JSON object or CSV row; raises InputError naming the field."""
        if not isinstance(record, Mapping):
            raise InputError(f"a listing must be an object, not {type(record).__name__}")
        ident = record.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        if not isinstance(ident, str) or not ident.strip():
            raise InputError("field 'id' is required and must be a non-empty string")
        if len(ident) > MAX_ID_CHARS:
            raise InputError(f"field 'id' is longer than {MAX_ID_CHARS} characters")
        texts = {}
        for name in TEXT_FIELDS:
            value = record.get(name)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise InputError(f"field {name!r} must be a string")
            if len(value) > MAX_TEXT_CHARS:
                raise InputError(f"field {name!r} is longer than {MAX_TEXT_CHARS} characters")
            texts[name] = value
        if not texts["title"] and not texts["description"]:
            raise InputError("a listing needs a 'title' or a 'description'")
        optional: dict[str, str | None] = {}
        for name in _OPTIONAL_STRINGS:
            value = record.get(name)
            if value in (None, ""):
                optional[name] = None
            elif not isinstance(value, str) or len(value) > 2048:
                raise InputError(f"field {name!r} must be a string of at most 2048 characters")
            else:
                optional[name] = value
        return cls(
            id=ident,
            title=texts["title"],
            description=texts["description"],
            price=_price(record.get("price")),
            images=_images(record.get("images")),
            **optional,
        )


def _price(value: Any) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise InputError("field 'price' must be a number")
    try:
        price = float(value)
    except (TypeError, ValueError):
        raise InputError(f"field 'price' must be a number, not {value!r}") from None
    if not price >= 0 or price == float("inf"):
        raise InputError("field 'price' must be a finite number of at least 0")
    return price


def _images(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = [v for v in value.split("|") if v]  # CSV cells list images separated by |
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError("field 'images' must be a list of strings")
    if len(value) > MAX_IMAGES:
        raise InputError(f"field 'images' holds more than {MAX_IMAGES} images")
    return tuple(value)
