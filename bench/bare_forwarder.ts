/**
 * The physical-limit reference: a bare WAMP forwarder on Bun that does only what routing
 * needs — decode, look up by URI, encode (once per serializer per publication), and write
 * every socket's frames once per event-loop turn (ws.cork for WebSocket, one write for
 * RawSocket). No validation, no authentication, no limits, one realm whatever the HELLO says.
 * bench/run.ts measures every scenario against it and Causeway in the same run; the ratio says
 * how much of the machine's limit the router reaches. Not a router: never expose it.
 *
 *   bun bench/bare_forwarder.ts [--host 127.0.0.1] [--ws-port 0] [--rawsocket-port 0]
 *
 * Prints one JSON line: {"msg":"listening","ws":PORT,"rawsocket":PORT}.
 */
import type { ServerWebSocket, Socket } from "bun";
import { codecByRawsocketId, codecBySubprotocol, concat, type Codec } from "./driver/codec.ts";

type Frame = string | Uint8Array;

interface Sess {
  id: number;
  codec: Codec;
  out: Frame[];
  flush(frames: Frame[]): void;
  regs: Set<Reg>;
  subs: Set<Topic>;
}
interface Reg {
  id: number;
  uri: string;
  match: string;
  callee: Sess;
}
interface Topic {
  id: number;
  subscribers: Set<Sess>;
}
interface Invocation {
  caller: Sess;
  request: number;
}

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};

let nextId = 1;
const exact = new Map<string, Reg>();
const prefixes = new Map<string, Reg>();
const wildcards: Reg[] = [];
/** URI -> registration for pattern lookups; cleared whenever registrations change. */
let resolved = new Map<string, Reg | undefined>();
const invocations = new Map<number, Invocation>();
const topics = new Map<string, Topic>();

// ---- batched output: frames queue per session, flushed once per event-loop turn --------------
const dirty = new Set<Sess>();
let flushScheduled = false;
function flushAll(): void {
  flushScheduled = false;
  for (const s of dirty) {
    const frames = s.out;
    s.out = [];
    s.flush(frames);
  }
  dirty.clear();
}
function send(s: Sess, frame: Frame): void {
  s.out.push(frame);
  dirty.add(s);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAll);
  }
}
const encode = (s: Sess, msg: unknown[]): Frame => (s.codec.binary ? s.codec.encode(msg) : JSON.stringify(msg));

// ---- routing ----------------------------------------------------------------------------------
function lookup(uri: string): Reg | undefined {
  const hit = exact.get(uri);
  if (hit) return hit;
  if (resolved.has(uri)) return resolved.get(uri);
  let found: Reg | undefined;
  // Longest matching prefix first, then the first wildcard whose components match.
  for (let i = uri.length; i > 0 && !found; i--) found = prefixes.get(uri.slice(0, i));
  if (!found) {
    const parts = uri.split(".");
    found = wildcards.find((r) => {
      const p = r.uri.split(".");
      return p.length === parts.length && p.every((c, i) => c === "" || c === parts[i]);
    });
  }
  resolved.set(uri, found);
  return found;
}

function unregister(r: Reg): void {
  if (r.match === "prefix") prefixes.delete(r.uri);
  else if (r.match === "wildcard") wildcards.splice(wildcards.indexOf(r), 1);
  else exact.delete(r.uri);
  resolved = new Map();
}

function onMessage(s: Sess, m: any[]): void {
  switch (m[0]) {
    case 1: // HELLO
      return send(s, encode(s, [2, s.id, { authid: `anon-${s.id}`, authrole: "anonymous", authmethod: "anonymous", roles: { broker: { features: {} }, dealer: { features: { progressive_call_results: true, pattern_based_registration: true } } } }]));
    case 6: // GOODBYE
      return send(s, encode(s, [6, {}, "wamp.close.goodbye_and_out"]));
    case 64: { // REGISTER [64, req, options, procedure]
      const match = m[2]?.match ?? "exact";
      const r: Reg = { id: nextId++, uri: m[3], match, callee: s };
      if (match === "prefix") prefixes.set(r.uri, r);
      else if (match === "wildcard") wildcards.push(r);
      else exact.set(r.uri, r);
      resolved = new Map();
      s.regs.add(r);
      return send(s, encode(s, [65, m[1], r.id]));
    }
    case 48: { // CALL [48, req, options, procedure, args?, kwargs?]
      const r = lookup(m[3]);
      if (!r) return send(s, encode(s, [8, 48, m[1], {}, "wamp.error.no_such_procedure"]));
      const id = nextId++;
      invocations.set(id, { caller: s, request: m[1] });
      const details: Record<string, unknown> = m[2]?.receive_progress ? { receive_progress: true } : {};
      if (r.match !== "exact") details.procedure = m[3];
      const inv: unknown[] = [68, id, r.id, details];
      if (m.length > 4) inv.push(...m.slice(4));
      return send(r.callee, encode(r.callee, inv));
    }
    case 70: { // YIELD [70, invocation, options, args?, kwargs?]
      const inv = invocations.get(m[1]);
      if (!inv) return;
      const progress = m[2]?.progress === true;
      if (!progress) invocations.delete(m[1]);
      const res: unknown[] = [50, inv.request, progress ? { progress: true } : {}];
      if (m.length > 3) res.push(...m.slice(3));
      return send(inv.caller, encode(inv.caller, res));
    }
    case 8: { // ERROR [8, 68, invocation, details, error, args?, kwargs?] from a callee
      const inv = m[1] === 68 ? invocations.get(m[2]) : undefined;
      if (!inv) return;
      invocations.delete(m[2]);
      return send(inv.caller, encode(inv.caller, [8, 48, inv.request, ...m.slice(3)]));
    }
    case 32: { // SUBSCRIBE [32, req, options, topic]
      let t = topics.get(m[3]);
      if (!t) topics.set(m[3], (t = { id: nextId++, subscribers: new Set() }));
      t.subscribers.add(s);
      s.subs.add(t);
      return send(s, encode(s, [33, m[1], t.id]));
    }
    case 16: { // PUBLISH [16, req, options, topic, args?, kwargs?]
      const t = topics.get(m[3]);
      const pub = nextId++;
      if (t) {
        const ev: unknown[] = [36, t.id, pub, {}];
        if (m.length > 4) ev.push(...m.slice(4));
        // Encoded once per serializer, the same frame to every subscriber.
        let jsonFrame: Frame | undefined;
        const binary = new Map<Codec, Frame>();
        for (const sub of t.subscribers) {
          if (sub === s) continue; // exclude_me defaults to true
          let f: Frame | undefined;
          if (!sub.codec.binary) f = jsonFrame ??= JSON.stringify(ev);
          else if (!(f = binary.get(sub.codec))) binary.set(sub.codec, (f = sub.codec.encode(ev)));
          send(sub, f);
        }
      }
      if (m[2]?.acknowledge) send(s, encode(s, [17, m[1], pub]));
      return;
    }
  }
}

function closed(s: Sess): void {
  for (const r of s.regs) unregister(r);
  for (const t of s.subs) t.subscribers.delete(s);
  dirty.delete(s);
}

function newSession(codec: Codec, flush: (frames: Frame[]) => void): Sess {
  return { id: nextId++, codec, out: [], flush, regs: new Set(), subs: new Set() };
}

// ---- WebSocket --------------------------------------------------------------------------------
const host = arg("host", "127.0.0.1");
const ws = Bun.serve<{ codec: Codec; sess?: Sess }, never>({
  hostname: host,
  port: Number(arg("ws-port", "0")),
  fetch(req, server) {
    const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
    const codec = offered.map(codecBySubprotocol).find(Boolean);
    if (!codec) return new Response("no WAMP subprotocol\n", { status: 400 });
    if (server.upgrade(req, { headers: { "Sec-WebSocket-Protocol": codec.subprotocol }, data: { codec } })) return undefined;
    return new Response("upgrade failed\n", { status: 400 });
  },
  websocket: {
    perMessageDeflate: false,
    open(w: ServerWebSocket<{ codec: Codec; sess?: Sess }>) {
      w.data.sess = newSession(w.data.codec, (frames) =>
        w.cork(() => {
          for (const f of frames) typeof f === "string" ? w.sendText(f) : w.sendBinary(f);
        }));
    },
    message(w, data) {
      const s = w.data.sess!;
      onMessage(s, typeof data === "string" ? JSON.parse(data) : s.codec.decode(data as Uint8Array) as any[]);
    },
    close(w) {
      closed(w.data.sess!);
    },
  },
});

// ---- RawSocket --------------------------------------------------------------------------------
interface Raw {
  sess?: Sess;
  buf: Uint8Array;
  backlog?: Uint8Array;
}
const utf8 = new TextEncoder();
const text = new TextDecoder();
function rawWrite(sock: Socket<Raw>, bytes: Uint8Array): void {
  if (sock.data.backlog) {
    sock.data.backlog = concat([sock.data.backlog, bytes]);
    return;
  }
  const n = sock.write(bytes);
  if (n < bytes.length) sock.data.backlog = bytes.subarray(Math.max(0, n));
}
const raw = Bun.listen<Raw>({
  hostname: host,
  port: Number(arg("rawsocket-port", "0")),
  socket: {
    open(sock) {
      sock.data = { buf: new Uint8Array(0) };
      sock.setNoDelay?.(true);
    },
    data(sock, chunk) {
      const st = sock.data;
      let buf = st.buf.length ? concat([st.buf, chunk]) : chunk;
      let at = 0;
      if (!st.sess) {
        if (buf.length < 4) return void (st.buf = buf.slice());
        const codec = codecByRawsocketId(buf[1] & 0x0f);
        if (buf[0] !== 0x7f || !codec) {
          sock.write(Uint8Array.of(0x7f, 0x10, 0, 0));
          return void sock.end();
        }
        sock.write(Uint8Array.of(0x7f, 0xf0 | codec.rawsocketId, 0, 0));
        st.sess = newSession(codec, (frames) => {
          const parts: Uint8Array[] = [];
          for (const f of frames) {
            const p = typeof f === "string" ? utf8.encode(f) : f;
            parts.push(Uint8Array.of(0, (p.length >>> 16) & 0xff, (p.length >>> 8) & 0xff, p.length & 0xff), p);
          }
          rawWrite(sock, concat(parts));
        });
        at = 4;
      }
      const s = st.sess;
      while (buf.length - at >= 4) {
        const len = ((buf[at] & 0x08) << 21) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
        if (buf.length - at - 4 < len) break;
        const type = buf[at] & 0x07;
        const payload = buf.subarray(at + 4, at + 4 + len);
        at += 4 + len;
        if (type === 0) onMessage(s, s.codec.binary ? s.codec.decode(payload) as any[] : JSON.parse(text.decode(payload)));
        else if (type === 1) rawWrite(sock, concat([Uint8Array.of(2, buf[at - len - 3], buf[at - len - 2], buf[at - len - 1]), payload]));
      }
      st.buf = at === buf.length ? new Uint8Array(0) : buf.slice(at);
    },
    drain(sock) {
      const b = sock.data.backlog;
      sock.data.backlog = undefined;
      if (b) rawWrite(sock, b);
    },
    close(sock) {
      if (sock.data.sess) closed(sock.data.sess);
    },
  },
});

console.log(JSON.stringify({ msg: "listening", ws: ws.port, rawsocket: raw.port }));
process.on("SIGTERM", () => process.exit(0));
