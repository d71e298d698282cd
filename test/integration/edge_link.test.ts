import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, defaultConfig } from "../../src/config.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import {
  acceptRawSocket, connectEdgeLink, connectWebSocket, type EdgeLinkClient, EdgeLinkError, EDGE_SUBPROTOCOL,
} from "../../src/transport/mod.ts";
import { decodeLinkFrame, encodeJsonFrame, encodeLinkFrame, LinkFrameType } from "../../src/transport/edge_link_frames.ts";
import { encodeFrame, FrameReader, FrameType } from "../../src/transport/rawsocket_framing.ts";
import { createLogger } from "../../src/util/log.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Dict, Event, Invocation, Result } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import type { Serializer } from "../../src/wamp/serializer.ts";
import { jsonSerializer, msgpackSerializer } from "../../src/wamp/serializers/mod.ts";
import { MessageClient } from "../_harness/message_client.ts";

/**
 * Edge links against a real router (in-process, real sockets on port 0): each channel of a link
 * is a WAMP session on the core, over both carriers (WebSocket and RawSocket/TCP) and with json
 * and msgpack on the channels. Plain WAMP clients on the same core observe the edge sessions.
 */
const fixtures = join(import.meta.dirname ?? ".", "../runtime/_fixtures");

interface Core {
  server: RunningServer;
  wsUrl: string;
  tcpUrl: string;
  logs: Record<string, unknown>[];
}

let runtime: Runtime;
let core: Core;

async function startCore(adjust: (cfg: Config) => void = () => {}): Promise<Core> {
  const cfg = defaultConfig();
  cfg.node = "core-test";
  cfg.listeners = cfg.listeners.map((l) => ({ ...l, host: "127.0.0.1", port: 0, edge: true }));
  cfg.store = { dataDir: ":memory:" };
  adjust(cfg);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: "info", format: "json", write: (l) => logs.push(JSON.parse(l)) });
  const server = await startServer(cfg, { runtime, logger });
  const ws = server.listeners.find((l) => l.transport === "websocket")!;
  const raw = server.listeners.find((l) => l.transport === "rawsocket")!;
  const rawTls = cfg.listeners.find((l) => l.name === raw.name)!.tls !== undefined;
  return { server, wsUrl: ws.url!, tcpUrl: `${rawTls ? "tls" : "tcp"}://127.0.0.1:${raw.port}`, logs };
}

beforeAll(async () => {
  runtime = await detectRuntime();
  core = await startCore();
});

afterAll(async () => {
  await core?.server.stop();
});

const carriers: [string, () => string][] = [["ws", () => core.wsUrl], ["tcp", () => core.tcpUrl]];

function link(url: string, serializer: Serializer = jsonSerializer, extra: Dict = {}): Promise<EdgeLinkClient> {
  return connectEdgeLink({ url, node: "edge-test", serializer, connectTcp: runtime.connectTcp, ...extra });
}

async function channelSession(l: EdgeLinkClient, realm = "realm1"): Promise<MessageClient> {
  const c = new MessageClient(l.openChannel());
  const w = await c.join(realm);
  expect(w.type).toBe(T.WELCOME);
  return c;
}

/** A plain WebSocket WAMP client on the core (an observer). */
async function plainSession(): Promise<MessageClient> {
  const c = new MessageClient(await connectWebSocket(core.wsUrl, jsonSerializer));
  expect((await c.join("realm1")).type).toBe(T.WELCOME);
  return c;
}

function closed(l: EdgeLinkClient): Promise<string> {
  return new Promise((resolve) => (l.onClose = resolve));
}

/** Resolves with the session ids of the next `n` wamp.session.on_leave events `observer` sees. */
async function watchLeaves(observer: MessageClient): Promise<(ids: number[]) => Promise<void>> {
  await observer.subscribe("wamp.session.on_leave");
  return async (ids) => {
    const left = new Set<number>();
    while (!ids.every((id) => left.has(id))) {
      const ev = await observer.nextOfType<Event>(T.EVENT, 3000);
      left.add(ev.args![0] as number);
    }
  };
}

let n = 0;
const uniq = (base: string) => `${base}.${++n}`;

for (const [carrier, url] of carriers) {
  for (const s of [jsonSerializer, msgpackSerializer]) {
    describe(`edge link over ${carrier} × ${s.name}`, () => {
      test("channel sessions join the core; RPC and pub/sub between them and a plain client", async () => {
        const l = await link(url(), s);
        expect(l.remoteNode).toBe("core-test");
        const callee = await channelSession(l);
        const caller = await channelSession(l);
        const proc = uniq("com.example.edge.add");
        await callee.register(proc);
        const req = caller.call(proc, [2, 3], { text: "grüße ✓" });
        const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
        expect(inv.args).toEqual([2, 3]);
        expect(inv.kwargs).toEqual({ text: "grüße ✓" });
        callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [5] });
        expect(await caller.replyTo(req)).toMatchObject({ type: T.RESULT, args: [5] });

        // A plain client calls the edge callee and receives an edge publication.
        const plain = await plainSession();
        const topic = uniq("com.example.edge.news");
        await plain.subscribe(topic);
        const r2 = plain.call(proc, [1, 1]);
        const inv2 = await callee.nextOfType<Invocation>(T.INVOCATION);
        callee.send({ type: T.YIELD, request: inv2.request, options: {}, args: [2] });
        expect(await plain.replyTo(r2)).toMatchObject({ type: T.RESULT, args: [2] });
        caller.send({ type: T.PUBLISH, request: caller.request(), options: {}, topic, args: [{ n: 1, bin: "x" }] });
        expect((await plain.nextOfType<Event>(T.EVENT)).args).toEqual([{ n: 1, bin: "x" }]);

        const done = closed(l);
        l.close("test over");
        expect(typeof await done).toBe("string");
        plain.peer.close();
      });
    });
  }
}

describe("edge link sessions on the core", () => {
  test("the meta API shows a channel session with transport type edge and the link's remote address", async () => {
    const l = await link(core.tcpUrl, msgpackSerializer);
    const edgeSession = await channelSession(l);
    const plain = await plainSession();
    const req = plain.call("wamp.session.get", [edgeSession.session]);
    const res = await plain.replyTo(req) as Result;
    expect(res.type).toBe(T.RESULT);
    expect((res.args![0] as Dict).transport).toMatchObject({ type: "edge", serializer: "msgpack", remote_address: "127.0.0.1" });
    l.close();
    plain.peer.close();
  });

  for (const [carrier, url] of carriers) {
    test(`many channels on one ${carrier} link: 24 sessions, each receives its own calls`, async () => {
      const l = await link(url());
      const sessions = await Promise.all(Array.from({ length: 24 }, () => channelSession(l)));
      expect(new Set(sessions.map((c) => c.session)).size).toBe(24);
      const base = uniq("com.example.edge.many");
      await Promise.all(sessions.map((c, i) => c.register(`${base}.${i}`)));
      const plain = await plainSession();
      const reqs = sessions.map((_, i) => plain.call(`${base}.${i}`, [i]));
      await Promise.all(sessions.map(async (c, i) => {
        const inv = await c.nextOfType<Invocation>(T.INVOCATION);
        expect(inv.args).toEqual([i]);
        c.send({ type: T.YIELD, request: inv.request, options: {}, args: [i * 10] });
      }));
      for (let i = 0; i < reqs.length; i++) expect(await plain.replyTo(reqs[i])).toMatchObject({ type: T.RESULT, args: [i * 10] });
      l.close();
      plain.peer.close();
    });

    test(`closing one channel ends only that session (${carrier})`, async () => {
      const l = await link(url());
      const a = await channelSession(l);
      const b = await channelSession(l);
      const observer = await plainSession();
      const left = await watchLeaves(observer);
      a.peer.close(1000, "done with a");
      await left([a.session!]);
      await a.waitClosed();
      // b still works over the same link.
      const r = b.call("wamp.session.count");
      expect(await b.replyTo(r)).toMatchObject({ type: T.RESULT });
      expect(b.closed).toBe(false);
      l.close();
      observer.peer.close();
    });

    test(`closing the link ends all its sessions on the core (${carrier})`, async () => {
      const l = await link(url());
      const sessions = await Promise.all([1, 2, 3].map(() => channelSession(l)));
      const observer = await plainSession();
      const left = await watchLeaves(observer);
      const done = closed(l);
      l.close("edge shutting down");
      await left(sessions.map((c) => c.session!));
      expect(await done).toBe("edge shutting down");
      for (const c of sessions) expect(c.closed).toBe(true);
      observer.peer.close();
    });

    test(`a 1 MiB argument crosses the link both ways (${carrier})`, async () => {
      const l = await link(url(), msgpackSerializer);
      const callee = await channelSession(l);
      const plain = await plainSession();
      const proc = uniq("com.example.edge.big");
      await callee.register(proc);
      const big = "ü".repeat(512 * 1024);
      const req = plain.call(proc, [big]);
      const inv = await callee.nextOfType<Invocation>(T.INVOCATION, 5000);
      expect(inv.args![0]).toBe(big);
      callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [big.length, big] });
      const res = await plain.replyTo(req, 5000) as Result;
      expect(res.args).toEqual([big.length, big]);
      l.close();
      plain.peer.close();
    });

    test(`ping measures the round trip over the real link (${carrier})`, async () => {
      const l = await link(url());
      const before = l.lastReceivedAt;
      const rtt = await l.ping(3000);
      expect(rtt).toBeGreaterThanOrEqual(0);
      expect(l.lastReceivedAt).toBeGreaterThanOrEqual(before);
      l.close();
    });

    test(`terminate() drops the link at once; the core notices and ends its sessions (${carrier})`, async () => {
      const l = await link(url());
      const sessions = await Promise.all([1, 2].map(() => channelSession(l)));
      const observer = await plainSession();
      const left = await watchLeaves(observer);
      let reason = "";
      l.onClose = (r) => (reason = r);
      l.terminate();
      expect(reason).toBe("link terminated");
      for (const c of sessions) expect(c.closed).toBe(true);
      await left(sessions.map((c) => c.session!));
      observer.peer.close();
    });
  }
});

describe("edge link refusals", () => {
  test("a link speaking another version gets LINK_ABORT version_mismatch over TCP; the core logs both versions", async () => {
    const port = Number(new URL(core.tcpUrl).port);
    const ch = await runtime.connectTcp({ host: "127.0.0.1", port });
    const frames: ReturnType<typeof decodeLinkFrame>[] = [];
    let handshake: Uint8Array | undefined;
    const reader = new FrameReader(1 << 24, (type, payload) => {
      if (type === FrameType.MESSAGE) frames.push(decodeLinkFrame(payload.slice()));
    }, () => {});
    const gone = new Promise<void>((resolve) => (ch.onClose = () => resolve()));
    ch.onData = (chunk) => {
      if (!handshake) {
        handshake = chunk.slice(0, 4);
        chunk = chunk.subarray(4);
      }
      reader.feed(chunk);
    };
    ch.write(Uint8Array.of(0x7f, 0xf0 | 15, 0, 0));
    ch.write(encodeFrame(FrameType.MESSAGE, encodeJsonFrame(LinkFrameType.LINK_HELLO, 0, {
      protocol: "causeway-edge", version: 2, node: "future-edge", serializer: "json", maxMessageSize: 65536,
    })));
    await gone;
    expect([...handshake!]).toEqual([0x7f, (handshake![1] & 0xf0) | 15, 0, 0]);
    expect(frames.length).toBe(1);
    expect(frames[0].type).toBe(LinkFrameType.LINK_ABORT);
    const body = JSON.parse(new TextDecoder().decode(frames[0].payload));
    expect(body.reason).toBe("causeway.edge.version_mismatch");
    expect(body.message).toBe('edge "future-edge" speaks edge link version 2; core "core-test" speaks version 1');
    expect(core.logs.find((l) => l.msg === "edge link version mismatch" && l.edgeNode === "future-edge"))
      .toMatchObject({ level: "error", edgeVersion: 2, coreVersion: 1 });
  });

  test("a link speaking another version over WebSocket gets the same LINK_ABORT, then the close", async () => {
    const ws = new WebSocket(core.wsUrl, [EDGE_SUBPROTOCOL]);
    ws.binaryType = "arraybuffer";
    const got: Uint8Array[] = [];
    ws.onmessage = (ev) => got.push(new Uint8Array(ev.data as ArrayBuffer));
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("no upgrade"));
    });
    expect(ws.protocol).toBe(EDGE_SUBPROTOCOL);
    const gone = new Promise<void>((resolve) => (ws.onclose = () => resolve()));
    ws.send(encodeJsonFrame(LinkFrameType.LINK_HELLO, 0, {
      protocol: "causeway-edge", version: 3, node: "ws-edge", serializer: "json", maxMessageSize: 65536,
    }));
    await gone;
    const f = decodeLinkFrame(got[0]);
    expect(f.type).toBe(LinkFrameType.LINK_ABORT);
    expect(JSON.parse(new TextDecoder().decode(f.payload)).message).toMatch(/version 3; core "core-test" speaks version 1/);
  });

  test("core listeners without edge: true refuse, and the edge says what to change (ws and tcp)", async () => {
    const plainCore = await startCore((cfg) => {
      cfg.listeners = cfg.listeners.map((l) => ({ ...l, edge: false }));
    });
    try {
      for (const url of [plainCore.wsUrl, plainCore.tcpUrl]) {
        const err = await link(url).then(() => undefined, (e) => e);
        expect(err).toBeInstanceOf(EdgeLinkError);
        expect((err as EdgeLinkError).reason).toBe("not_edge");
        expect(err.message).toContain(`the core does not accept edge links on ${url}; enable \`edge: true\` on that listener or use mode: compat`);
      }
      // The plain WAMP listener still works as before.
      const c = new MessageClient(await connectWebSocket(plainCore.wsUrl, jsonSerializer));
      expect((await c.join("realm1")).type).toBe(T.WELCOME);
      c.peer.close();
    } finally {
      await plainCore.server.stop();
    }
  });

  test("a refused connection names the url", async () => {
    const stopped = await startCore();
    const url = stopped.tcpUrl;
    await stopped.server.stop();
    const err = await link(url).then(() => undefined, (e) => e);
    expect(err.message).toContain(`Cannot open an edge link to ${url}:`);
    expect((err as EdgeLinkError).reason).toBe("connect");
  });
});

describe("edge link keepalive on the core", () => {
  test("an edge that stops answering (no FIN) is cut by the core, and its channel sessions end", async () => {
    const peers: Peer[] = [];
    const listening = await runtime.listenTcp({
      host: "127.0.0.1",
      port: 0,
      onConnection: (ch) => acceptRawSocket(ch, {
        serializers: [jsonSerializer],
        onPeer: () => {},
        edge: { node: "core-ka", serializers: [jsonSerializer], onChannel: (p) => peers.push(p), keepalive: { intervalMs: 50, timeoutMs: 50 } },
      }),
    });
    try {
      // A hand-made edge: handshake, LINK_HELLO, OPEN, then it never answers the core's PINGs.
      const ch = await runtime.connectTcp({ host: "127.0.0.1", port: listening.port });
      let pings = 0;
      let skip = 4; // the RawSocket handshake reply
      const reader = new FrameReader(1 << 24, (type, payload) => {
        if (type === FrameType.MESSAGE && decodeLinkFrame(payload).type === LinkFrameType.PING) pings++;
      }, () => {});
      const gone = new Promise<void>((resolve) => (ch.onClose = () => resolve()));
      ch.onData = (chunk) => {
        const n = Math.min(skip, chunk.length);
        skip -= n;
        reader.feed(chunk.subarray(n));
      };
      ch.write(Uint8Array.of(0x7f, 0xf0 | 15, 0, 0));
      ch.write(encodeFrame(FrameType.MESSAGE, encodeJsonFrame(LinkFrameType.LINK_HELLO, 0, {
        protocol: "causeway-edge", version: 1, node: "silent-edge", serializer: "json", maxMessageSize: 65536,
      })));
      ch.write(encodeFrame(FrameType.MESSAGE, encodeLinkFrame(LinkFrameType.OPEN, 1)));
      for (let i = 0; i < 200 && peers.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(peers.length).toBe(1);
      const channelGone = new Promise<void>((resolve) => (peers[0].onClose = () => resolve()));
      await channelGone;
      await gone;
      expect(peers[0].closed).toBe(true);
      expect(pings).toBeGreaterThanOrEqual(1);
    } finally {
      await listening.close();
    }
  });
});

const isBun = "Bun" in globalThis;

describe("edge link over TLS", () => {
  let tlsCore: Core;
  const cert = readFileSync(join(fixtures, "localhost.crt"), "utf8");
  beforeAll(async () => {
    tlsCore = await startCore((cfg) => {
      cfg.listeners = cfg.listeners.map((l) => ({
        ...l, tls: { cert: join(fixtures, "localhost.crt"), key: join(fixtures, "localhost.key") },
      }));
    });
  });
  afterAll(async () => {
    await tlsCore?.server.stop();
  });

  test("tls:// carries channel sessions with tls in their details", async () => {
    const l = await link(tlsCore.tcpUrl, jsonSerializer, { tls: { ca: cert, serverName: "localhost" } });
    const s = new MessageClient(l.openChannel());
    expect((await s.join("realm1")).type).toBe(T.WELCOME);
    expect(s.peer.details.tls).toBe(true);
    l.close();
  });

  // Only Bun's WebSocket client takes a CA (a non-standard constructor option).
  test.skipIf(!isBun)("wss:// carries channel sessions", async () => {
    expect(tlsCore.wsUrl.startsWith("wss://")).toBe(true);
    const l = await link(tlsCore.wsUrl, msgpackSerializer, { tls: { ca: cert } });
    const s = new MessageClient(l.openChannel());
    expect((await s.join("realm1")).type).toBe(T.WELCOME);
    l.close();
  });
});
