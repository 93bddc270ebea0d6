"""Image files: present and decodable. The only module that imports Pillow."""

from __future__ import annotations

from pathlib import Path

try:
    from PIL import Image, UnidentifiedImageError
except ImportError as exc:  # pragma: no cover - install hint
    raise ImportError("image checks need `pip install pillow`") from exc


def image_problem(path: str) -> tuple[str, str] | None:
    """``(reason, detail)`` when the image at ``path`` is missing or cannot be decoded.

    Remote images (``scheme://``) are not fetched and count as present.
    """
    if "://" in path:
        return None
    file = Path(path)
    if not file.is_file():
        return "image_missing", f"no file at {path}"
    try:
        with Image.open(file) as img:
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return "image_undecodable", f"{file.name}: {exc}"
    return None
