"""PDQ hashing: the exchange form, bad input, quality, and the preparation of images."""

from __future__ import annotations

import numpy as np
import pdqhash
import pytest
from PIL import Image

from keepwild.media.errors import HashFormatError, ImageError
from keepwild.media.hashing import (
    QUALITY_THRESHOLD,
    decode_data_uri,
    distance,
    from_hex,
    hash_bytes,
    hash_file,
    hash_image,
    load_image,
    to_hex,
)

from .imagegen import encode, mirrored, shapes, texture


def test_hex_form_is_the_one_hash_sharing_tools_use() -> None:
    """python-threatexchange writes the 256 bits of pdqhash's vector, first bit most
    significant, as 64 lowercase hex digits; ours must be identical to exchange hashes."""
    image = shapes(1, (256, 256))
    bits, quality = pdqhash.compute(np.ascontiguousarray(np.asarray(image)))
    expected = "%064x" % int("".join(str(int(b)) for b in bits), 2)
    ours = hash_image(image)
    assert ours.hex == expected
    assert ours.quality == quality
    assert from_hex(ours.hex.upper()) == ours.hash
    assert to_hex(ours.hash) == expected


@pytest.mark.parametrize("text, problem", [
    ("abc", "64 hex digits, this one has 3"),
    ("g" * 64, "not a hexadecimal"),
    ("0" * 66, "this one has 66"),
])
def test_bad_hex_is_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(HashFormatError, match=problem):
        from_hex(text)


def test_distance_counts_differing_bits() -> None:
    a = bytes(32)
    assert distance(a, a) == 0
    assert distance(a, b"\xff" * 32) == 256
    assert distance(a, bytes(31) + b"\x0b") == 3
    with pytest.raises(HashFormatError):
        distance(a, b"\x00")


def test_corrupt_and_truncated_images_are_refused() -> None:
    with pytest.raises(ImageError, match="not a usable image"):
        hash_bytes(b"this is not an image at all")
    png = encode(shapes(2, (200, 200)))
    with pytest.raises(ImageError, match="corrupt|not a usable"):
        hash_bytes(png[: len(png) // 2])
    with pytest.raises(ImageError, match="empty"):
        hash_bytes(b"")


def test_images_of_enormous_dimensions_are_refused_before_decoding() -> None:
    bomb = encode(Image.new("1", (9000, 7000)))  # 63 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    with pytest.raises(ImageError, match="9000x7000 pixels"):
        hash_bytes(bomb)


def test_blank_images_hash_with_low_quality_and_are_not_matchable() -> None:
    blank = hash_image(Image.new("RGB", (300, 300), (200, 200, 200)))
    assert blank.quality < QUALITY_THRESHOLD and not blank.matchable
    photo = hash_image(shapes(3))
    assert photo.quality >= QUALITY_THRESHOLD and photo.matchable


def test_downscaling_before_hashing_moves_the_hash_by_a_few_bits_only() -> None:
    """Large images are reduced to 1024 pixels a side first; tools that hash at full size
    must still agree with us well within the match threshold."""
    big = texture(4, (2000, 1500))
    full, _ = pdqhash.compute(np.ascontiguousarray(np.asarray(big)))
    full_bytes = np.packbits(np.asarray(full, dtype=np.uint8)).tobytes()
    assert distance(full_bytes, hash_image(big).hash) <= 12


def test_mirror_hash_is_close_to_the_hash_of_the_mirrored_image() -> None:
    """The mirror hash comes from PDQ's transform of the original's coefficients; hashing the
    mirrored pixels differs only by rounding in the downscaling filter."""
    for seed in range(4):
        image = shapes(seed)
        assert distance(hash_image(image).mirror, hash_image(mirrored(image)).hash) <= 8


def test_transparent_images_are_hashed_as_shown_on_white() -> None:
    rgba = shapes(5).convert("RGBA")
    alpha = Image.new("L", rgba.size, 0)
    alpha.paste(255, (100, 100, 400, 300))
    rgba.putalpha(alpha)
    shown = Image.new("RGB", rgba.size, "white")
    shown.paste(rgba, mask=alpha)
    assert distance(hash_bytes(encode(rgba)).hash, hash_image(shown).hash) <= 2


def test_exif_orientation_is_applied(tmp_path) -> None:
    image = shapes(6)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: viewers rotate it 90 degrees clockwise
    sideways = image.transpose(Image.Transpose.ROTATE_90)
    path = tmp_path / "sideways.jpg"
    sideways.save(path, "JPEG", quality=95, exif=exif)
    assert distance(hash_file(path).hash, hash_image(image).hash) <= 10


def test_files_and_data_uris() -> None:
    import base64

    png = encode(shapes(7, (120, 90)))
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    assert decode_data_uri(uri) == png
    with pytest.raises(ImageError, match="base64"):
        decode_data_uri("data:image/png;base64,@@@")
    with pytest.raises(ImageError, match="cannot read"):
        hash_file("/nonexistent/photo.jpg")
    assert load_image(png).size == (120, 90)
