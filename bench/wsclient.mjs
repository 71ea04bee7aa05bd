/**
 * A minimal WebSocket client (RFC 6455) for the load generator: cheap enough per frame that
 * 10,000 of them in one Node process cost far less than the server they measure.
 *
 * It reads with `net`'s `onread` into one buffer shared by every socket (no allocation per
 * read) and never copies a payload: of each message it keeps only the first `HEAD` bytes
 * (where `type` and `ts` are) and the length. With `keep: true` it also keeps whole
 * payloads (for checks in tests). It answers pings, takes part in the close handshake, and
 * can pause its socket (a client that stops reading).
 *
 * With `deflate: true` it offers permessage-deflate (RFC 7692), as browsers do. It still reads
 * only the first bytes of a compressed message as they come: bustrack sends a frame's head
 * (`type`, `ts`) as a stored block, readable without inflating (docs/protocol.md); with `keep`
 * it inflates each whole message on its own, which also checks that no message refers to an
 * earlier one (true of bustrack's frames; a server using context takeover would fail it).
 *
 * Not a general client: no TLS, no sending of data frames.
 */

import crypto from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';

export const HEAD = 96;
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const shared = Buffer.allocUnsafe(256 * 1024); // every socket reads into this, one at a time

const DEFLATE_TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

const OP_CONT = 0;
const OP_CLOSE = 8;
const OP_PING = 9;
const OP_PONG = 10;

export class WsClient {
	/**
	 * Connect to `url` (ws://host:port/path?query).
	 * @param {string} url
	 * @param {object} handlers
	 * @param {() => void} [handlers.onOpen]
	 * @param {(head: Buffer, length: number, payload: Buffer|null) => void} [handlers.onMessage]
	 * @param {(code: number|null, error: string|null) => void} [handlers.onClose]
	 * @param {boolean} [handlers.keep] keep whole payloads (passed to onMessage)
	 * @param {boolean} [handlers.deflate] offer permessage-deflate
	 * @param {number} [handlers.handshakeMs]
	 */
	constructor(url, {onOpen, onMessage, onClose, keep = false, deflate = false, handshakeMs = 30_000} = {}) {
		const u = new URL(url);
		this.onOpen = onOpen;
		this.onMessage = onMessage;
		this.onClose = onClose;
		this.keep = keep;
		this.offerDeflate = deflate;
		this.deflate = false; // the server accepted it
		this.open = false;
		this.closed = false;
		this.closeCode = null;
		this.error = null;
		this._key = crypto.randomBytes(16).toString('base64');
		this._handshake = '';
		this._closing = false;
		// Frame parser state.
		this._hdr = Buffer.alloc(14);
		this._hdrLen = 0;
		this._inFrame = false;
		this._need = 0;
		this._opcode = 0;
		this._fin = false;
		this._compressed = false; // the current message (RSV1 on its first frame)
		this._msgHead = Buffer.alloc(HEAD);
		this._msgHeadLen = 0;
		this._msgLen = 0;
		this._parts = null;
		this._ctrl = Buffer.alloc(125);
		this._ctrlLen = 0;
		this._timer = setTimeout(() => this._fail('handshake timeout'), handshakeMs);
		this.socket = net.connect({
			host: u.hostname,
			port: Number(u.port || 80),
			onread: {buffer: shared, callback: (n, buf) => this._read(buf, n)},
		});
		this.socket.setNoDelay(true);
		this.socket.on('connect', () => {
			this.socket.write(
				`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
				'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
				`Sec-WebSocket-Key: ${this._key}\r\nSec-WebSocket-Version: 13\r\n` +
				(this.offerDeflate ? 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n' : '') +
				'\r\n');
		});
		this.socket.on('error', (err) => { this.error ??= err.code || err.message; });
		this.socket.on('close', () => this._closed());
	}

	/** Stop reading: the kernel buffers fill and the server sees a client that is stuck. */
	pause() {
		this.socket.pause();
	}

	/** Read again after `pause()`. */
	resume() {
		this.socket.resume();
	}

	/** Start the close handshake (code 1000); the server answers and closes the TCP connection. */
	close(code = 1000) {
		if (this.closed || this._closing) { return; }
		this._closing = true;
		const body = Buffer.alloc(2);
		body.writeUInt16BE(code);
		this._send(OP_CLOSE, body);
		setTimeout(() => this.terminate(), 5000).unref();
	}

	/** Drop the TCP connection at once (a phone losing its signal). */
	terminate() {
		this.socket.destroy();
	}

	_fail(why) {
		this.error ??= why;
		this.socket.destroy();
	}

	_closed() {
		clearTimeout(this._timer);
		if (this.closed) { return; }
		this.closed = true;
		this.onClose?.(this.closeCode, this.error);
	}

	_send(opcode, payload) {
		if (this.socket.destroyed) { return; }
		const mask = crypto.randomBytes(4);
		const frame = Buffer.alloc(6 + payload.length);
		frame[0] = 0x80 | opcode;
		frame[1] = 0x80 | payload.length; // control frames only: at most 125 bytes
		mask.copy(frame, 2);
		for (let i = 0; i < payload.length; i++) { frame[6 + i] = payload[i] ^ mask[i & 3]; }
		this.socket.write(frame);
	}

	_read(buf, n) {
		if (this.open) {
			this._frames(buf, 0, n);
			return;
		}
		this._handshake += buf.toString('latin1', 0, n);
		const end = this._handshake.indexOf('\r\n\r\n');
		if (end < 0) {
			if (this._handshake.length > 16384) { this._fail('handshake too long'); }
			return;
		}
		const head = this._handshake.slice(0, end);
		const status = head.slice(0, head.indexOf('\r\n'));
		const accept = crypto.createHash('sha1').update(this._key + GUID).digest('base64');
		if (!/^HTTP\/1\.1 101 /.test(status)) {
			this._fail(`handshake: ${status}`);
			return;
		}
		if (!head.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
			this._fail('handshake: bad Sec-WebSocket-Accept');
			return;
		}
		clearTimeout(this._timer);
		this.deflate = this.offerDeflate && /^sec-websocket-extensions:.*permessage-deflate/im.test(head);
		this.open = true;
		const rest = Buffer.from(this._handshake.slice(end + 4), 'latin1');
		this._handshake = '';
		this.onOpen?.();
		if (rest.length) { this._frames(rest, 0, rest.length); }
	}

	_frames(buf, off, end) {
		while (off < end) {
			if (!this._inFrame) {
				off = this._header(buf, off, end);
				continue;
			}
			const take = Math.min(this._need, end - off);
			if (this._opcode >= OP_CLOSE) {
				buf.copy(this._ctrl, this._ctrlLen, off, off + take);
				this._ctrlLen += take;
			} else {
				if (this._msgHeadLen < HEAD) {
					const k = Math.min(HEAD - this._msgHeadLen, take);
					buf.copy(this._msgHead, this._msgHeadLen, off, off + k);
					this._msgHeadLen += k;
				}
				if (this._parts) { this._parts.push(Buffer.from(buf.subarray(off, off + take))); }
				this._msgLen += take;
			}
			off += take;
			this._need -= take;
			if (this._need === 0) { this._frameDone(); }
		}
	}

	/** Gather a frame header (it may arrive in pieces); return the new offset. */
	_header(buf, off, end) {
		const h = this._hdr;
		while (this._hdrLen < 2 && off < end) { h[this._hdrLen++] = buf[off++]; }
		if (this._hdrLen < 2) { return off; }
		const len7 = h[1] & 0x7f;
		const size = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (h[1] & 0x80 ? 4 : 0);
		while (this._hdrLen < size && off < end) { h[this._hdrLen++] = buf[off++]; }
		if (this._hdrLen < size) { return off; }
		let length = len7;
		if (len7 === 126) { length = h.readUInt16BE(2); }
		if (len7 === 127) { length = Number(h.readBigUInt64BE(2)); }
		this._fin = (h[0] & 0x80) !== 0;
		const opcode = h[0] & 0x0f;
		this._hdrLen = 0;
		this._inFrame = true;
		this._need = length;
		if (opcode >= OP_CLOSE) {
			this._opcode = opcode;
			this._ctrlLen = 0;
		} else {
			if (opcode !== OP_CONT) { // a new message
				this._msgHeadLen = 0;
				this._msgLen = 0;
				this._compressed = this.deflate && (h[0] & 0x40) !== 0;
				this._parts = this.keep ? [] : null;
			}
			this._opcode = OP_CONT;
		}
		if (length === 0) { this._frameDone(); }
		return off;
	}

	_frameDone() {
		this._inFrame = false;
		const op = this._opcode;
		if (op === OP_PING) {
			this._send(OP_PONG, Buffer.from(this._ctrl.subarray(0, this._ctrlLen)));
		} else if (op === OP_CLOSE) {
			this.closeCode = this._ctrlLen >= 2 ? this._ctrl.readUInt16BE(0) : 1005;
			if (!this._closing) {
				this._closing = true;
				this._send(OP_CLOSE, Buffer.from(this._ctrl.subarray(0, Math.min(2, this._ctrlLen))));
			}
			this.socket.end();
		} else if (op === OP_PONG) {
			// nothing asked for it
		} else if (this._fin) {
			let payload = this._parts ? Buffer.concat(this._parts) : null;
			this._parts = null;
			if (payload && this._compressed) {
				payload = zlib.inflateRawSync(Buffer.concat([payload, DEFLATE_TRAILER]),
					{finishFlush: zlib.constants.Z_SYNC_FLUSH}); // a message has no final block
			}
			this.onMessage?.(this._msgHead.subarray(0, this._msgHeadLen), this._msgLen, payload);
		}
	}
}
