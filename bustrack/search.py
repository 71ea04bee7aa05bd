"""Search that ranks like a commuter thinks: pure text matching and ranking, no I/O.

:class:`~bustrack.network.Network` builds a :class:`SearchIndex` once and answers
``/api/search`` from it. Every result carries a **rank** (a tier; lower is better)
that orders routes and stops in one list, so that the page can show them merged.

Normalisation (:func:`words`): NFKD without accents, case-folded, punctuation and
``_`` split words (``"Andheri-E"`` → ``andheri east``); then the
:data:`SYNONYMS` table gives each abbreviation or spelling variant one canonical
word (``Stn`` → ``station``, ``Rd`` → ``road``, ``CST``/``VT`` → ``csmt``,
``W`` → ``west`` …), and :data:`PHRASES` add a word for a long name
(``Chhatrapati Shivaji (Maharaj) Terminus``, ``Victoria Terminus`` → ``csmt``).

A query word matches a word of a name (:func:`word_quality`), best first:
**exact**, **prefix** (the name's word starts with it: the user is still typing),
**fuzzy** — for query words of :data:`FUZZY_MIN` letters or more, one edit
(insertion, deletion, substitution or swap of two neighbours: ``Bandara`` →
``Bandra``) of the word or of its beginning, or the same *sound key*
(:func:`sound_key`: doubled letters once, ``ee``→``i``, ``oo``→``u``, ``w``→``v``,
``ph``→``f``: ``Maheem`` → ``Mahim``). Every query word must match some word, in
any order.

The tiers (:data:`RANKS`):

0. a route whose number is the query (spaces ignored: ``"1 as"`` is ``1AS``);
1. a route whose number starts with the query, when the query holds a digit
   (a number means a bus);
2. a stop whose whole name is the query;
3. a stop whose name starts with the query;
4. a stop whose words all match exactly or by prefix;
5. a stop matched with a typo or a spelling variant;
6. a route whose number starts with the query (no digit in it);
7. a route whose name starts with the query, or whose words all match;
8. a route matched with a typo;
9. a stop, then (10) a route, with the query inside a word (queries of
   :data:`MIN_INSIDE` characters or more).

Within a tier, stops served by more routes come first (the busy stop is the one
meant more often: ``Andheri`` → Andheri Station (W), not Andheri Fire Brigade),
then by name; routes keep their label order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "FUZZY_MIN",
    "MIN_INSIDE",
    "PHRASES",
    "RANKS",
    "SYNONYMS",
    "Match",
    "SearchIndex",
    "fold",
    "one_edit",
    "sound_key",
    "word_quality",
    "words",
]

MIN_INSIDE = 3
FUZZY_MIN = 5

RANKS = {
    "route_number": 0,
    "route_number_prefix_digits": 1,
    "stop_exact": 2,
    "stop_prefix": 3,
    "stop_words": 4,
    "stop_fuzzy": 5,
    "route_number_prefix": 6,
    "route_words": 7,
    "route_fuzzy": 8,
    "stop_inside": 9,
    "route_inside": 10,
}

# Canonical word: the abbreviations and spellings that mean it.
_SYNONYM_GROUPS: dict[str, tuple[str, ...]] = {
    "station": ("stn", "stns", "sta", "statn", "stations"),
    "road": ("rd", "rds", "roads"),
    "csmt": ("cst", "cstm", "vt"),
    "chowk": ("chk", "chouk", "chauk", "chawk"),
    "nagar": ("ngr", "nager"),
    "marg": ("mg", "mrg"),
    "west": ("w", "wst"),
    "east": ("e", "est"),
    "north": ("n",),
    "south": ("s",),
    "opposite": ("opp", "opps", "opp."),
    "junction": ("jn", "jct", "jnc", "junc"),
    "market": ("mkt", "mkts", "markets"),
    "hospital": ("hosp", "hsptl"),
    "railway": ("rly", "rlwy"),
    "college": ("clg", "coll"),
    "school": ("sch", "schl"),
    "building": ("bldg", "bldng"),
    "colony": ("col", "clny"),
    "depot": ("dpt", "depo"),
    "society": ("soc", "socy"),
    "bridge": ("brg", "brdg"),
    "garden": ("gdn", "gardens"),
    "terminus": ("term", "terminal"),
    "maharaj": ("maharaja",),
    "mandir": ("mandeer",),
}
SYNONYMS: dict[str, str] = {
    alias: canonical for canonical, aliases in _SYNONYM_GROUPS.items() for alias in aliases
}
# Word sequences (folded, before synonyms) that also mean one word.
PHRASES: dict[tuple[str, ...], str] = {
    ("chhatrapati", "shivaji", "terminus"): "csmt",
    ("chhatrapati", "shivaji", "maharaj", "terminus"): "csmt",
    ("victoria", "terminus"): "csmt",
    ("v", "t"): "csmt",
    ("c", "s", "t"): "csmt",
    ("c", "s", "m", "t"): "csmt",
}


# Text.


def fold(text: str) -> str:
    """Return ``text`` for matching: no accents, case-folded, words split by single spaces.

    ``"Chhatrapati Shivaji Maharaj Terminus (CSMT)"`` → ``"chhatrapati shivaji maharaj
    terminus csmt"``; ``"Église"`` → ``"eglise"``; ``"A ⇆ B"`` → ``"a b"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[\W_]+", plain)).strip()


def _phrases(ws: list[str], replace: bool) -> list[str]:
    """Apply :data:`PHRASES`: replace a phrase by its word (a query), or add the word (a name)."""
    out: list[str] = []
    added: list[str] = []
    i = 0
    while i < len(ws):
        phrase = next((p for p in PHRASES if tuple(ws[i : i + len(p)]) == p), None)
        if phrase is not None and replace:
            out.append(PHRASES[phrase])
            i += len(phrase)
            continue
        if phrase is not None:
            added.append(PHRASES[phrase])
        out.append(ws[i])
        i += 1
    return out + [w for w in added if w not in out]


def words(text: str, *, query: bool = False) -> list[str]:
    """Return the canonical words of ``text`` (see the module's docstring).

    A name gets the word of a phrase it holds added; a query gets it instead.
    """
    return [SYNONYMS.get(w, w) for w in _phrases(fold(text).split(), replace=query)]


def sound_key(word: str) -> str:
    """Return ``word`` as it sounds in Indian English spellings: ``"maheem"`` → ``"mahim"``."""
    key = word.replace("ph", "f").replace("ee", "i").replace("oo", "u").replace("w", "v")
    return re.sub(r"(.)\1+", r"\1", key)


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` with at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True  # substitution
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


EXACT, PREFIX, FUZZY = 0, 1, 2


def word_quality(q: str, w: str) -> int | None:
    """How query word ``q`` matches name word ``w``: EXACT 0, PREFIX 1, FUZZY 2, or None."""
    if q == w:
        return EXACT
    if w.startswith(q):
        return PREFIX
    n = len(q)
    starts = (w[:k] for k in (n - 1, n, n + 1) if len(w) > k)
    if n >= FUZZY_MIN and (one_edit(q, w) or any(one_edit(q, start) for start in starts)):
        return FUZZY
    if n >= FUZZY_MIN - 1 and sound_key(q) == sound_key(w):
        return FUZZY
    return None


# The index.


@dataclass(frozen=True, slots=True)
class Match:
    """One result: ``kind`` ``"route"`` or ``"stop"``, its position in the index, its rank."""

    kind: str
    index: int
    rank: int


def _number(text: str) -> str:
    return fold(text).replace(" ", "")


class SearchIndex:
    """Routes and stops indexed for :meth:`search`.

    Args:
        route_numbers: each route's number (short name), in the order routes are listed.
        route_names: each route's long name, same order.
        stop_names: each stop's name.
        stop_weights: each stop's importance (the number of routes serving it): the
            tie-break within a tier, more first.
    """

    def __init__(
        self,
        route_numbers: Sequence[str],
        route_names: Sequence[str],
        stop_names: Sequence[str],
        stop_weights: Sequence[int],
    ) -> None:
        self._numbers = [_number(n) for n in route_numbers]
        cache: dict[str, tuple[str, ...]] = {}

        def canon(text: str) -> tuple[str, ...]:
            found = cache.get(text)
            if found is None:
                found = cache[text] = tuple(words(text))
            return found

        self._route_words = [
            canon(f"{n} {m}") for n, m in zip(route_numbers, route_names, strict=True)
        ]
        self._stop_words = [canon(n) for n in stop_names]
        self._texts = {
            "route": [" ".join(ws) for ws in self._route_words],
            "stop": [" ".join(ws) for ws in self._stop_words],
        }
        self._stop_weights = list(stop_weights)
        self._stop_names = list(stop_names)
        # Word → the stops and the routes with it: a query word is compared with each word once.
        self._vocabulary: dict[str, tuple[set[int], set[int]]] = {}
        for k, ws in enumerate(self._stop_words):
            for w in ws:
                self._vocabulary.setdefault(w, (set(), set()))[0].add(k)
        for k, ws in enumerate(self._route_words):
            for w in ws:
                self._vocabulary.setdefault(w, (set(), set()))[1].add(k)

    def search(self, query: str) -> tuple[list[Match], list[Match]]:
        """Return the routes and the stops matching ``query``, each best first."""
        q_words = words(query, query=True)
        raw_words = fold(query).split()
        if not q_words:
            return [], []
        # Each query word may be matched as typed or in its canonical form.
        alternatives = [
            {q, raw_words[i]} if len(raw_words) == len(q_words) else {q}
            for i, q in enumerate(q_words)
        ]
        qualities = [self._qualities(alts) for alts in alternatives]
        stops = self._rank(qualities, q_words, kind="stop")
        routes = self._rank(qualities, q_words, kind="route")
        number = _number(query)
        has_digit = any(c.isdigit() for c in number)
        for k, n in enumerate(self._numbers):
            if n == number:
                routes[k] = RANKS["route_number"]
            elif number and n.startswith(number):
                tier = "route_number_prefix_digits" if has_digit else "route_number_prefix"
                routes[k] = min(routes.get(k, 99), RANKS[tier])
        route_list = [
            Match("route", k, r) for k, r in sorted(routes.items(), key=lambda kv: (kv[1], kv[0]))
        ]
        stop_list = [
            Match("stop", k, r)
            for k, r in sorted(
                stops.items(),
                key=lambda kv: (
                    kv[1],
                    word_quality(q_words[0], self._stop_words[kv[0]][0]) is None,
                    -self._stop_weights[kv[0]],
                    self._stop_names[kv[0]],
                    kv[0],
                ),
            )
        ]
        return route_list, stop_list

    def _qualities(self, alternatives: set[str]) -> list[tuple[int, tuple[set[int], set[int]]]]:
        """Each word of the vocabulary that one of ``alternatives`` matches: (quality, items)."""
        found = []
        for w, items in self._vocabulary.items():
            qualities = [x for x in (word_quality(a, w) for a in alternatives) if x is not None]
            if qualities:
                found.append((min(qualities), items))
        return found

    def _rank(
        self,
        qualities: list[list[tuple[int, tuple[set[int], set[int]]]]],
        q_words: list[str],
        kind: str,
    ) -> dict[int, int]:
        """Rank every item whose words match all query words (or hold the query inside)."""
        side = 0 if kind == "stop" else 1
        worst: dict[int, int] | None = None
        for matched_words in qualities:
            best: dict[int, int] = {}
            for quality, items in matched_words:
                for k in items[side]:
                    if best.get(k, 99) > quality:
                        best[k] = quality
            if worst is None:
                worst = best
            else:
                worst = {k: max(v, best[k]) for k, v in worst.items() if k in best}
        matched = worst or {}
        joined = " ".join(q_words)
        texts = self._texts[kind]
        ranks: dict[int, int] = {}
        for k, quality in matched.items():
            text = texts[k]
            if kind == "stop" and text == joined:
                ranks[k] = RANKS["stop_exact"]
            elif kind == "stop" and text.startswith(joined):
                ranks[k] = RANKS["stop_prefix"]
            elif quality < FUZZY:
                ranks[k] = RANKS[f"{kind}_words"]
            else:
                ranks[k] = RANKS[f"{kind}_fuzzy"]
        if len(joined) >= MIN_INSIDE:
            for k, text in enumerate(texts):
                if k not in ranks and joined in text:
                    ranks[k] = RANKS[f"{kind}_inside"]
        return ranks
