"""Images: PDQ hashing, shareable hash banks, fast matching, and text read from images.

The media stage sits above detect: it reads what a listing's images say (OCR) and whether they
are copies of confirmed trafficking images (hash banks), and hands both to the text scanner.
See docs/images.md.
"""

from keepwild.media.bankfile import BankFile, ImportReport, export_lines, read_bank_file
from keepwild.media.banks import Bank, BankEntry, BankSet
from keepwild.media.errors import BankError, FetchError, HashFormatError, ImageError, MediaError
from keepwild.media.fetch import Fetcher, FetchPolicy, ImageLoader
from keepwild.media.hashing import (
    QUALITY_THRESHOLD,
    PdqHash,
    distance,
    from_hex,
    hash_bytes,
    hash_file,
    hash_image,
    load_image,
    to_hex,
)
from keepwild.media.index import HashIndex, IndexParams
from keepwild.media.matcher import BankMatch, BankMatcher
from keepwild.media.ocr import OcrEngine, OcrLine
from keepwild.media.scan import MediaScanner, MediaScanResult, bank_listing_images

__all__ = [
    "PdqHash", "QUALITY_THRESHOLD", "hash_bytes", "hash_file", "hash_image", "load_image",
    "to_hex", "from_hex", "distance",
    "FetchPolicy", "Fetcher", "ImageLoader",
    "HashIndex", "IndexParams",
    "Bank", "BankEntry", "BankSet", "BankFile", "ImportReport", "read_bank_file",
    "export_lines",
    "BankMatch", "BankMatcher",
    "OcrEngine", "OcrLine",
    "MediaScanner", "MediaScanResult", "bank_listing_images",
    "MediaError", "ImageError", "FetchError", "HashFormatError", "BankError",
]
