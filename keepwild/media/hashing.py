"""PDQ perceptual hashes of images given as a path, bytes, a data: URI or a URL.

PDQ (Meta's open perceptual hash, the format hash-sharing programmes exchange) turns an image
into 256 bits such that resized, re-compressed or lightly edited copies land within a small
Hamming distance. Its quality score (0-100) says how much structure the image has: a blank or
nearly uniform image hashes to noise, so hashes below :data:`QUALITY_THRESHOLD` are kept but
never matched (:mod:`keepwild.media.banks` and :mod:`keepwild.media.scan` enforce that).

Images are decoded with limits (bytes, pixels) so that one bad upload cannot exhaust a worker,
and larger ones are downscaled to 1024 pixels a side before hashing. PDQ reduces every image to
64 x 64 itself, but with filters sized to the input, so the hash of a photo depends a little on
its resolution: at 1024 pixels a side it stays within about 12 bits of the full-size hash that
other tools compute (512 would cost 16-22 bits of the 31-bit budget), and a 12-megapixel photo
hashes in 60 ms instead of 500.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pdqhash
from PIL import Image, ImageOps, UnidentifiedImageError

from keepwild.media.errors import HashFormatError, ImageError

__all__ = [
    "PdqHash", "QUALITY_THRESHOLD", "MAX_IMAGE_BYTES", "MAX_PIXELS", "HASH_SIDE",
    "hash_image", "hash_bytes", "hash_file", "load_image", "decode_data_uri",
    "to_hex", "from_hex", "distance",
]

#: PDQ quality below which a hash is kept but never matched (the value HMA uses).
QUALITY_THRESHOLD = 50
MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: Decoded size limit (a decompression bomb is a small file of enormous dimensions).
MAX_PIXELS = 50_000_000
HASH_SIDE = 1024
HASH_BYTES = 32


class PdqHash(NamedTuple):
    """A PDQ hash (32 bytes, most significant bit first), its quality, and the hash of the
    left-right mirrored image (computed in the same pass), so mirrored copies can be matched."""

    hash: bytes
    quality: int
    mirror: bytes

    @property
    def hex(self) -> str:
        return self.hash.hex()

    @property
    def matchable(self) -> bool:
        """Whether the image has enough structure for its hash to be matched."""
        return self.quality >= QUALITY_THRESHOLD


def to_hex(value: bytes) -> str:
    """64 lowercase hex digits, the exchange form of a PDQ hash."""
    if len(value) != HASH_BYTES:
        raise HashFormatError(f"a PDQ hash is 32 bytes, not {len(value)}")
    return value.hex()


def from_hex(text: str) -> bytes:
    """Parse 64 hex digits (either case); raises HashFormatError saying what is wrong."""
    if not isinstance(text, str):
        raise HashFormatError(f"a PDQ hash must be a string of 64 hex digits, not {text!r}")
    stripped = text.strip()
    if len(stripped) != 2 * HASH_BYTES:
        raise HashFormatError(
            f"a PDQ hash has 64 hex digits, this one has {len(stripped)}: {stripped[:80]!r}"
        )
    try:
        return bytes.fromhex(stripped)
    except ValueError:
        raise HashFormatError(f"not a hexadecimal PDQ hash: {stripped!r}") from None


def distance(a: bytes, b: bytes) -> int:
    """Hamming distance between two hashes (0 = identical, 256 = complementary)."""
    if len(a) != HASH_BYTES or len(b) != HASH_BYTES:
        raise HashFormatError("PDQ hashes are 32 bytes")
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def load_image(data: bytes, max_side: int = HASH_SIDE) -> Image.Image:
    """Decode image bytes within the limits, upright (EXIF orientation applied), RGB on white,
    at most ``max_side`` pixels a side."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"image is {len(data):,} bytes; the limit is {MAX_IMAGE_BYTES:,}")
    if not data:
        raise ImageError("image is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageError(f"image is {width}x{height} pixels; the limit is {MAX_PIXELS:,}")
            image.draft("RGB", (max_side, max_side))  # JPEG: decode at a reduced scale
            image.load()
            image = ImageOps.exif_transpose(image)
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise ImageError(f"not a usable image: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data
        raise ImageError(f"corrupt image: {exc}") from exc
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


def hash_image(image: Image.Image) -> PdqHash:
    """PDQ hash of a decoded image, reduced to :data:`HASH_SIDE` pixels a side first (see
    :func:`load_image` for the rest of the preparation)."""
    image = image.convert("RGB")
    if max(image.size) > HASH_SIDE:
        image = image.copy()
        image.thumbnail((HASH_SIDE, HASH_SIDE), Image.Resampling.LANCZOS)
    pixels = np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
    if pixels.shape[0] < 1 or pixels.shape[1] < 1:
        raise ImageError("image has no pixels")
    variants, quality = pdqhash.compute_dihedral(pixels)
    # compute_dihedral's order: original, rot90, rot180, rot270, flip-x, flip-y (the mirror
    # image, left-right), transpose, anti-transpose.
    return PdqHash(_pack(variants[0]), int(quality), _pack(variants[5]))


def _pack(bits: np.ndarray) -> bytes:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes()


def hash_bytes(data: bytes) -> PdqHash:
    """PDQ hash of encoded image bytes (JPEG, PNG, WebP, GIF, BMP, TIFF...)."""
    return hash_image(load_image(data))


def hash_file(path: str | Path) -> PdqHash:
    """PDQ hash of an image file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise ImageError(f"{path}: {size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}")
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return hash_bytes(data)
    except ImageError as exc:
        raise ImageError(f"{path}: {exc}") from exc


def decode_data_uri(uri: str) -> bytes:
    """The bytes of a ``data:image/...;base64,...`` URI (how an API client can send an image
    inline in a listing)."""
    head, sep, body = uri.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise ImageError("a data URI must look like data:image/png;base64,...")
    if len(body) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise ImageError(f"image is larger than {MAX_IMAGE_BYTES:,} bytes")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"data URI is not valid base64: {exc}") from exc
