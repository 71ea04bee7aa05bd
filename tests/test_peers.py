"""Client addresses and per-address limits (bustrack/peers.py)."""

from __future__ import annotations

import pytest

from bustrack.peers import ConnectionCaps, KnownTokens, PeerBuckets, client_address, parse_networks

PROXIES = parse_networks("127.0.0.1, 10.0.0.0/8")


def test_an_untrusted_peer_is_judged_by_its_own_address_whatever_it_claims() -> None:
    assert client_address("203.0.113.9", "1.2.3.4", PROXIES) == "203.0.113.9"
    assert client_address("203.0.113.9", "1.2.3.4", ()) == "203.0.113.9"


def test_behind_trusted_proxies_the_client_is_the_first_untrusted_hop_from_the_right() -> None:
    assert client_address("127.0.0.1", "198.51.100.7", PROXIES) == "198.51.100.7"
    # The client wrote a header itself ("6.6.6.6"): the proxies appended what they saw.
    assert client_address("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", PROXIES) == "198.51.100.7"
    assert client_address("127.0.0.1", "10.1.2.3", PROXIES) == "10.1.2.3"  # all ours
    assert client_address("127.0.0.1", "not-an-ip", PROXIES) == "127.0.0.1"
    assert client_address("127.0.0.1", None, PROXIES) == "127.0.0.1"


def test_bad_networks_are_refused() -> None:
    with pytest.raises(ValueError):
        parse_networks("10.0.0.0/8, proxy.example")


def test_connection_caps_per_address_and_in_total() -> None:
    caps = ConnectionCaps(total=3, per_address=2)
    assert caps.admit("a") == caps.admit("a") == ""
    assert "from your address" in caps.admit("a")
    assert caps.admit("b") == ""
    assert "full" in caps.admit("c")
    caps.release("a")
    assert caps.admit("c") == "" and caps.of("a") == 1 and caps.open == 3


def test_buckets_per_address_and_bounded_memory() -> None:
    buckets = PeerBuckets(rate=1.0, burst=2, max_peers=100)
    assert buckets.take("a", 0.0) and buckets.take("a", 0.0)
    assert not buckets.take("a", 0.0) and not buckets.allows("a", 0.5)
    assert buckets.take("b", 0.0)  # another address has its own
    assert buckets.allows("a", 1.0) and buckets.take("a", 1.0)
    for i in range(1000):
        buckets.take(f"10.0.{i // 256}.{i % 256}", 2.0)
    assert len(buckets) == 100


def test_known_tokens_are_kept_for_a_while_and_bounded() -> None:
    known = KnownTokens(keep_s=100.0, max_tokens=2)
    assert not known.knows("a", 0.0)
    known.remember("a", 0.0)
    assert known.knows("a", 100.0)
    assert not known.knows("a", 100.5), "forgotten after keep_s"
    assert len(known) == 0
    known.remember("a", 0.0)
    known.remember("b", 1.0)
    assert known.knows("a", 2.0)  # a used again: b is now the least recently used...
    known.remember("a", 2.0)
    known.remember("c", 3.0)
    assert len(known) == 2
    assert known.knows("a", 3.0) and known.knows("c", 3.0) and not known.knows("b", 3.0)
