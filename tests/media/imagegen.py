"""Images made in the tests: textures, shapes and rendered text, reproducible from a seed."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)


def cjk_font() -> Path:
    """A font with Chinese glyphs (scripts/test.sh installs one if the machine has none)."""
    for path in CJK_FONTS:
        if path.exists():
            return path
    raise FileNotFoundError("no CJK font found; run scripts/test.sh, which installs one")


def shapes(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """Overlapping coloured ellipses and rectangles on a gradient: a photo-like scene."""
    rng = np.random.default_rng(seed)
    width, height = size
    gradient = np.linspace(0, 1, width)[None, :, None] * rng.uniform(40, 200, 3)
    base = np.broadcast_to(gradient + rng.uniform(0, 55, 3), (height, width, 3))
    image = Image.fromarray(base.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w = int(rng.integers(width // 20 + 5, width // 3 + 10))
        h = int(rng.integers(height // 20 + 5, height // 3 + 10))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse([x, y, x + w, y + h], fill=colour)
        else:
            draw.rectangle([x, y, x + w, y + h], fill=colour)
    return image.filter(ImageFilter.GaussianBlur(1.5))


def texture(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """Smooth random texture (low-frequency noise), like wood grain or a carved surface."""
    rng = np.random.default_rng(seed)
    width, height = size
    small = rng.uniform(0, 255, (height // 16, width // 16, 3)).astype(np.uint8)
    image = Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)
    return image.filter(ImageFilter.GaussianBlur(3))


def text_image(lines: list[str], font: Path = LATIN_FONT, size: int = 44,
               width: int = 900) -> Image.Image:
    """Dark text on a light background, one line per entry."""
    face = ImageFont.truetype(str(font), size)
    image = Image.new("RGB", (width, 40 + int(size * 1.8) * len(lines)), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((30, 25 + int(size * 1.8) * i), line, fill=(20, 20, 20), font=face)
    return image


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def resized(image: Image.Image, factor: float) -> Image.Image:
    w, h = image.size
    return image.resize((max(1, int(w * factor)), max(1, int(h * factor))),
                        Image.Resampling.LANCZOS)


def recompressed(image: Image.Image, quality: int) -> Image.Image:
    return Image.open(io.BytesIO(encode(image, "JPEG", quality=quality))).convert("RGB")


def cropped(image: Image.Image, fraction: float) -> Image.Image:
    """Crop ``fraction`` of the width and height, split evenly between the sides."""
    w, h = image.size
    dx, dy = int(w * fraction / 2), int(h * fraction / 2)
    return image.crop((dx, dy, w - dx, h - dy))


def watermarked(image: Image.Image, text: str = "@seller_shop  WhatsApp 0712 345678") -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    face = ImageFont.truetype(str(LATIN_FONT), max(12, out.size[1] // 20))
    draw.text((out.size[0] // 20, out.size[1] * 17 // 20), text, fill=(255, 255, 255),
              font=face, stroke_width=2, stroke_fill=(0, 0, 0))
    return out


def rotated(image: Image.Image, degrees: float) -> Image.Image:
    """Rotate about the centre, keeping the size and filling corners with edge colour."""
    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=image.getpixel((0, 0)))


def mirrored(image: Image.Image) -> Image.Image:
    return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
