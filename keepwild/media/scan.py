"""Scanning listings with their images: text read from the images, and hash-bank matches.

:class:`MediaScanner` wraps the text :class:`~keepwild.detect.scanner.Scanner`. For each of a
listing's images it

1. loads the image (URL under the fetch policy, ``data:`` URI, or a file where allowed);
2. reads its text with OCR and adds it to the listing as the field ``image:<n>`` (``n`` counts
   from 0 in the listing's order), so the text scanner treats it like the description and
   every match it finds there names the image it came from;
3. hashes it with PDQ and matches the hash (and its mirror image) against the enabled banks.

How a bank match weighs (see docs/images.md): a match at distance ``d`` against a bank with
threshold ``t`` gives the image score ``1 - d / (2 (t + 1))``, between 1 (identical) and about
0.5 (at the threshold). The listing's score is the larger of its text score and its image
scores; its verdict is the more severe of the text verdict and the policy's verdict for that
image score, and never below ``review``: a near-copy of a confirmed trafficking image always
goes to a person. Categories the policy disables are ignored, as for text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, NamedTuple

from keepwild.detect.listing import Listing
from keepwild.detect.result import Reason, ScanResult
from keepwild.detect.rules import SEVERITY
from keepwild.detect.scanner import Scanner
from keepwild.media.bankfile import BankWriter
from keepwild.media.banks import BankEntry
from keepwild.media.errors import MediaError
from keepwild.media.fetch import ImageLoader
from keepwild.media.hashing import PdqHash, hash_image, load_image
from keepwild.media.matcher import BankMatch, BankMatcher
from keepwild.media.ocr import OCR_SIDE, OcrEngine, default_engine

__all__ = ["MediaScanner", "MediaScanResult", "ImageReport", "image_field", "image_score",
           "HashedImage", "hash_images", "bank_hashed_images", "bank_listing_images"]


def image_field(position: int) -> str:
    """The field name under which text read from image ``position`` (from 0) is scanned."""
    return f"image:{position}"


def image_score(distance: int, threshold: int) -> float:
    """The score one bank match gives a listing (see the module docstring)."""
    return 1.0 - distance / (2 * (threshold + 1))


class ImageReport(NamedTuple):
    """What was learned from one image; ``error`` says why an image could not be used."""

    position: int
    field: str
    hash: str | None = None
    quality: int | None = None
    text: str = ""
    matches: tuple[BankMatch, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position, "field": self.field, "hash": self.hash,
            "quality": self.quality, "text": self.text,
            "matches": [m._asdict() for m in self.matches], "error": self.error,
        }


class MediaScanResult(NamedTuple):
    """The text scanner's result with image evidence folded in, and the per-image reports."""

    result: ScanResult
    images: tuple[ImageReport, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.result.to_dict(), "images": [image.to_dict() for image in self.images]}


class MediaScanner:
    """Scans listings with their images. ``ocr`` is an engine, ``"default"`` (the shared one)
    or None to skip reading text; ``matcher`` None skips bank matching; ``mirror`` also matches
    mirror images of banked photos; at most ``max_images`` images a listing are used."""

    def __init__(
        self,
        scanner: Scanner,
        matcher: BankMatcher | None = None,
        *,
        ocr: OcrEngine | str | None = "default",
        loader: ImageLoader | None = None,
        mirror: bool = True,
        max_images: int = 10,
    ) -> None:
        self.scanner = scanner
        self.matcher = matcher
        if ocr == "default":
            ocr = default_engine()
        if isinstance(ocr, str):
            raise MediaError(f"ocr must be an OcrEngine, 'default' or None, not {ocr!r}")
        self.ocr: OcrEngine | None = ocr
        self.loader = loader or ImageLoader()
        self.mirror = mirror
        self.max_images = max_images

    def scan(self, listing: Listing | Mapping[str, Any]) -> MediaScanResult:
        """Scan one listing and its images."""
        if not isinstance(listing, Listing):
            listing = Listing.from_mapping(listing)
        reports, hashes = self._read_images(listing.images[:self.max_images])
        texts = {r.field: r.text for r in reports if r.text}
        scanned = replace(listing, extra_text={**listing.extra_text, **texts}) if texts else listing
        result = self.scanner.scan(scanned)
        if self.matcher is not None and hashes:
            positions = [p for p, _ in hashes]
            found = self.matcher.match([h for _, h in hashes], mirror=self.mirror)
            by_position = dict(zip(positions, found))
            reports = [r._replace(matches=tuple(by_position.get(r.position, ())))
                       for r in reports]
        return MediaScanResult(self._weigh(result, reports), tuple(reports))

    def scan_many(self, listings: Iterable[Listing | Mapping[str, Any]]
                  ) -> Iterable[MediaScanResult]:
        for listing in listings:
            yield self.scan(listing)

    def hash_listing(self, listing: Listing) -> list[HashedImage]:
        """(position, hash or None, error or None) for each image: what a confirmed removal
        adds to a bank."""
        return hash_images(self.loader, listing.images[:self.max_images])

    def _read_images(self, references: Iterable[str]
                     ) -> tuple[list[ImageReport], list[tuple[int, PdqHash]]]:
        reports, hashes = [], []
        for position, reference in enumerate(references):
            field = image_field(position)
            try:
                image = load_image(self.loader.load(reference), max_side=OCR_SIDE)
                pdq = hash_image(image)
                text = self.ocr.text(image) if self.ocr is not None else ""
            except MediaError as exc:
                reports.append(ImageReport(position, field, error=str(exc)))
                continue
            reports.append(ImageReport(position, field, pdq.hex, pdq.quality, text))
            if pdq.matchable:
                hashes.append((position, pdq))
        return reports, hashes

    def _weigh(self, result: ScanResult, reports: list[ImageReport]) -> ScanResult:
        policy = self.scanner.policy
        reasons = list(result.reasons)
        fields = {m.field for m in result.matches}
        for report in reports:
            if report.field in fields:
                reasons.append(Reason("image_text", f"terms found in the text of image "
                                      f"{report.position + 1} (field {report.field})"))
        best: list[tuple[float, BankMatch]] = []
        for report in reports:
            for match in report.matches:
                if match.category in policy.disabled_categories:
                    continue
                threshold = self.matcher.threshold(match.bank) if self.matcher else 0
                score = image_score(match.distance, threshold)
                best.append((score, match))
                mirrored = " (mirror image)" if match.variant == "mirror" else ""
                reasons.append(Reason(
                    "image_bank",
                    f"image {report.position + 1}{mirrored} matches bank '{match.bank}' "
                    f"({match.category}) at distance {match.distance} of {threshold}",
                    match.category,
                ))
        if not best:
            return result._replace(reasons=tuple(reasons))
        top = max(score for score, _ in best)
        verdict = result.verdict
        for candidate in (policy.verdict_for(top), "review"):
            if SEVERITY[candidate] > SEVERITY[verdict]:
                verdict = candidate
        categories = tuple(dict.fromkeys(
            [*result.categories, *(m.category for _, m in sorted(best, key=lambda b: -b[0]))]
        ))
        return result._replace(verdict=verdict, score=max(result.score, top),
                               categories=categories, reasons=tuple(reasons))


HashedImage = tuple[int, PdqHash | None, str | None]


def hash_images(loader: ImageLoader, references: Iterable[str]) -> list[HashedImage]:
    """(position, hash or None, error or None) for each image reference, in order; an image
    that cannot be loaded or decoded is reported, not dropped."""
    out: list[HashedImage] = []
    for position, reference in enumerate(references):
        try:
            out.append((position, hash_image(load_image(loader.load(reference))), None))
        except MediaError as exc:
            out.append((position, None, str(exc)))
    return out


def bank_hashed_images(
    hashed: Iterable[HashedImage], listing_id: str, banks: BankWriter, bank: str, *,
    category: str, added_by: str, note: str | None = None,
) -> tuple[list[BankEntry], list[str]]:
    """Add already hashed images of a confirmed listing to a bank, with the listing as
    provenance. Split from :func:`bank_listing_images` so a service can hash (slow: fetching)
    outside its database transaction and write inside it."""
    added, problems = [], []
    for position, pdq, error in hashed:
        if pdq is None:
            problems.append(f"image {position + 1}: {error}")
            continue
        entry = banks.add(bank, pdq.hash, category=category, added_by=added_by,
                          listing_id=listing_id, quality=pdq.quality, note=note)
        if entry is None:
            problems.append(f"image {position + 1}: already in bank {bank!r}")
        else:
            added.append(entry)
            if not pdq.matchable:
                problems.append(f"image {position + 1}: quality {pdq.quality} is below the "
                                "threshold; banked but never matched")
    return added, problems


def bank_listing_images(
    scanner: MediaScanner, listing: Listing, banks: BankWriter, bank: str, *, category: str,
    added_by: str, note: str | None = None,
) -> tuple[list[BankEntry], list[str]]:
    """Add a confirmed listing's images to a bank in one step, with the listing as provenance,
    and to the scanner's matcher, so the next copy is caught at once. Returns the new entries
    and, for images that could not be used, why (a low-quality image is banked but will not
    match)."""
    added, problems = bank_hashed_images(scanner.hash_listing(listing), listing.id, banks, bank,
                                         category=category, added_by=added_by, note=note)
    if scanner.matcher is not None and added:
        scanner.matcher.add_entries(added)
    return added, problems
