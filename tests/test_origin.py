import pytest

from bustrack.web.origin import origin_allowed

OWN = "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("origin", "allowed", "ok"),
    [
        (None, set(), True),  # not a browser
        ("http://127.0.0.1:8080", set(), True),  # the page itself
        ("HTTP://127.0.0.1:8080/", set(), True),
        ("https://evil.example", set(), False),
        ("http://127.0.0.1:8081", set(), False),
        ("https://maps.example", {"https://maps.example"}, True),
        ("https://evil.example", {"https://maps.example"}, False),
        ("https://anything.example", {"*"}, True),
    ],
)
def test_origin_rules(origin: str | None, allowed: set[str], ok: bool) -> None:
    assert origin_allowed(origin, OWN, allowed) is ok
