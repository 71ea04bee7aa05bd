import struct

import pytest

from bustrack.wire.wsframe import text_frame


def _decode(frame: bytes) -> tuple[int, bytes]:
    """Decode one unmasked frame per RFC 6455 section 5.2; return (first byte, payload)."""
    first, second = frame[0], frame[1]
    assert second & 0x80 == 0, "server frames must not be masked"
    n = second & 0x7F
    offset = 2
    if n == 126:
        (n,) = struct.unpack("!H", frame[2:4])
        offset = 4
    elif n == 127:
        (n,) = struct.unpack("!Q", frame[2:10])
        offset = 10
    payload = frame[offset:]
    assert len(payload) == n
    return first, payload


@pytest.mark.parametrize(
    ("size", "header_len"), [(0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10), (300_000, 10)]
)
def test_text_frame_length_encodings(size: int, header_len: int) -> None:
    payload = b"x" * size
    frame = text_frame(payload)
    first, body = _decode(frame)
    assert first == 0x81  # FIN + text opcode
    assert body == payload
    assert len(frame) == size + header_len
