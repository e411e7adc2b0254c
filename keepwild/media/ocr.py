"""Reading the text written inside listing images, offline.

Sellers write prices, phone numbers and product names into photos, where text filters cannot
see them. The engine is RapidOCR (PaddleOCR's PP-OCRv4 detection and recognition models on ONNX
Runtime). Its models ship inside the ``rapidocr-onnxruntime`` wheel, so nothing is downloaded at
run time. The recogniser reads Chinese and Latin script (with digits and common symbols); other
scripts (Arabic, Thai) are not read by these models.

The engine takes about a second to load, so it is loaded once, on first use, and shared.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import numpy as np
from PIL import Image

from keepwild.media.errors import MediaError

__all__ = ["OcrLine", "OcrEngine", "default_engine", "OCR_SIDE"]

#: Longest side, in pixels, images are read at: enough for listing-photo captions, and it keeps
#: detection time bounded whatever size the upload was.
OCR_SIDE = 1280


class OcrLine(NamedTuple):
    """One line of text found in an image, with the recogniser's confidence and its box
    (four corner points, in the pixels of the image as given)."""

    text: str
    confidence: float
    box: tuple[tuple[float, float], ...]


class OcrEngine:
    """RapidOCR with keepwild's settings; ``min_confidence`` drops lines the recogniser is
    unsure of, which are mostly texture read as letters."""

    def __init__(self, *, min_confidence: float = 0.6, threads: int = 1) -> None:
        self.min_confidence = min_confidence
        self.threads = threads
        self._engine: object | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> object:
        with self._lock:
            if self._engine is None:
                try:
                    from rapidocr_onnxruntime import RapidOCR
                except ImportError as exc:  # pragma: no cover - a declared dependency
                    raise MediaError(
                        "OCR needs rapidocr-onnxruntime: pip install rapidocr-onnxruntime"
                    ) from exc
                self._engine = RapidOCR(
                    det_limit_side_len=OCR_SIDE, det_limit_type="max",
                    intra_op_num_threads=self.threads, inter_op_num_threads=1,
                )
            return self._engine

    def read(self, image: Image.Image) -> list[OcrLine]:
        """Lines of text in ``image``, top to bottom, then left to right."""
        pixels = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])  # BGR
        engine = self._loaded()
        found, _ = engine(pixels)  # type: ignore[operator]
        lines = [
            OcrLine(str(text), float(score), tuple((float(x), float(y)) for x, y in box))
            for box, text, score in (found or ())
            if float(score) >= self.min_confidence and str(text).strip()
        ]
        lines.sort(key=lambda line: (round(_top(line) / 10), line.box[0][0]))
        return lines

    def text(self, image: Image.Image) -> str:
        """The text of ``image``, one line per line of text."""
        return "\n".join(line.text for line in self.read(image))


def _top(line: OcrLine) -> float:
    return min(y for _, y in line.box)


_default: OcrEngine | None = None
_default_lock = threading.Lock()


def default_engine() -> OcrEngine:
    """The process-wide engine (its models are loaded on first read)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = OcrEngine()
        return _default
