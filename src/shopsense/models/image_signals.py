"""Cheap image signals beside the CNN: a colour histogram and a perceptual hash (numpy only).

- ``colour_histogram``: joint RGB histogram (4×4×4 = 64 bins) of the non-background
  pixels, square-rooted (Hellinger) and L2-normalised, so a dot product compares
  colour distributions. The CNN embedding is weak on colour; this is not.
- ``difference_hash``: the 64-bit dHash of Krawetz ("Kind of like that", 2013):
  grey 9×8 thumbnail, one bit per horizontal neighbour comparison. Identical or
  re-encoded photos differ in a few bits; different photos in ~32.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

RGBImage = npt.NDArray[np.uint8]
COLOUR_BINS = 4
COLOUR_DIM = COLOUR_BINS**3
HASH_BITS = 64
_BACKGROUND = 240  # pixels with every channel above this are studio white


def colour_histogram(image: RGBImage) -> npt.NDArray[np.float32]:
    """64-d Hellinger-normalised RGB histogram of the foreground (all pixels if none)."""
    pixels = image.reshape(-1, 3)
    foreground = pixels[~np.all(pixels > _BACKGROUND, axis=1)]
    if foreground.shape[0] == 0:
        foreground = pixels
    q = (foreground.astype(np.int64) * COLOUR_BINS) // 256
    codes = (q[:, 0] * COLOUR_BINS + q[:, 1]) * COLOUR_BINS + q[:, 2]
    hist = np.bincount(codes, minlength=COLOUR_DIM).astype(np.float64)
    root = np.sqrt(hist / hist.sum())
    out: npt.NDArray[np.float32] = (root / np.linalg.norm(root)).astype(np.float32)
    return out


def _grey_thumbnail(image: RGBImage, width: int, height: int) -> npt.NDArray[np.float64]:
    """Box-filtered grey thumbnail (area average), independent of any imaging library."""
    grey = image.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    h, w = grey.shape
    rows = np.linspace(0, h, height + 1).astype(int)
    cols = np.linspace(0, w, width + 1).astype(int)
    out = np.empty((height, width))
    for i in range(height):
        for j in range(width):
            block = grey[
                rows[i] : max(rows[i + 1], rows[i] + 1), cols[j] : max(cols[j + 1], cols[j] + 1)
            ]
            out[i, j] = block.mean()
    return out


def difference_hash(image: RGBImage) -> int:
    """64-bit dHash: bit set where a pixel is brighter than its right neighbour."""
    thumb = _grey_thumbnail(image, 9, 8)
    bits = (thumb[:, 1:] > thumb[:, :-1]).ravel()
    return int(sum(1 << i for i, b in enumerate(bits) if b))


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two hashes."""
    return (a ^ b).bit_count()
