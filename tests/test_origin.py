import pytest

from bustrack.web.origin import normalise_origin, origin_allowed, own_origins

OWN = own_origins("", "http", ("127.0.0.1", 8080))


@pytest.mark.parametrize(
    ("origin", "allowed", "ok"),
    [
        (None, set(), True),  # not a browser
        ("http://127.0.0.1:8080", set(), True),  # the page itself
        ("HTTP://127.0.0.1:8080/", set(), True),
        ("http://localhost:8080", set(), True),  # loopback by name
        ("https://evil.example", set(), False),
        ("http://evil.example:8080", set(), False),  # DNS rebinding: a name, not ours
        ("http://127.0.0.1:8081", set(), False),
        ("https://127.0.0.1:8080", set(), False),
        ("null", set(), False),  # a sandboxed frame or a file:// page
        ("https://maps.example", {"https://maps.example"}, True),
        ("https://maps.example:443", {"https://maps.example"}, True),
        ("https://evil.example", {"https://maps.example"}, False),
        ("https://anything.example", {"*"}, True),
    ],
)
def test_origin_rules(origin: str | None, allowed: set[str], ok: bool) -> None:
    assert origin_allowed(origin, OWN, allowed) is ok


def test_a_public_url_is_the_only_own_origin() -> None:
    own = own_origins("https://Bus.Example/", "http", ("127.0.0.1", 8080))
    assert own == {"https://bus.example"}
    assert origin_allowed("https://bus.example", own, set())
    assert not origin_allowed("http://127.0.0.1:8080", own, set())


def test_the_address_a_connection_reached_is_own_but_not_other_names() -> None:
    own = own_origins("", "https", ("192.0.2.7", 443))
    assert own == {"https://192.0.2.7"}
    assert origin_allowed("https://192.0.2.7", own, set())
    assert not origin_allowed("https://localhost", own, set())  # not a loopback address


def test_ipv6_addresses_are_bracketed() -> None:
    own = own_origins("", "http", ("::1", 8080))
    assert own == {"http://[::1]:8080", "http://localhost:8080"}
    assert normalise_origin("http://[::1]:8080/") == "http://[::1]:8080"


def test_malformed_origins_normalise_to_nothing() -> None:
    assert normalise_origin("http://host:99999") == ""
    assert normalise_origin("not an origin") == ""
