import os
import zlib

import pytest

from bustrack.wire.deflate import deflated, message, stored

TRAILER = b"\x00\x00\xff\xff"  # what the receiver adds back (RFC 7692 section 7.2.2)


def inflate(payload: bytes, wbits: int = 15, inflater: object | None = None) -> bytes:
    d = inflater or zlib.decompressobj(-wbits)
    out: bytes = d.decompress(payload + TRAILER)  # type: ignore[attr-defined]
    return out


def test_pieces_compressed_apart_inflate_as_one_message() -> None:
    head, a, b, tail = b'{"type":"update","parts":[', b'{"c":"all","m":[[1,2,3,4]]}', b"[5]", b"]}"
    payload = message([stored(head), deflated(a * 50), stored(b","), deflated(b), stored(tail)])
    assert inflate(payload) == head + a * 50 + b"," + b + tail
    assert len(payload) < len(a * 50)  # the parts did shrink
    # The head is there as it is, at the start (a reader can find "type" and "ts").
    assert payload[5 : 5 + len(head)] == head


def test_a_message_decodes_after_others_in_the_same_inflater() -> None:
    # With context takeover the client keeps one inflater: its window holds earlier
    # messages, which ours never refer to, so they decode all the same.
    inflater = zlib.decompressobj(-15)
    earlier = zlib.compressobj(1, zlib.DEFLATED, -15)
    text = b"some earlier message " * 20
    first = earlier.compress(text) + earlier.flush(zlib.Z_SYNC_FLUSH)
    assert inflate(first[:-4], inflater=inflater) == text
    part = b'{"c":"14/1/2","e":[]}' * 10
    assert inflate(message([deflated(part)]), inflater=inflater) == part
    assert inflate(message([stored(b"x"), deflated(part)]), inflater=inflater) == b"x" + part


@pytest.mark.parametrize("wbits", [9, 12, 15])
def test_a_smaller_window_when_the_client_asks_for_one(wbits: int) -> None:
    data = os.urandom(200) * 300  # repeats further apart than a small window
    assert inflate(message([deflated(data, wbits)]), wbits) == data


def test_stored_blocks_hold_any_length() -> None:
    for data in (b"", b"a", os.urandom(70_000), os.urandom(65_535)):
        assert inflate(message([stored(data)])) == data
