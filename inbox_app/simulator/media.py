"""Small, valid images for MMS attachments, built from a seed so the world needs no files.

A PNG checkerboard and a baseline greyscale JPEG of flat 8x8 blocks: enough for a client
to decode, thumbnail and cache, and byte-for-byte the same for the same seed.
"""

from __future__ import annotations

import random
import struct
import zlib

PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PNG: "png", JPEG: "jpg"}


def synthesize(seed: int, content_type: str) -> bytes:
    return png_bytes(seed) if content_type == PNG else jpeg_bytes(seed)


def png_bytes(seed: int, size: int = 16) -> bytes:
    rng = random.Random(seed)
    light, dark = (bytes(rng.randrange(256) for _ in range(3)) for _ in range(2))
    rows = b"".join(
        b"\x00" + b"".join(light if (x // 4 + y // 4) % 2 == 0 else dark for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


# Standard luminance DC table (JPEG Annex K.3); the AC table has only end-of-block.
_DC_COUNTS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_AC_COUNTS = (1,) + (0,) * 15


def _canonical_codes(counts: tuple[int, ...]) -> list[tuple[int, int]]:
    """(code, length) for each symbol in order, as JPEG's canonical Huffman assigns them."""
    codes: list[tuple[int, int]] = []
    code = 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            codes.append((code, length))
            code += 1
        code <<= 1
    return codes


_DC_CODES = _canonical_codes(_DC_COUNTS)
_EOB = _canonical_codes(_AC_COUNTS)[0]


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def jpeg_bytes(seed: int, blocks: int = 2) -> bytes:
    """A (8*blocks)-pixel square greyscale JPEG whose blocks are flat grey levels."""
    rng = random.Random(seed)
    size = 8 * blocks
    bits: list[tuple[int, int]] = []
    previous = 0
    for _ in range(blocks * blocks):
        dc = 8 * (rng.randrange(16, 240) - 128)  # DCT of a flat block, quantised by 1
        diff, previous = dc - previous, dc
        category = abs(diff).bit_length()
        bits.append(_DC_CODES[category])
        if category:
            bits.append((diff if diff > 0 else diff + (1 << category) - 1, category))
        bits.append(_EOB)
    stream = 0
    length = 0
    for code, width in bits:
        stream = (stream << width) | code
        length += width
    pad = -length % 8
    stream = (stream << pad) | ((1 << pad) - 1)
    scan = (stream.to_bytes((length + pad) // 8, "big")).replace(b"\xff", b"\xff\x00")
    return b"".join(
        (
            b"\xff\xd8",
            _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFFDB, b"\x00" + b"\x01" * 64),
            _segment(0xFFC0, struct.pack(">BHHB3B", 8, size, size, 1, 1, 0x11, 0)),
            _segment(0xFFC4, b"\x00" + bytes(_DC_COUNTS) + bytes(range(12))),
            _segment(0xFFC4, b"\x10" + bytes(_AC_COUNTS) + b"\x00"),
            _segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00"),
            scan,
            b"\xff\xd9",
        )
    )
