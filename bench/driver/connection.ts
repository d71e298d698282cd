/**
 * The driver's client transports over one TCP socket (Bun.connect): a minimal WebSocket client
 * (RFC 6455, client frames masked with an all-zero key so the payload is copied as is) and a
 * RawSocket client. Both batch writes: every frame sent during one turn of the event loop goes
 * out in one socket write, flushed from a microtask, so the load generator spends its CPU on
 * WAMP and not on syscalls (the same lever the router and the bare forwarder use).
 */
import type { Socket } from "bun";
import { concat, type Codec } from "./codec.ts";

export type TransportName = "websocket" | "rawsocket";
export const TRANSPORTS: readonly TransportName[] = ["websocket", "rawsocket"];

export interface Endpoint {
  host: string;
  /** WebSocket port and path (path like "/ws"). */
  wsPort: number;
  wsPath: string;
  rawsocketPort: number;
}

export interface Connection {
  /** Queues one WAMP message payload; written with everything else queued this turn. */
  send(payload: Uint8Array): void;
  onFrame: (payload: Uint8Array) => void;
  onClose: (reason: string) => void;
  close(): void;
}

interface State {
  socket?: Socket<undefined>;
  parse: (chunk: Uint8Array) => void;
  onDrain?: () => void;
  onClosed?: (why: string) => void;
}

const enc = new TextEncoder();

/** Connects and completes the transport handshake (HTTP upgrade or RawSocket octets). */
export async function connect(endpoint: Endpoint, transport: TransportName, codec: Codec): Promise<Connection> {
  const port = transport === "websocket" ? endpoint.wsPort : endpoint.rawsocketPort;
  const state: State = { parse: () => {} };
  const socket = await Bun.connect<undefined>({
    hostname: endpoint.host,
    port,
    socket: {
      data: (_s, chunk) => state.parse(chunk),
      drain: () => state.onDrain?.(),
      close: () => state.onClosed?.("socket closed"),
      error: (_s, err) => state.onClosed?.(`socket error: ${err.message}`),
    },
  });
  socket.setNoDelay?.(true);
  state.socket = socket;
  const { framer, rest } = transport === "websocket" ? await wsHandshake(state, endpoint, codec) : await rawHandshake(state, codec);
  const conn = createConnection(state, framer);
  // Bytes that arrived with the handshake reply: parsed once the caller has set onFrame.
  if (rest.length) setTimeout(() => state.parse(rest), 0);
  return conn;
}

interface Framer {
  /** Wire bytes for one message payload. */
  frame(payload: Uint8Array): Uint8Array[];
  /** Feeds received bytes; calls deliver for each complete message, control for pings. */
  feed(chunk: Uint8Array, deliver: (p: Uint8Array) => void, reply: (bytes: Uint8Array) => void, closed: (why: string) => void): void;
}

interface Handshaken {
  framer: Framer;
  rest: Uint8Array;
}

function createConnection(state: State, framer: Framer): Connection {
  const socket = state.socket!;
  let queue: Uint8Array[] = [];
  let scheduled = false;
  let backlog: Uint8Array | undefined;
  let open = true;
  const write = (buf: Uint8Array) => {
    if (backlog) {
      backlog = concat([backlog, buf]);
      return;
    }
    const n = socket.write(buf);
    if (n < buf.length) backlog = buf.subarray(Math.max(0, n));
  };
  const flush = () => {
    scheduled = false;
    if (!open || !queue.length) return;
    const parts = queue;
    queue = [];
    write(concat(parts));
  };
  state.onDrain = () => {
    if (!backlog) return;
    const b = backlog;
    backlog = undefined;
    write(b);
  };
  const conn: Connection = {
    send(payload) {
      for (const part of framer.frame(payload)) queue.push(part);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    },
    onFrame: () => {},
    onClose: () => {},
    close() {
      if (!open) return;
      flush();
      open = false;
      socket.end();
    },
  };
  const closed = (why: string) => {
    open = false;
    conn.onClose(why);
  };
  state.onClosed = closed;
  state.parse = (chunk) => framer.feed(chunk, (p) => conn.onFrame(p), (b) => write(b), closed);
  return conn;
}

/** Resolves with the bytes that followed the handshake reply once `done(buffered)` says how many bytes it used. */
function readHandshake(state: State, done: (buf: Uint8Array) => number | undefined): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let buf = new Uint8Array(0);
    state.onClosed = (why) => reject(new Error(`connection closed during the handshake (${why})`));
    state.parse = (chunk) => {
      buf = concat([buf, chunk]);
      try {
        const used = done(buf);
        if (used !== undefined) resolve(buf.subarray(used));
      } catch (err) {
        reject(err);
      }
    };
  });
}

async function wsHandshake(state: State, ep: Endpoint, codec: Codec): Promise<Handshaken> {
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const reply = readHandshake(state, (buf) => {
    const end = Buffer.from(buf).indexOf("\r\n\r\n");
    if (end < 0) return undefined;
    const head = new TextDecoder().decode(buf.subarray(0, end));
    if (!/^HTTP\/1\.1 101/.test(head)) throw new Error(`WebSocket upgrade refused: ${head.split("\r\n")[0]}`);
    if (!head.toLowerCase().includes(`sec-websocket-protocol: ${codec.subprotocol}`)) throw new Error(`server did not accept ${codec.subprotocol}`);
    return end + 4;
  });
  state.socket!.write(enc.encode(
    `GET ${ep.wsPath} HTTP/1.1\r\nHost: ${ep.host}:${ep.wsPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${codec.subprotocol}\r\n\r\n`,
  ));
  return { framer: wsFramer(codec.binary ? 0x2 : 0x1), rest: await reply };
}

function wsHeader(opcode: number, len: number): Uint8Array {
  // FIN + opcode; MASK bit + length; then the 4-byte masking key, all zero (XOR leaves the payload as is).
  if (len < 126) return Uint8Array.of(0x80 | opcode, 0x80 | len, 0, 0, 0, 0);
  if (len < 65536) return Uint8Array.of(0x80 | opcode, 0x80 | 126, len >>> 8, len & 0xff, 0, 0, 0, 0);
  const h = new Uint8Array(14);
  h[0] = 0x80 | opcode;
  h[1] = 0x80 | 127;
  new DataView(h.buffer).setBigUint64(2, BigInt(len));
  return h;
}

function wsFramer(dataOpcode: number): Framer {
  let buf: Uint8Array = new Uint8Array(0);
  let fragments: Uint8Array[] = [];
  return {
    frame: (payload) => [wsHeader(dataOpcode, payload.length), payload],
    feed(chunk, deliver, reply, closed) {
      buf = buf.length ? concat([buf, chunk]) : chunk;
      let at = 0;
      while (buf.length - at >= 2) {
        const b0 = buf[at];
        let len = buf[at + 1] & 0x7f;
        let off = at + 2;
        if (len === 126) {
          if (buf.length - at < 4) break;
          len = (buf[at + 2] << 8) | buf[at + 3];
          off = at + 4;
        } else if (len === 127) {
          if (buf.length - at < 10) break;
          len = Number(new DataView(buf.buffer, buf.byteOffset + at + 2, 8).getBigUint64(0));
          off = at + 10;
        }
        if (buf[at + 1] & 0x80) off += 4; // servers do not mask; skip a key if one came anyway
        if (buf.length < off + len) break;
        const payload = buf.subarray(off, off + len);
        at = off + len;
        const opcode = b0 & 0x0f;
        if (opcode === 0x8) return closed("websocket close frame");
        if (opcode === 0x9) reply(concat([wsHeader(0xa, payload.length), payload]));
        else if (opcode === 0xa) continue;
        else if (!(b0 & 0x80)) fragments.push(payload.slice());
        else if (fragments.length) {
          fragments.push(payload);
          const whole = concat(fragments);
          fragments = [];
          deliver(whole);
        } else deliver(payload);
      }
      buf = at === buf.length ? new Uint8Array(0) : buf.slice(at);
    },
  };
}

async function rawHandshake(state: State, codec: Codec): Promise<Handshaken> {
  const reply = readHandshake(state, (buf) => {
    if (buf.length < 4) return undefined;
    if (buf[0] !== 0x7f) throw new Error("RawSocket: bad handshake reply (no magic octet)");
    if ((buf[1] & 0x0f) === 0) throw new Error(`RawSocket handshake refused (error ${buf[1] >> 4})`);
    return 4;
  });
  // Length exponent 15: we accept messages up to 16 MiB.
  state.socket!.write(Uint8Array.of(0x7f, (15 << 4) | codec.rawsocketId, 0, 0));
  return { framer: rawFramer(), rest: await reply };
}

function rawFramer(): Framer {
  let buf: Uint8Array = new Uint8Array(0);
  return {
    frame: (payload) => {
      const len = payload.length;
      return [Uint8Array.of(0, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff), payload];
    },
    feed(chunk, deliver, reply) {
      buf = buf.length ? concat([buf, chunk]) : chunk;
      let at = 0;
      while (buf.length - at >= 4) {
        const type = buf[at] & 0x07;
        const len = ((buf[at] & 0x08) << 21) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
        if (buf.length - at - 4 < len) break;
        const payload = buf.subarray(at + 4, at + 4 + len);
        at += 4 + len;
        if (type === 0) deliver(payload);
        else if (type === 1) reply(concat([Uint8Array.of(2, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff), payload]));
      }
      buf = at === buf.length ? new Uint8Array(0) : buf.slice(at);
    },
  };
}
