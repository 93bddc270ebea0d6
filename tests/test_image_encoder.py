"""The image encoder adapter: real ImageNet weights, the random-weight network, the ONNX path."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from shopsense.models.image_encoder import INPUT_SIZE, EfficientNetLite0, preprocess
from shopsense.models.image_io import ImageReadError, decode_rgb, load_rgb, square

SUNGLASS_CLASSES = {836, 837}  # ImageNet "sunglass", "sunglasses, dark glasses, shades"


def _first_of_type(shared_data: Path, article_type: str) -> Path:
    folder = shared_data / "myntra_fashion"
    with (folder / "products_sample.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["articleType"] == article_type:
                return folder / "images" / f"{row['id']}.jpg"
    raise AssertionError(f"no {article_type} in the sample")


def test_real_weights_see_sunglasses_in_a_sunglasses_photo(
    shared_data: Path, tmp_path: Path
) -> None:
    photo = _first_of_type(shared_data, "Sunglasses")
    encoder = EfficientNetLite0(tmp_path)
    logits = encoder.classify([square(load_rgb(photo))])
    assert int(np.argmax(logits[0])) in SUNGLASS_CLASSES


def test_preprocess_scales_pixels_as_x_minus_127_over_128() -> None:
    img = np.zeros((INPUT_SIZE, INPUT_SIZE, 3), dtype=np.uint8)
    img[0, 0] = (127, 255, 0)
    batch = preprocess([img])
    assert batch.shape == (1, 3, INPUT_SIZE, INPUT_SIZE)
    assert batch[0, :, 0, 0].tolist() == [0.0, 128 / 128, -127 / 128]
    with pytest.raises(ValueError, match="224"):
        preprocess([np.zeros((10, 10, 3), dtype=np.uint8)])


def test_random_network_embeds_1280_unit_vectors_and_onnx_matches_torch(
    random_image_encoder: EfficientNetLite0, shared_data: Path
) -> None:
    photos = sorted((shared_data / "myntra_fashion" / "images").glob("*.jpg"))[:3]
    images = [square(load_rgb(p)) for p in photos]
    onnx = random_image_encoder.encode(images)
    assert onnx.shape == (3, 1280) and onnx.dtype == np.float32
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    torch_encoder = EfficientNetLite0(
        random_image_encoder.cache_dir, backend="torch", pretrained=False, seed=7
    )
    assert np.allclose(torch_encoder.encode(images), onnx, atol=1e-4)
    assert random_image_encoder.encode([]).shape == (0, 1280)


def test_the_exported_model_is_cached_and_named_by_its_weights(
    random_image_encoder: EfficientNetLite0,
) -> None:
    path = random_image_encoder.onnx_path()
    assert path.exists() and "random7" in path.name
    stamp = path.stat().st_mtime_ns
    assert random_image_encoder.export_onnx() == path
    assert path.stat().st_mtime_ns == stamp
    real = EfficientNetLite0(random_image_encoder.cache_dir)
    assert real.onnx_path() != path and real.name != random_image_encoder.name


def test_square_pads_on_white_keeping_the_aspect_ratio() -> None:
    tall = np.zeros((80, 40, 3), dtype=np.uint8)  # a black 40×80 photo
    out = square(tall, 80)
    assert out.shape == (80, 80, 3)
    assert out[40, 0].tolist() == [255, 255, 255] and out[40, 79].tolist() == [255, 255, 255]
    assert out[40, 40].tolist() == [0, 0, 0]


def test_missing_and_corrupt_images_raise_a_reasoned_read_error(tmp_path: Path) -> None:
    with pytest.raises(ImageReadError) as missing:
        load_rgb(tmp_path / "nope.jpg")
    assert missing.value.reason == "missing"
    with pytest.raises(ImageReadError) as corrupt:
        decode_rgb(b"\xff\xd8\xff not really a jpeg", "x.jpg")
    assert corrupt.value.reason == "corrupt"
