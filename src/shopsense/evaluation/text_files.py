"""UTF-8 text files given on the command line: one check and one message for all readers."""

from __future__ import annotations

from pathlib import Path

from shopsense.core.errors import InputError


def decode_utf8(payload: bytes, where: str) -> str:
    """``payload`` as UTF-8 (a BOM dropped); :class:`InputError` naming ``where`` and the
    line of the first bad byte, or saying the text is UTF-16."""
    if payload.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{where} is UTF-16 text; save it as UTF-8")
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = payload.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{where}:{line}: not UTF-8 (byte 0x{payload[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8"
        ) from exc


def file_bytes(path: Path) -> bytes:
    """The bytes of ``path``; :class:`InputError` for a directory or a missing file."""
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a file")
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    return path.read_bytes()
