"""Reading product images: the only module that imports Pillow.

``load_rgb`` decodes a file into an RGB uint8 array; ``square`` pads it to a
square on a white background (product photos are shot on white) and resizes it
to the encoder's input size, keeping the aspect ratio.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np

from shopsense.models.image_encoder import INPUT_SIZE, RGBImage


class ImageReadError(Exception):
    """An image file is missing or cannot be decoded; ``reason`` is missing|corrupt."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def read_bytes(path: Path) -> bytes:
    """The raw bytes of an image file; a missing file raises ``ImageReadError('missing')``."""
    try:
        return Path(path).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise ImageReadError("missing", f"image file not found: {path}") from exc
    except OSError as exc:
        raise ImageReadError("missing", f"image file cannot be read: {path}: {exc}") from exc


def content_hash(data: bytes) -> str:
    """SHA-256 of an image file's bytes: the key its features are stored under."""
    return hashlib.sha256(data).hexdigest()


def decode_rgb(data: bytes, source: str = "image") -> RGBImage:
    """Decode image bytes into an H×W×3 uint8 array (transparency composited on white)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            if img.mode in ("RGBA", "LA", "P"):
                rgba = img.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                rgb = Image.alpha_composite(white, rgba).convert("RGB")
            else:
                rgb = img.convert("RGB")
            arr = np.asarray(rgb, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageReadError("corrupt", f"{source} cannot be decoded: {exc}") from exc
    if arr.ndim != 3 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ImageReadError("corrupt", f"{source} has no pixels")
    return arr


def square(image: RGBImage, size: int = INPUT_SIZE) -> RGBImage:
    """Pad to a square on white, centred, then resize to ``size``×``size`` (bilinear)."""
    from PIL import Image

    h, w = image.shape[:2]
    side = max(h, w)
    canvas = np.full((side, side, 3), 255, dtype=np.uint8)
    top, left = (side - h) // 2, (side - w) // 2
    canvas[top : top + h, left : left + w] = image
    resized = Image.fromarray(canvas).resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.uint8)


def load_rgb(path: Path) -> RGBImage:
    """Read and decode one image file."""
    return decode_rgb(read_bytes(path), str(path))
