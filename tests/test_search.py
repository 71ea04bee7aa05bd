"""The search ranking (bustrack/search.py): normalisation, synonyms, typos and the tiers."""

from __future__ import annotations

from bustrack.gtfs.model import Feed
from bustrack.network import build_network
from bustrack.search import RANKS, SearchIndex, one_edit, sound_key, word_quality, words


def test_words_fold_case_accents_punctuation_and_synonyms() -> None:
    assert words("Dadar STN (W)") == ["dadar", "station", "west"]
    assert words("Agarkar Chowk (Andheri-E)") == ["agarkar", "chowk", "andheri", "east"]
    assert words("Opp. Jn Rd, Mkt") == ["opposite", "junction", "road", "market"]
    assert words("Ça  Église") == ["ca", "eglise"]
    # A long name also gets its short word; a query gets it instead.
    assert words("Chhatrapati Shivaji Maharaj Terminus(Csmt)")[-1] == "csmt"
    assert words("Victoria Terminus")[-1] == "csmt"
    assert words("victoria terminus", query=True) == ["csmt"]
    assert words("CST", query=True) == words("vt", query=True) == ["csmt"]
    assert words("C.S.T.", query=True) == ["csmt"]


def test_one_edit() -> None:
    assert one_edit("bandara", "bandra")  # an extra letter
    assert one_edit("bandra", "bandara")
    assert one_edit("andehri", "andheri")  # two neighbours swapped
    assert one_edit("kurla", "kurls")
    assert not one_edit("kurla", "kuals")
    assert not one_edit("mahim", "maheem")
    assert one_edit("", "a") and not one_edit("", "ab")


def test_word_quality_exact_prefix_fuzzy() -> None:
    assert word_quality("dadar", "dadar") == 0
    assert word_quality("dad", "dadar") == 1
    assert word_quality("bandara", "bandra") == 2
    assert word_quality("andhe", "andheri") == 1
    assert word_quality("andhi", "andheri") == 2  # "andhe" with a typo
    assert word_quality("andi", "andheri") is None  # fewer than 5 letters: no typo allowed
    assert word_quality("andher", "andheri") == 1
    assert word_quality("andhwri", "andheri") == 2
    assert sound_key("maheem") == sound_key("mahim")
    assert word_quality("maheem", "mahim") == 2
    assert word_quality("juhoo", "juhu") == 2


def _index() -> SearchIndex:
    return SearchIndex(
        ["64", "646RING", "1AS", "C7"],
        ["Dadar Station (E) ⇆ Parsiwada", "Goregaon ⇆ Aarey", "Santacruz ⇆ CSMT", "Dadar Circle"],
        [
            "Dadar Fire Brigade",
            "Dadar Station (E)",
            "Khodadad Circle (Dadar TT)",
            "Andheri Fire Brigade",
            "Andheri Station (W)",
            "Chhatrapati Shivaji Maharaj Terminus(Csmt)",
            "Bandra Talao",
            "Kherwadi (Bandra-E)",
            "Route 64 Corner",
        ],
        [6, 4, 47, 4, 20, 18, 14, 11, 1],
    )


def _ranked(query: str) -> list[tuple[str, int, int]]:
    routes, stops = _index().search(query)
    return sorted(((m.kind, m.index, m.rank) for m in routes + stops), key=lambda m: m[2])


def test_an_exact_route_number_comes_first_then_stops_then_routes() -> None:
    assert _ranked("64")[0] == ("route", 0, RANKS["route_number"])
    assert _ranked("6")[:2] == [("route", 0, 1), ("route", 1, 1)]  # a number means a bus
    assert _ranked("1 as")[0] == ("route", 2, 0)
    # A name: the stops starting with it, busier first; then the one with it as a word;
    # then the routes.
    assert _ranked("Dadar") == [
        ("stop", 0, RANKS["stop_prefix"]),
        ("stop", 1, RANKS["stop_prefix"]),
        ("stop", 2, RANKS["stop_words"]),
        ("route", 0, RANKS["route_words"]),
        ("route", 3, RANKS["route_words"]),
    ]
    _, stops = _index().search("dadar")
    assert [m.index for m in stops] == [0, 1, 2]  # Fire Brigade (6 routes) before Station (4)


def test_abbreviations_variants_and_typos_find_the_stop() -> None:
    assert _ranked("Andheri")[0] == ("stop", 4, RANKS["stop_prefix"])  # the busier one
    assert _ranked("andheri stn")[0] == ("stop", 4, RANKS["stop_prefix"])
    assert _ranked("Andheri Station W")[0] == ("stop", 4, RANKS["stop_exact"])
    for query in ("CST", "CSMT", "csmt", "VT", "Victoria Terminus", "chhatrapati shivaji"):
        assert _ranked(query)[0] == (
            "stop",
            5,
            RANKS["stop_words"] if query != "chhatrapati shivaji" else RANKS["stop_prefix"],
        ), query
    assert _ranked("Bandara")[:2] == [
        ("stop", 6, RANKS["stop_fuzzy"]),  # the name starts with it: first
        ("stop", 7, RANKS["stop_fuzzy"]),
    ]
    assert _ranked("bandra e")[0] == ("stop", 7, RANKS["stop_words"])
    assert _ranked("circ")[0] == ("stop", 2, RANKS["stop_words"])
    assert _ranked("ircl") == [
        ("stop", 2, RANKS["stop_inside"]),
        ("route", 3, RANKS["route_inside"]),
    ]
    assert _ranked("zzz") == [] and _ranked("  ") == []


def test_mumbai_search_ranks_like_a_commuter(mumbai_feed: Feed) -> None:
    network = build_network(mumbai_feed)

    def first(query: str) -> str:
        routes, stops = network.search_ranked(query)
        merged = [(rank, r.label) for r, rank in routes] + [(rank, s.name) for s, rank in stops]
        return sorted(merged, key=lambda m: m[0])[0][1]  # stable: each list is best first

    assert first("Dadar").startswith("Dadar ")
    assert first("64") == "64"
    assert first("Andheri") == first("andheri stn") == "Andheri Station (W)"
    assert first("CST") == first("CSMT") == "Chhatrapati Shivaji Maharaj Terminus(Csmt)"
    assert first("Bandara").startswith("Bandra")
    assert first("maheem").startswith("Mahim")
