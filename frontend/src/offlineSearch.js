/**
 * The search box's answer without the server: routes and stops found in the page's own copies
 * of `GET /api/routes` and of every stop (`GET /api/stops?limit=10000`, which the service worker
 * keeps), ranked as the server ranks them, in the same shape as `GET /api/search`'s answer.
 *
 * Why the page searches by itself offline, and not only through answers the worker kept: a
 * commuter in a tunnel types the stop they are going to, which they have rarely searched for
 * before; the copies of the network the page opens offline from hold every route and stop, so
 * every query finds what it would online. The worker still gives back an answer it kept for the
 * same query (the server's own), and this search is used only when it has none.
 *
 * A port of bustrack/search.py's matching and tiers (and of network.py's "the same name within
 * SAME_PLACE_M is listed once"): the same normalisation (accents off, case folded, punctuation
 * splits words), the same synonyms and phrases (tests/frontend checks the tables are the
 * server's), exact, prefix and fuzzy word matches (one edit, sound keys), the same tiers and
 * tie-breaks. Its Unicode folding is JavaScript's, not Python's, which differs only for a few
 * scripts' letters the feed's names do not use.
 *
 * Pure: no DOM, no network (network.js hands in the lists).
 */

/** Results of each kind (routes, stops), as `/api/search` gives (bustrack/web/api.py). */
export const SEARCH_LIMIT = 10;
/** Queries this long or longer also find names holding them inside a word. */
export const MIN_INSIDE = 3;
/** Query words this long or longer match with one typo. */
export const FUZZY_MIN = 5;
/** Stops of the same name closer than this are one place (the two sides of a road). */
export const SAME_PLACE_M = 1000;

export const RANKS = Object.freeze({
	route_number: 0,
	route_number_prefix_digits: 1,
	stop_exact: 2,
	stop_prefix: 3,
	stop_words: 4,
	stop_fuzzy: 5,
	route_number_prefix: 6,
	route_words: 7,
	route_fuzzy: 8,
	stop_inside: 9,
	route_inside: 10,
});

/** Canonical word: the abbreviations and spellings that mean it (search.py's _SYNONYM_GROUPS). */
export const SYNONYM_GROUPS = Object.freeze({
	station: ['stn', 'stns', 'sta', 'statn', 'stations'],
	road: ['rd', 'rds', 'roads'],
	csmt: ['cst', 'cstm', 'vt'],
	chowk: ['chk', 'chouk', 'chauk', 'chawk'],
	nagar: ['ngr', 'nager'],
	marg: ['mg', 'mrg'],
	west: ['w', 'wst'],
	east: ['e', 'est'],
	north: ['n'],
	south: ['s'],
	opposite: ['opp', 'opps', 'opp.'],
	junction: ['jn', 'jct', 'jnc', 'junc'],
	market: ['mkt', 'mkts', 'markets'],
	hospital: ['hosp', 'hsptl'],
	railway: ['rly', 'rlwy'],
	college: ['clg', 'coll'],
	school: ['sch', 'schl'],
	building: ['bldg', 'bldng'],
	colony: ['col', 'clny'],
	depot: ['dpt', 'depo'],
	society: ['soc', 'socy'],
	bridge: ['brg', 'brdg'],
	garden: ['gdn', 'gardens'],
	terminus: ['term', 'terminal'],
	maharaj: ['maharaja'],
	mandir: ['mandeer'],
});
/** Word sequences (folded, before synonyms) that also mean one word (search.py's PHRASES). */
export const PHRASES = Object.freeze([
	[['chhatrapati', 'shivaji', 'terminus'], 'csmt'],
	[['chhatrapati', 'shivaji', 'maharaj', 'terminus'], 'csmt'],
	[['victoria', 'terminus'], 'csmt'],
	[['v', 't'], 'csmt'],
	[['c', 's', 't'], 'csmt'],
	[['c', 's', 'm', 't'], 'csmt'],
]);

const SYNONYMS = new Map(Object.entries(SYNONYM_GROUPS).flatMap(([word, aliases]) => aliases.map((a) => [a, word])));
const EXACT = 0;
const PREFIX = 1;
const FUZZY = 2;

/** `text` for matching: no accents, lower case, words split by single spaces. */
export function fold(text) {
	const plain = String(text).normalize('NFKD').replace(/\p{Mn}/gu, '').toLowerCase();
	return plain.split(/[^\p{L}\p{N}]+/u).filter(Boolean).join(' ');
}

function applyPhrases(ws, replace) {
	const out = [];
	const added = [];
	let i = 0;
	while (i < ws.length) {
		const found = PHRASES.find(([p]) => p.every((w, k) => ws[i + k] === w));
		if (found && replace) {
			out.push(found[1]);
			i += found[0].length;
			continue;
		}
		if (found) { added.push(found[1]); }
		out.push(ws[i]);
		i += 1;
	}
	return [...out, ...added.filter((w) => !out.includes(w))];
}

/** The canonical words of `text`: a name gets a phrase's word added, a query gets it instead. */
export function words(text, {query = false} = {}) {
	const folded = fold(text);
	return applyPhrases(folded ? folded.split(' ') : [], query).map((w) => SYNONYMS.get(w) ?? w);
}

/** `word` as it sounds in Indian English spellings: "maheem" → "mahim". */
export function soundKey(word) {
	const key = word.replaceAll('ph', 'f').replaceAll('ee', 'i').replaceAll('oo', 'u').replaceAll('w', 'v');
	return key.replace(/(.)\1+/gu, '$1');
}

/** Whether `a` becomes `b` with at most one insertion, deletion, substitution or swap. */
export function oneEdit(a, b) {
	if (a === b) { return true; }
	const la = a.length;
	const lb = b.length;
	if (Math.abs(la - lb) > 1) { return false; }
	let i = 0;
	while (i < Math.min(la, lb) && a[i] === b[i]) { i += 1; }
	if (la === lb) {
		if (a.slice(i + 1) === b.slice(i + 1)) { return true; }
		return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
	}
	return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** How query word `q` matches name word `w`: EXACT 0, PREFIX 1, FUZZY 2, or null. */
export function wordQuality(q, w) {
	if (q === w) { return EXACT; }
	if (w.startsWith(q)) { return PREFIX; }
	const n = q.length;
	if (n >= FUZZY_MIN && (oneEdit(q, w) || [n - 1, n, n + 1].some((k) => w.length > k && oneEdit(q, w.slice(0, k))))) {
		return FUZZY;
	}
	if (n >= FUZZY_MIN - 1 && soundKey(q) === soundKey(w)) { return FUZZY; }
	return null;
}

function number(text) {
	return fold(text).replaceAll(' ', '');
}

function distanceM(lat1, lon1, lat2, lon2) {
	const rad = Math.PI / 180;
	const a = Math.sin((lat2 - lat1) * rad / 2) ** 2 +
		Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin((lon2 - lon1) * rad / 2) ** 2;
	return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Routes and stops indexed once for `search` (each keystroke searches them all again).
 *
 * @param {object} lists
 * @param {Array<{id, label, shortName, longName, color}>} lists.routes in the server's order
 *   (routeIndex.js's decoded routes)
 * @param {Array<{id, name, lat, lon, routes}>} lists.stops `GET /api/stops`'s, in its order
 */
export class OfflineIndex {
	constructor({routes, stops}) {
		this._routes = routes.map((r) => {
			const ws = words(`${r.shortName ?? ''} ${r.longName ?? ''}`);
			return {route: r, words: ws, text: ws.join(' '), number: number(r.shortName ?? '')};
		});
		this._stops = stops.map((s) => {
			const ws = words(s.name ?? '');
			const routes = Array.isArray(s.routes) ? s.routes : [];
			return {stop: {...s, routes}, words: ws, text: ws.join(' '), folded: fold(s.name ?? ''), weight: routes.length};
		});
		// Word → the stops and routes with it: a query word is compared with each word once.
		this._vocabulary = new Map();
		const holders = (w) => {
			let found = this._vocabulary.get(w);
			if (!found) { this._vocabulary.set(w, found = {stop: new Set(), route: new Set()}); }
			return found;
		};
		this._stops.forEach((s, k) => { for (const w of s.words) { holders(w).stop.add(k); } });
		this._routes.forEach((r, k) => { for (const w of r.words) { holders(w).route.add(k); } });
	}

	/** Like `GET /api/search?q=` (docs/api.md): `{routes, stops}`, each with its `rank`, best first. */
	search(query, limit = SEARCH_LIMIT) {
		const qWords = words(query, {query: true});
		const raw = fold(query).split(' ').filter(Boolean);
		if (!qWords.length) { return {routes: [], stops: []}; }
		const alternatives = qWords.map((q, i) => (raw.length === qWords.length ? [...new Set([q, raw[i]])] : [q]));
		const joined = qWords.join(' ');
		const stopRanks = this._rank('stop', alternatives, joined);
		const routeRanks = this._rank('route', alternatives, joined);
		const wanted = number(query);
		const hasDigit = /\p{N}/u.test(wanted);
		this._routes.forEach((r, k) => {
			if (r.number === wanted) {
				routeRanks.set(k, RANKS.route_number);
			} else if (wanted && r.number.startsWith(wanted)) {
				const tier = hasDigit ? RANKS.route_number_prefix_digits : RANKS.route_number_prefix;
				routeRanks.set(k, Math.min(routeRanks.get(k) ?? 99, tier));
			}
		});
		const routes = [...routeRanks].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, limit).map(([k, rank]) => {
			const r = this._routes[k].route;
			return {id: r.id, label: r.label, long_name: r.longName ?? '', color: r.color ?? '', rank};
		});
		const first = (k) => (this._stops[k].words.length && wordQuality(qWords[0], this._stops[k].words[0]) !== null ? 0 : 1);
		const order = [...stopRanks].sort((a, b) => a[1] - b[1] || first(a[0]) - first(b[0]) ||
			this._stops[b[0]].weight - this._stops[a[0]].weight || compare(this._stops[a[0]].stop.name, this._stops[b[0]].stop.name) ||
			a[0] - b[0]);
		const stops = [];
		for (const [k, rank] of order) {
			const s = this._stops[k];
			const twin = stops.some((o) => o.folded === s.folded && distanceM(s.stop.lat, s.stop.lon, o.stop.lat, o.stop.lon) < SAME_PLACE_M);
			if (twin) { continue; }
			stops.push({...s, rank});
			if (stops.length === limit) { break; }
		}
		return {
			routes,
			stops: stops.map(({stop, rank}) => ({id: stop.id, name: stop.name, lat: stop.lat, lon: stop.lon, routes: stop.routes, rank})),
		};
	}

	/** The rank of every item whose words match all query words, or that holds the query inside. */
	_rank(kind, alternatives, joined) {
		const items = kind === 'stop' ? this._stops : this._routes;
		let worst = null; // item → the worst of its query words' best qualities
		for (const alts of alternatives) {
			const best = new Map();
			for (const [w, holders] of this._vocabulary) {
				let quality = null;
				for (const a of alts) {
					const q = wordQuality(a, w);
					if (q !== null && (quality === null || q < quality)) { quality = q; }
				}
				if (quality === null) { continue; }
				for (const k of holders[kind]) {
					const had = best.get(k);
					if (had === undefined || quality < had) { best.set(k, quality); }
				}
			}
			if (worst === null) {
				worst = best;
			} else {
				for (const [k, quality] of worst) {
					if (best.has(k)) { worst.set(k, Math.max(quality, best.get(k))); } else { worst.delete(k); }
				}
			}
		}
		const ranks = new Map();
		for (const [k, quality] of worst ?? []) {
			const text = items[k].text;
			if (kind === 'stop' && text === joined) {
				ranks.set(k, RANKS.stop_exact);
			} else if (kind === 'stop' && text.startsWith(joined)) {
				ranks.set(k, RANKS.stop_prefix);
			} else {
				ranks.set(k, RANKS[`${kind}_${quality < FUZZY ? 'words' : 'fuzzy'}`]);
			}
		}
		if (joined.length >= MIN_INSIDE) {
			items.forEach((item, k) => {
				if (!ranks.has(k) && item.text.includes(joined)) { ranks.set(k, RANKS[`${kind}_inside`]); }
			});
		}
		return ranks;
	}
}

/** Strings in code-point order, as Python sorts them. */
function compare(a, b) {
	return a < b ? -1 : a > b ? 1 : 0;
}
