/**
 * The /ws load generator of bench/ws_load.py: many WebSocket clients in one Node process
 * (bench/wsclient.mjs: a minimal reader that costs a few microseconds per frame).
 *
 * Driven over stdin/stdout, one JSON object per line each way: every command gets exactly one
 * reply line, and commands run one after another (bench/loadgen.py is the Python side).
 *
 *   {"cmd": "init", "tick_ms": 1000, "deflate": false}    -> {"ok": true}
 *   {"cmd": "open", "group": "view", "urls": [...], "batch": 200, "stuck": false, "timeout_s": 60}
 *                                                         -> {"opened", "failed", "errors", "seconds"}
 *   {"cmd": "measure", "seconds": 10}                      -> window statistics (see `endWindow`)
 *   {"cmd": "window_start"}, later {"cmd": "window_end"}   -> the same, for a window of any length
 *   {"cmd": "close", "group": "view", "keep": 0}           -> {"closed", "seconds"}
 *   {"cmd": "storm", "urls": [...], "rate": 300, "seconds": 5, "hold_ms": [0, 1000]}
 *                                                         -> {"storm": {...}, "steady": window}
 *   {"cmd": "probe_stuck", "wait_s": 3}                     -> {"stuck": [{"dropped", ...}]}
 *   {"cmd": "quit"}                                        -> {"ok": true}, then exits
 *
 * What it measures, per frame (docs/protocol.md: every server frame has `type` and `ts`):
 *   - delay: arrival (Date.now()) minus the frame's `ts` (same machine, same clock). The first
 *     frame of a connection is not counted: it is the snapshot of the tick before the client
 *     connected, so its age says nothing about delivery.
 *   - missed: a `snapshot` after the first frame (the server skipped frames for this client
 *     and resynchronised it) counts one; a gap of more than 1.5 ticks between consecutive
 *     `ts` counts the ticks it skipped.
 * Only `type` and `ts` are read, from the first bytes of each frame, so that the generator
 * itself costs little per frame (no copy, no JSON.parse of 70 KB frames); `"verify": true` in
 * `init` keeps and parses every frame fully and checks its parts (for the smoke test).
 *
 * A stuck client (`"stuck": true`) pauses its socket as soon as it is open: the kernel buffers
 * fill and the server sees a client that stopped reading. `probe_stuck` resumes it and reports
 * whether the server had cut the connection.
 */

import {monitorEventLoopDelay} from 'node:perf_hooks';
import readline from 'node:readline';
import {HEAD, WsClient} from './wsclient.mjs';

const TS = Buffer.from('"ts":');
const TYPE = Buffer.from('"type":"');
const SNAPSHOT = 's'.charCodeAt(0);

let tickMs = 1000;
let verify = false;
let deflate = false; // clients offer permessage-deflate
let nextId = 0;
const clients = []; // steady clients (groups), in the order they were opened
const loopDelay = monitorEventLoopDelay({resolution: 10});
loopDelay.enable();

/** A growing array of float64 values. */
class Samples {
	constructor() {
		this.values = new Float64Array(1 << 14);
		this.length = 0;
	}

	push(v) {
		if (this.length === this.values.length) {
			const bigger = new Float64Array(this.values.length * 2);
			bigger.set(this.values);
			this.values = bigger;
		}
		this.values[this.length++] = v;
	}

	summary() {
		const n = this.length;
		if (n === 0) { return {n: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null}; }
		const sorted = this.values.slice(0, n).sort();
		const at = (q) => sorted[Math.min(n - 1, Math.floor(q * n))];
		let sum = 0;
		for (let i = 0; i < n; i++) { sum += sorted[i]; }
		return {n, min: sorted[0], p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[n - 1],
			mean: sum / n};
	}
}

/** The measurement window: per-group delays and counters while it is open. */
let win = null;

function startWindow() {
	win = {started: Date.now(), groups: new Map(), closes: 0, ticks: new Map()};
	for (const c of clients) {
		c.wFrames = 0;
		c.wBytes = 0;
		c.wResyncs = 0;
		c.wGapFrames = 0;
	}
	loopDelay.reset();
	win.cpu = process.cpuUsage();
}

function groupOf(name) {
	let g = win.groups.get(name);
	if (!g) {
		g = {delays: new Samples()};
		win.groups.set(name, g);
	}
	return g;
}

function endWindow() {
	const w = win;
	win = null;
	const seconds = (Date.now() - w.started) / 1000;
	const cpu = process.cpuUsage(w.cpu);
	const all = new Samples();
	const groups = {};
	const names = new Set(clients.filter((c) => !c.stuck).map((c) => c.group));
	for (const name of names) {
		const members = clients.filter((c) => c.group === name && !c.stuck);
		const delays = w.groups.get(name)?.delays ?? new Samples();
		for (let i = 0; i < delays.length; i++) { all.push(delays.values[i]); }
		groups[name] = tally(members, delays, seconds);
	}
	const steady = clients.filter((c) => !c.stuck);
	return {
		seconds,
		all: tally(steady, all, seconds),
		groups,
		closes: w.closes,
		// Each tick's frames: when its first and its last frame arrived (ms after its ts).
		ticks: [...w.ticks.entries()].sort((a, b) => a[0] - b[0])
			.map(([ts, t]) => ({ts, n: t.n, first_ms: t.min, last_ms: t.max})),
		loadgen: {
			cpu_s: (cpu.user + cpu.system) / 1e6,
			loop_delay_p99_ms: loopDelay.percentile(99) / 1e6,
			loop_delay_max_ms: loopDelay.max / 1e6,
			rss_mb: process.memoryUsage().rss / 2 ** 20,
		},
	};
}

function tally(members, delays, seconds) {
	let frames = 0;
	let bytes = 0;
	let resyncs = 0;
	let gapFrames = 0;
	let silent = 0;
	let open = 0;
	for (const c of members) {
		frames += c.wFrames;
		bytes += c.wBytes;
		resyncs += c.wResyncs;
		gapFrames += c.wGapFrames;
		if (!c.closed) {
			open += 1;
			if (c.wFrames === 0) { silent += 1; }
		}
	}
	return {
		clients: open,
		frames,
		bytes,
		frames_per_s: frames / seconds,
		bytes_per_s: bytes / seconds,
		resyncs,
		gap_frames: gapFrames,
		missed: resyncs + gapFrames,
		silent,
		delay_ms: delays.summary(),
	};
}

/** Read the integer after `"ts":` in the first bytes of a frame (NaN if there is none). */
function readTs(buf) {
	const head = buf.subarray(0, HEAD);
	const i = head.indexOf(TS);
	if (i < 0) { return NaN; }
	let v = 0;
	for (let j = i + TS.length; j < buf.length; j++) {
		const d = buf[j] - 48;
		if (d < 0 || d > 9) { break; }
		v = v * 10 + d;
	}
	return v;
}

/** The first character of the frame's `type` (a char code), or -1. */
function readKind(buf) {
	const i = buf.subarray(0, HEAD).indexOf(TYPE);
	return i < 0 ? -1 : buf[i + TYPE.length];
}

/** Parse a whole frame and check what docs/protocol.md promises (for the smoke test). */
function check(c, buf) {
	const frame = JSON.parse(buf.toString('utf8'));
	if (typeof frame.type !== 'string' || !Number.isInteger(frame.ts)) {
		throw new Error(`frame without type/ts: ${buf.subarray(0, 80)}`);
	}
	if (frame.type === 'vehicles') { // the baseline's whole-state frame
		c.vehicles = new Map(frame.vehicles.map((v) => [v.id, v]));
		return;
	}
	if (frame.type === 'snapshot' || !c.vehicles) { c.vehicles = new Map(); }
	for (const p of frame.parts) {
		for (const n of p.l) { c.vehicles.delete(n); }
	}
	for (const p of frame.parts) {
		for (const rec of p.e) { c.vehicles.set(rec[0], rec); }
		for (const m of p.m) {
			if (!c.vehicles.has(m[0])) { c.unknownMoves += 1; }
		}
	}
}

function onMessage(c, head, length, payload) {
	const arrival = Date.now();
	c.frames += 1;
	c.bytes += length;
	if (c.stuck) {
		c.framesAfterResume += 1;
		return;
	}
	if (payload) {
		try {
			check(c, payload);
		} catch (err) {
			c.badFrames += 1;
			c.lastBad = String(err).slice(0, 200);
		}
	}
	if (!c.record) { return; }
	const ts = readTs(head);
	const kind = readKind(head);
	if (win) {
		c.wFrames += 1;
		c.wBytes += length;
	}
	if (c.lastTs === 0) { // the connection's first frame: the snapshot of an earlier tick
		c.lastTs = ts;
		return;
	}
	let resync = false;
	let gap = 0;
	if (kind === SNAPSHOT) {
		resync = true;
	} else if (ts - c.lastTs > 1.5 * tickMs) {
		gap = Math.round((ts - c.lastTs) / tickMs) - 1;
	}
	c.lastTs = ts;
	c.resyncs += resync ? 1 : 0;
	c.gapFrames += gap;
	if (win) {
		c.wResyncs += resync ? 1 : 0;
		c.wGapFrames += gap;
		groupOf(c.group).delays.push(arrival - ts);
		const t = win.ticks.get(ts);
		if (t) {
			t.n += 1;
			t.min = Math.min(t.min, arrival - ts);
			t.max = Math.max(t.max, arrival - ts);
		} else {
			win.ticks.set(ts, {n: 1, min: arrival - ts, max: arrival - ts});
		}
	}
}

/** Open one client; resolves with it once it is open, or failed. */
function connect(url, {group, stuck = false, record = true}) {
	const c = {
		id: nextId++, group, url, stuck, record,
		ws: null, open: false, closed: false, closeCode: null, error: null,
		openedAt: 0, closedAt: 0, startedAt: Date.now(),
		frames: 0, bytes: 0, lastTs: 0, resyncs: 0, gapFrames: 0,
		wFrames: 0, wBytes: 0, wResyncs: 0, wGapFrames: 0,
		framesAfterResume: 0, badFrames: 0, lastBad: null, unknownMoves: 0, vehicles: null,
	};
	return new Promise((resolve) => {
		c.ws = new WsClient(url, {
			keep: verify,
			deflate,
			onOpen: () => {
				c.open = true;
				c.openedAt = Date.now();
				if (stuck) { c.ws.pause(); }
				resolve(c);
			},
			onMessage: (head, length, payload) => onMessage(c, head, length, payload),
			onClose: (code, error) => {
				c.closed = true;
				c.closeCode = code;
				c.error = error;
				c.closedAt = Date.now();
				if (win && record && !stuck) { win.closes += 1; }
				if (c.onClose) { c.onClose(); }
				resolve(c);
			},
		});
	});
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function countErrors(list) {
	const errors = {};
	for (const c of list) {
		if (!c.open) {
			const why = c.error ?? `closed ${c.closeCode}`;
			errors[why] = (errors[why] ?? 0) + 1;
		}
	}
	return errors;
}

async function open({group, urls, batch = 200, stuck = false, timeout_s = 120}) {
	const started = Date.now();
	const deadline = started + timeout_s * 1000;
	const made = [];
	for (let i = 0; i < urls.length && Date.now() < deadline; i += batch) {
		const slice = urls.slice(i, i + batch);
		made.push(...await Promise.all(slice.map((u) => connect(u, {group, stuck}))));
	}
	const opened = made.filter((c) => c.open);
	clients.push(...opened);
	for (const c of made) {
		if (!c.open) { c.ws.terminate(); }
	}
	return {
		opened: opened.length,
		failed: urls.length - opened.length,
		errors: countErrors(made),
		seconds: (Date.now() - started) / 1000,
	};
}

/** Wait until every client of `list` is closed, at most `ms`. */
async function allClosed(list, ms) {
	const deadline = Date.now() + ms;
	while (list.some((c) => !c.closed) && Date.now() < deadline) { await sleep(20); }
	return list.filter((c) => c.closed).length;
}

async function close({group, keep = 0}) {
	const started = Date.now();
	const members = clients.filter((c) => c.group === group);
	const going = members.slice(keep);
	for (const c of going) { c.ws.terminate(); }
	const closed = await allClosed(going, 30_000);
	const gone = new Set(going);
	const rest = clients.filter((c) => !gone.has(c));
	clients.length = 0;
	clients.push(...rest);
	return {closed, seconds: (Date.now() - started) / 1000};
}

async function measure({seconds}) {
	startWindow();
	await sleep(seconds * 1000);
	return endWindow();
}

/**
 * Connect `rate` clients a second for `seconds`; each reads its snapshot, stays for a random
 * time in `hold_ms`, then leaves: half with a close handshake, half by dropping the TCP
 * connection (a phone losing its signal). The steady clients are measured meanwhile.
 */
async function storm({urls, rate, seconds, hold_ms = [0, 1000]}) {
	const total = Math.round(rate * seconds);
	const handshake = new Samples();
	const one = async (k) => {
		const c = await connect(urls[k % urls.length], {group: 'storm', record: false});
		if (!c.open) { return c; }
		handshake.push(c.openedAt - c.startedAt);
		const hold = hold_ms[0] + Math.random() * (hold_ms[1] - hold_ms[0]);
		await sleep(hold);
		const closed = new Promise((resolve) => {
			c.onClose = resolve;
			if (c.closed) { resolve(); }
		});
		if (k % 2 === 0) { c.ws.close(); } else { c.ws.terminate(); }
		await Promise.race([closed, sleep(10_000)]);
		return c;
	};
	startWindow();
	const started = Date.now();
	const pending = [];
	let launched = 0;
	while (launched < total && Date.now() - started < seconds * 1000 + 5000) {
		const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
		while (launched < due) { pending.push(one(launched++)); }
		await sleep(5);
	}
	const launchedIn = (Date.now() - started) / 1000;
	const done = await Promise.race([Promise.all(pending), sleep(30_000).then(() => null)]);
	const steady = endWindow();
	const made = done ?? [];
	const opened = made.filter((c) => c.open);
	const closed = opened.filter((c) => c.closed);
	const lastClose = Math.max(started, ...closed.map((c) => c.closedAt));
	return {
		storm: {
			attempted: launched,
			opened: opened.length,
			failed: launched - opened.length,
			closed: closed.length,
			got_snapshot: opened.filter((c) => c.frames > 0).length,
			errors: countErrors(made),
			launch_seconds: launchedIn,
			connects_per_s: opened.length / launchedIn,
			disconnects_per_s: closed.length / Math.max(0.001, (lastClose - started) / 1000),
			handshake_ms: handshake.summary(),
			finished: done !== null,
		},
		steady,
	};
}

async function probeStuck({wait_s = 3}) {
	const stuck = clients.filter((c) => c.stuck);
	for (const c of stuck) {
		c.framesAfterResume = 0;
		if (!c.closed) { c.ws.resume(); }
	}
	await allClosed(stuck, wait_s * 1000);
	const report = stuck.map((c) => ({
		dropped: c.closed,
		close_code: c.closeCode,
		error: c.error,
		frames_after_resume: c.framesAfterResume,
	}));
	for (const c of stuck) { c.ws.terminate(); }
	await allClosed(stuck, 5000);
	const rest = clients.filter((c) => !c.stuck);
	clients.length = 0;
	clients.push(...rest);
	return {stuck: report};
}

function status() {
	const groups = {};
	for (const c of clients) {
		const g = groups[c.group] ??= {open: 0, closed: 0, deflate: 0, frames: 0, resyncs: 0,
			gap_frames: 0, bad_frames: 0, unknown_moves: 0, last_bad: null};
		g[c.closed ? 'closed' : 'open'] += 1;
		g.deflate += c.ws?.deflate ? 1 : 0; // the server accepted permessage-deflate
		g.frames += c.frames;
		g.resyncs += c.resyncs;
		g.gap_frames += c.gapFrames;
		g.bad_frames += c.badFrames;
		g.unknown_moves += c.unknownMoves;
		g.last_bad ??= c.lastBad;
	}
	return {groups};
}

const commands = {
	init: async ({tick_ms = 1000, verify: v = false, deflate: d = false}) => {
		tickMs = tick_ms;
		verify = v;
		deflate = d;
		return {ok: true, pid: process.pid};
	},
	open,
	close,
	measure,
	storm,
	window_start: async () => {
		startWindow();
		return {ok: true};
	},
	window_end: async () => endWindow(),
	probe_stuck: probeStuck,
	status: async () => status(),
	quit: async () => ({ok: true}),
};

async function main() {
	const lines = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
	for await (const line of lines) {
		if (!line.trim()) { continue; }
		const msg = JSON.parse(line);
		let reply;
		try {
			const run = commands[msg.cmd];
			if (!run) { throw new Error(`unknown command ${msg.cmd}`); }
			reply = await run(msg);
		} catch (err) {
			reply = {error: String(err?.stack ?? err)};
		}
		process.stdout.write(`${JSON.stringify({cmd: msg.cmd, ...reply})}\n`);
		if (msg.cmd === 'quit') { break; }
	}
	for (const c of clients) { c.ws.terminate(); }
	process.exit(0);
}

main();
