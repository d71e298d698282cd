import { describe, expect, test } from "bun:test";
import { connectEdgeLink, type EdgeLinkClient, EdgeLinkError } from "../../src/transport/edge_link_client.ts";
import {
  decodeLinkFrame, EDGE_SUBPROTOCOL, encodeJsonFrame, encodeLinkFrame, type LinkFrame, LinkFrameType as F,
} from "../../src/transport/edge_link_frames.ts";
import { acceptEdgeWebSocket, type EdgeLinkAcceptOptions } from "../../src/transport/edge_link_server.ts";
import { acceptRawSocket } from "../../src/transport/rawsocket.ts";
import { encodeFrame, FrameReader, FrameType } from "../../src/transport/rawsocket_framing.ts";
import { createManualClock } from "../../src/util/clock.ts";
import { createLogger } from "../../src/util/log.ts";
import { Errors } from "../../src/wamp/errors.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Message } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import { cborSerializer, jsonSerializer, msgpackSerializer } from "../../src/wamp/serializers/mod.ts";
import { fakeByteChannel, fakeFrameChannel } from "./_fakes.ts";

const enc = new TextEncoder();
const json = (f: LinkFrame) => JSON.parse(new TextDecoder().decode(f.payload));

/** The core side of one link over a fake WebSocket, with a manual clock and a log collector. */
function core(opts: Partial<EdgeLinkAcceptOptions> = {}) {
  const ch = fakeFrameChannel(EDGE_SUBPROTOCOL);
  const clock = createManualClock();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: "debug", format: "json", write: (l) => lines.push(JSON.parse(l)) });
  const peers: Peer[] = [];
  acceptEdgeWebSocket(ch, {
    node: "core-1",
    serializers: [jsonSerializer, msgpackSerializer],
    onChannel: (p) => peers.push(p),
    clock,
    logger,
    // Flush at once: the test reads what was written right after each step.
    outbound: { clock, schedule: (fn) => fn() },
    ...opts,
  });
  let wsClosed = false;
  const c = {
    ch, clock, lines, peers,
    frames: () => ch.sent.map((d) => decodeLinkFrame(d as Uint8Array)),
    last: () => c.frames().at(-1)!,
    send: (type: number, channel: number, payload?: Uint8Array) => ch.onFrame(encodeLinkFrame(type, channel, payload)),
    sendJson: (type: number, channel: number, body: Record<string, unknown>) => ch.onFrame(encodeJsonFrame(type, channel, body)),
    hello: (over: Record<string, unknown> = {}) =>
      c.sendJson(F.LINK_HELLO, 0, { protocol: "causeway-edge", version: 1, node: "gw-1", serializer: "json", maxMessageSize: 1 << 20, ...over }),
    /** The WebSocket reports its close (as the runtime would after close()). */
    closeSocket: () => {
      if (!wsClosed) ch.onClose(1000, "");
      wsClosed = true;
    },
    data: (channel: number, msg: Message) => c.send(F.DATA, channel, enc.encode(jsonSerializer.encode(msg) as string)),
  };
  return c;
}

function expectAbort(c: ReturnType<typeof core>, reason: string, message: RegExp) {
  const f = c.last();
  expect(f.type).toBe(F.LINK_ABORT);
  expect(f.channel).toBe(0);
  const body = json(f);
  expect(body.reason).toBe(reason);
  expect(body.message).toMatch(message);
  expect(c.ch.closes.length).toBe(1);
}

const HELLO: Message = { type: T.HELLO, realm: "realm1", details: { roles: { caller: {} } } };

describe("edge link, core side: handshake", () => {
  test("LINK_HELLO gets LINK_WELCOME with the core's node, version and channel limit", () => {
    const c = core({ maxChannels: 7 });
    c.hello();
    const f = c.last();
    expect(f.type).toBe(F.LINK_WELCOME);
    expect(f.channel).toBe(0);
    expect(json(f)).toMatchObject({ protocol: "causeway-edge", version: 1, node: "core-1", maxChannels: 7 });
    expect(c.ch.closes).toEqual([]);
  });

  test("another link version: LINK_ABORT version_mismatch naming both versions, logged as an error, then close", () => {
    const c = core();
    c.hello({ version: 2 });
    expectAbort(c, "causeway.edge.version_mismatch", /edge "gw-1" speaks edge link version 2; core "core-1" speaks version 1/);
    const err = c.lines.find((l) => l.msg === "edge link version mismatch");
    expect(err).toMatchObject({ level: "error", edgeNode: "gw-1", edgeVersion: 2, coreVersion: 1 });
  });

  test("an unsupported serializer is refused naming the supported ones", () => {
    const c = core();
    c.hello({ serializer: "xml" });
    expectAbort(c, "causeway.edge.serializer_unsupported", /"xml" is not supported .*json, msgpack/);
  });

  test("a foreign protocol name, a frame before LINK_HELLO, or a malformed LINK_HELLO is a protocol violation", () => {
    const a = core();
    a.hello({ protocol: "other" });
    expectAbort(a, "causeway.edge.protocol_violation", /protocol "other", expected "causeway-edge"/);
    const b = core();
    b.send(F.OPEN, 1);
    expectAbort(b, "causeway.edge.protocol_violation", /OPEN before LINK_HELLO/);
    const d = core();
    d.sendJson(F.LINK_HELLO, 0, { protocol: "causeway-edge", version: 1 });
    expectAbort(d, "causeway.edge.protocol_violation", /LINK_HELLO.node must be a string/);
  });

  test("no LINK_HELLO in time: LINK_ABORT handshake_timeout", () => {
    const c = core({ handshakeTimeoutMs: 500 });
    c.clock.advance(499);
    expect(c.ch.sent).toEqual([]);
    c.clock.advance(1);
    expectAbort(c, "causeway.edge.handshake_timeout", /no LINK_HELLO within 500 ms/);
  });
});

describe("edge link, core side: frames after the handshake", () => {
  test("an unknown frame type is a protocol violation naming it", () => {
    const c = core();
    c.hello();
    c.send(0x42, 0);
    expectAbort(c, "causeway.edge.protocol_violation", /unknown frame type 0x42/);
  });

  test("DATA or CLOSE on a channel never opened is a protocol violation", () => {
    const a = core();
    a.hello();
    a.data(1, HELLO);
    expectAbort(a, "causeway.edge.protocol_violation", /DATA on channel 1, which was never opened/);
    const b = core();
    b.hello();
    b.send(F.OPEN, 1);
    b.sendJson(F.CLOSE, 3, { reason: "x" });
    expectAbort(b, "causeway.edge.protocol_violation", /CLOSE on channel 3, which was never opened/);
  });

  test("OPEN with an even, zero or non-increasing id is a protocol violation; link frames belong on channel 0", () => {
    const a = core();
    a.hello();
    a.send(F.OPEN, 2);
    expectAbort(a, "causeway.edge.protocol_violation", /edge channel ids are odd/);
    const b = core();
    b.hello();
    b.send(F.OPEN, 5);
    b.send(F.OPEN, 3);
    expectAbort(b, "causeway.edge.protocol_violation", /must increase within a link \(highest so far 5\)/);
    const d = core();
    d.hello();
    d.send(F.PING, 1, new Uint8Array(8));
    expectAbort(d, "causeway.edge.protocol_violation", /PING on channel 1 \(link frames use channel 0\)/);
  });

  test("a text WebSocket message is a protocol violation", () => {
    const c = core();
    c.ch.onFrame("[1]");
    expectAbort(c, "causeway.edge.protocol_violation", /text WebSocket message/);
  });

  test("a second LINK_HELLO is a protocol violation", () => {
    const c = core();
    c.hello();
    c.hello();
    expectAbort(c, "causeway.edge.protocol_violation", /LINK_HELLO after the link handshake/);
  });

  test("PING is answered by a PONG with the same payload", () => {
    const c = core();
    c.hello();
    c.send(F.PING, 0, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(c.last().type).toBe(F.PONG);
    expect([...c.last().payload]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe("edge link, core side: channels", () => {
  test("OPEN makes a Peer of transport kind edge; DATA in and out carries WAMP messages in the link's serializer", () => {
    const c = core();
    c.hello({ serializer: "msgpack" });
    c.send(F.OPEN, 1);
    expect(c.peers.length).toBe(1);
    const p = c.peers[0];
    expect(p.details).toMatchObject({ transport: "edge", serializer: "msgpack", remoteAddress: "10.0.0.1", remotePort: 4242, tls: false });
    const got: Message[] = [];
    p.onMessage = (m) => got.push(m);
    c.send(F.DATA, 1, msgpackSerializer.encode(HELLO) as Uint8Array);
    expect(got).toEqual([HELLO]);
    const welcome: Message = { type: T.WELCOME, session: 42, details: { roles: { dealer: {} } } };
    expect(p.send(welcome)).toBe(true);
    const f = c.last();
    expect(f.type).toBe(F.DATA);
    expect(f.channel).toBe(1);
    expect(msgpackSerializer.decode(f.payload)).toEqual(welcome);
  });

  test("an undecodable DATA ends that channel's session only (ABORT, CLOSE), not the link", () => {
    const c = core();
    c.hello();
    c.send(F.OPEN, 1);
    c.send(F.OPEN, 3);
    const closed: number[] = [];
    c.peers[0].onClose = () => closed.push(1);
    c.send(F.DATA, 1, enc.encode("{not wamp"));
    const [abort, close] = c.frames().slice(-2);
    expect(abort.type).toBe(F.DATA);
    expect(JSON.parse(new TextDecoder().decode(abort.payload))[0]).toBe(T.ABORT);
    expect(close.type).toBe(F.CLOSE);
    expect(close.channel).toBe(1);
    expect(c.ch.closes).toEqual([]);
    expect(c.peers[1].closed).toBe(false);
  });

  test("a channel closed by the router sends CLOSE with the reason and fires onClose once", async () => {
    const c = core();
    c.hello();
    c.send(F.OPEN, 1);
    const p = c.peers[0];
    let closes = 0;
    p.onClose = () => closes++;
    p.close(1000, "goodbye");
    expect(c.last().type).toBe(F.CLOSE);
    expect(json(c.last())).toEqual({ reason: "goodbye" });
    expect(p.send({ type: T.GOODBYE, details: {}, reason: "x" })).toBe(false);
    await Promise.resolve();
    expect(closes).toBe(1);
    // The edge's frames for that channel may cross our CLOSE on the wire: ignored, not a violation.
    c.data(1, HELLO);
    c.sendJson(F.CLOSE, 1, { reason: "late" });
    expect(c.ch.closes).toEqual([]);
    expect(closes).toBe(1);
  });

  test("CLOSE from the edge ends only that channel", () => {
    const c = core();
    c.hello();
    c.send(F.OPEN, 1);
    c.send(F.OPEN, 3);
    const closed: string[] = [];
    c.peers[0].onClose = () => closed.push("a");
    c.peers[1].onClose = () => closed.push("b");
    c.sendJson(F.CLOSE, 1, { reason: "done" });
    expect(closed).toEqual(["a"]);
    expect(c.peers[1].closed).toBe(false);
  });

  test("over maxChannels an OPEN is answered with CLOSE naming the limit; the link stays up", () => {
    const c = core({ maxChannels: 1 });
    c.hello();
    c.send(F.OPEN, 1);
    c.send(F.OPEN, 3);
    expect(c.peers.length).toBe(1);
    expect(c.last().channel).toBe(3);
    expect(json(c.last()).reason).toMatch(/at most 1 per link/);
    c.data(3, HELLO); // a closed (refused) channel: ignored
    expect(c.ch.closes).toEqual([]);
  });

  test("LINK_ABORT from the edge closes the link and every channel", () => {
    const c = core();
    c.hello();
    c.send(F.OPEN, 1);
    c.send(F.OPEN, 3);
    let closed = 0;
    for (const p of c.peers) p.onClose = () => closed++;
    c.sendJson(F.LINK_ABORT, 0, { reason: "causeway.edge.test", message: "bye" });
    expect(closed).toBe(2);
    expect(c.ch.closes.length).toBe(1);
    expect(c.lines.some((l) => l.msg === "edge link aborted by the other side" && l.reason === "causeway.edge.test")).toBe(true);
  });

  test("the link's WebSocket closing closes every channel once", () => {
    const c = core();
    c.hello();
    c.send(F.OPEN, 1);
    c.send(F.OPEN, 3);
    let closed = 0;
    for (const p of c.peers) p.onClose = () => closed++;
    c.closeSocket();
    expect(closed).toBe(2);
    expect(c.peers.every((p) => p.closed)).toBe(true);
  });

  test("a message larger than the edge accepts is not sent; a RESULT becomes an ERROR naming the limit", () => {
    const c = core();
    c.hello({ maxMessageSize: 150 });
    c.send(F.OPEN, 1);
    const p = c.peers[0];
    const before = c.ch.sent.length;
    expect(p.send({ type: T.EVENT, subscription: 1, publication: 2, details: {}, args: ["x".repeat(200)] })).toBe(false);
    expect(c.ch.sent.length).toBe(before);
    expect(p.send({ type: T.RESULT, request: 7, details: {}, args: ["x".repeat(200)] })).toBe(false);
    const err = JSON.parse(new TextDecoder().decode(c.last().payload));
    expect(err.slice(0, 5)).toEqual([T.ERROR, T.CALL, 7, {}, Errors.MESSAGE_TOO_LARGE]);
    expect(err[5][0]).toMatch(/exceeds the 150 bytes/);
  });

  test("slow consumer: the bound applies to the whole link; over twice the bound the link is aborted", () => {
    const c = core({ outbound: { maxBufferedBytes: 64 * 1024, graceMs: 1000, schedule: (fn) => fn() } });
    c.hello();
    c.send(F.OPEN, 1);
    c.send(F.OPEN, 3);
    c.ch.buffered = 100 * 1024; // the runtime holds this much for the socket
    expect(c.peers[0].overLimit).toBe(true);
    expect(c.peers[1].overLimit).toBe(true);
    c.ch.buffered = 200 * 1024;
    c.peers[1].send({ type: T.EVENT, subscription: 1, publication: 2, details: {} });
    expectAbort(c, "causeway.edge.slow_consumer", /did not read/);
    expect(c.peers.every((p) => p.closed)).toBe(true);
  });

  test("a link frame over the maximum length is aborted as message_too_large", () => {
    const c = core({ maxMessageLength: 200 });
    c.hello();
    c.send(F.OPEN, 1);
    c.send(F.DATA, 1, new Uint8Array(300));
    expectAbort(c, "causeway.edge.message_too_large", /305 bytes exceeds the maximum message length of 200 bytes/);
  });
});

describe("edge link, core side: keepalive", () => {
  test("after the idle interval the core PINGs; a PONG keeps the link, silence terminates it", async () => {
    const c = core({ keepalive: { intervalMs: 1000, timeoutMs: 500 } });
    c.hello();
    c.send(F.OPEN, 1);
    let closed = 0;
    c.peers[0].onClose = () => closed++;
    c.clock.advance(999);
    expect(c.frames().some((f) => f.type === F.PING)).toBe(false);
    c.clock.advance(1);
    const ping = c.last();
    expect(ping.type).toBe(F.PING);
    c.send(F.PONG, 0, ping.payload);
    await Promise.resolve();
    await Promise.resolve();
    // Traffic counts as life: no PING while frames keep arriving.
    const pings = () => c.frames().filter((f) => f.type === F.PING).length;
    for (let i = 0; i < 5; i++) {
      c.clock.advance(600);
      c.send(F.PING, 0, new Uint8Array(8));
    }
    expect(pings()).toBe(1);
    c.clock.advance(1000);
    expect(pings()).toBe(2);
    c.clock.advance(500);
    await Promise.resolve();
    await Promise.resolve();
    expect(c.ch.terminated).toBe(true);
    expect(closed).toBe(1);
    expect(c.lines.some((l) => l.msg === "edge link silent; terminating")).toBe(true);
  });

  test("keepalive: false never PINGs", () => {
    const c = core({ keepalive: false });
    c.hello();
    c.clock.advance(10 * 60_000);
    expect(c.frames().some((f) => f.type === F.PING)).toBe(false);
  });
});

describe("edge link, core side over RawSocket (rawsocket.ts hands serializer 15 over)", () => {
  const helloFrame = () => encodeFrame(FrameType.MESSAGE, encodeJsonFrame(F.LINK_HELLO, 0, {
    protocol: "causeway-edge", version: 1, node: "gw-r", serializer: "cbor", maxMessageSize: 4096,
  }));
  const linkFrames = (bytes: Uint8Array) => {
    const out: LinkFrame[] = [];
    new FrameReader(1 << 24, (type, p) => type === FrameType.MESSAGE && out.push(decodeLinkFrame(p.slice())), () => {}).feed(bytes);
    return out;
  };

  test("handshake and LINK_HELLO in one chunk: the reply names serializer 15, then LINK_WELCOME", async () => {
    const ch = fakeByteChannel();
    const peers: Peer[] = [];
    acceptRawSocket(ch, {
      serializers: [jsonSerializer],
      onPeer: () => {},
      edge: { node: "core-r", serializers: [jsonSerializer, cborSerializer], onChannel: (p) => peers.push(p), outbound: { schedule: (fn) => fn() } },
    });
    const hello = helloFrame();
    const open = encodeFrame(FrameType.MESSAGE, encodeLinkFrame(F.OPEN, 1));
    const chunk = new Uint8Array(4 + hello.length + open.length);
    chunk.set([0x7f, 0xf0 | 15, 0, 0]);
    chunk.set(hello, 4);
    chunk.set(open, 4 + hello.length);
    ch.onData(chunk);
    const out = ch.output();
    expect(out[0]).toBe(0x7f);
    expect(out[1] & 0x0f).toBe(15);
    const frames = linkFrames(out.subarray(4));
    expect(frames[0].type).toBe(F.LINK_WELCOME);
    expect(json(frames[0]).node).toBe("core-r");
    expect(peers.length).toBe(1);
    expect(peers[0].details).toMatchObject({ transport: "edge", serializer: "cbor", remoteAddress: "10.0.0.2" });
  });

  test("frames cut at every byte boundary are reassembled", () => {
    const ch = fakeByteChannel();
    const peers: Peer[] = [];
    acceptRawSocket(ch, {
      serializers: [jsonSerializer],
      onPeer: () => {},
      edge: { node: "core-r", serializers: [cborSerializer], onChannel: (p) => peers.push(p), outbound: { schedule: (fn) => fn() } },
    });
    const got: Message[] = [];
    const stream = [
      Uint8Array.of(0x7f, 0xf0 | 15, 0, 0),
      helloFrame(),
      encodeFrame(FrameType.MESSAGE, encodeLinkFrame(F.OPEN, 1)),
      encodeFrame(FrameType.MESSAGE, encodeLinkFrame(F.DATA, 1, cborSerializer.encode(HELLO) as Uint8Array)),
    ];
    for (const part of stream) {
      for (const byte of part) {
        ch.onData(Uint8Array.of(byte));
        if (peers.length === 1 && got.length === 0) peers[0].onMessage = (m) => got.push(m);
      }
    }
    expect(got).toEqual([HELLO]);
  });

  test("a listener without edge options refuses serializer 15 with handshake error 1", () => {
    const ch = fakeByteChannel();
    acceptRawSocket(ch, { serializers: [jsonSerializer], onPeer: () => {} });
    ch.onData(Uint8Array.of(0x7f, 0xf0 | 15, 0, 0));
    expect([...ch.output()]).toEqual([0x7f, 0x10, 0, 0]);
  });
});

describe("edge link, core side: garbage never escapes", () => {
  test("random frames after the handshake end in LINK_ABORT or are ignored, never a throw", () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let run = 0; run < 200; run++) {
      const c = core();
      c.hello();
      c.send(F.OPEN, 1);
      for (let i = 0; i < 20 && c.ch.closes.length === 0; i++) {
        const bytes = new Uint8Array(rnd(40));
        for (let j = 0; j < bytes.length; j++) bytes[j] = rnd(256);
        // Bias towards known frame types and the open channel so the deeper paths run too.
        if (bytes.length >= 5 && rnd(2) === 0) {
          bytes[0] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11, 0x12][rnd(8)];
          bytes.set([0, 0, 0, rnd(2) ? 1 : 0], 1);
        }
        expect(() => c.ch.onFrame(bytes)).not.toThrow();
      }
      if (c.ch.closes.length > 0) expect(c.frames().some((f) => f.type === F.LINK_ABORT)).toBe(true);
    }
  });
});

/** A fake core behind a fake TcpConnect: reads the edge's RawSocket frames, writes its own. */
function tcpCore() {
  const ch = fakeByteChannel();
  const frames: LinkFrame[] = [];
  let handshakeSeen = false;
  const reader = new FrameReader(1 << 24, (type, payload) => {
    if (type === FrameType.MESSAGE) frames.push(decodeLinkFrame(payload.slice()));
  }, () => {});
  let consumed = 0;
  const pump = () => {
    const out = ch.output();
    if (!handshakeSeen && out.length >= 4) {
      handshakeSeen = true;
      consumed = 4;
    }
    if (out.length > consumed) {
      reader.feed(out.subarray(consumed));
      consumed = out.length;
    }
  };
  return {
    ch,
    connectTcp: () => Promise.resolve(ch),
    /** The edge's handshake request (4 bytes). */
    request: () => ch.output().subarray(0, 4),
    frames: () => {
      pump();
      return frames;
    },
    reply: (bytes: number[]) => ch.onData(Uint8Array.from(bytes)),
    frame: (f: Uint8Array) => ch.onData(encodeFrame(FrameType.MESSAGE, f)),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 2));
async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await tick();
  expect(pred()).toBe(true);
}

async function edgeOver(fake: ReturnType<typeof tcpCore>, welcome: Record<string, unknown> = {}) {
  const clock = createManualClock();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: "debug", format: "json", write: (l) => lines.push(JSON.parse(l)) });
  let opened = 0;
  const pending = connectEdgeLink({
    url: "tcp://core.test:9000", node: "gw-9", serializer: jsonSerializer, connectTcp: fake.connectTcp, clock, logger,
    onCarrierOpen: () => opened++,
  });
  await until(() => fake.ch.written.length > 0);
  expect([...fake.request()]).toEqual([0x7f, 0xf0 | 15, 0, 0]);
  expect(opened).toBe(0);
  fake.reply([0x7f, 0xf0 | 15, 0, 0]);
  await until(() => fake.frames().length > 0);
  const hello = fake.frames()[0];
  fake.frame(encodeJsonFrame(F.LINK_WELCOME, 0, { protocol: "causeway-edge", version: 1, node: "core-9", maxChannels: 8, ...welcome }));
  return { pending, hello, clock, lines, carrierOpen: () => opened };
}

describe("edge link, edge side (RawSocket carrier over a fake TCP connection)", () => {
  test("handshake: RawSocket serializer 15, then LINK_HELLO; LINK_WELCOME resolves with the core's node", async () => {
    const fake = tcpCore();
    const { pending, hello, carrierOpen } = await edgeOver(fake);
    expect(carrierOpen()).toBe(1);
    expect(hello.type).toBe(F.LINK_HELLO);
    expect(json(hello)).toEqual({ protocol: "causeway-edge", version: 1, node: "gw-9", serializer: "json", maxMessageSize: 1 << 24 });
    const link = await pending;
    expect(link.remoteNode).toBe("core-9");
  });

  test("a core speaking another version: the edge sends LINK_ABORT version_mismatch, logs and rejects naming both versions", async () => {
    const fake = tcpCore();
    const { pending, lines } = await edgeOver(fake, { version: 7 });
    const err = await pending.catch((e) => e);
    expect(err).toBeInstanceOf(EdgeLinkError);
    expect((err as EdgeLinkError).reason).toBe("causeway.edge.version_mismatch");
    expect(err.message).toMatch(/tcp:\/\/core.test:9000.*version mismatch: core "core-9" speaks edge link version 7; edge "gw-9" speaks version 1/);
    await until(() => fake.frames().length > 1);
    const abort = fake.frames().at(-1)!;
    expect(abort.type).toBe(F.LINK_ABORT);
    expect(json(abort).reason).toBe("causeway.edge.version_mismatch");
    expect(lines.find((l) => l.msg === "edge link version mismatch")).toMatchObject({ level: "error", coreVersion: 7, edgeVersion: 1 });
    expect(fake.ch.ended || fake.ch.destroyed).toBe(true);
  });

  test("a core that aborts the handshake: rejected with its reason and message", async () => {
    const fake = tcpCore();
    const pending = connectEdgeLink({ url: "tcp://core.test:9000", node: "gw-9", serializer: jsonSerializer, connectTcp: fake.connectTcp });
    await until(() => fake.ch.written.length > 0);
    fake.reply([0x7f, 0xf0 | 15, 0, 0]);
    await until(() => fake.frames().length > 0);
    fake.frame(encodeJsonFrame(F.LINK_ABORT, 0, { reason: "causeway.edge.version_mismatch", message: "edge speaks 1; core speaks 2" }));
    const err = await pending.catch((e) => e) as EdgeLinkError;
    expect(err.reason).toBe("causeway.edge.version_mismatch");
    expect(err.message).toMatch(/edge speaks 1; core speaks 2/);
  });

  test("a RawSocket listener without edge links (error 1) is reported with what to change", async () => {
    const fake = tcpCore();
    const pending = connectEdgeLink({ url: "tcp://core.test:9000", node: "gw-9", serializer: jsonSerializer, connectTcp: fake.connectTcp });
    await until(() => fake.ch.written.length > 0);
    fake.reply([0x7f, 0x10, 0, 0]);
    const err = await pending.catch((e) => e) as EdgeLinkError;
    expect(err.reason).toBe("not_edge");
    expect(err.message).toBe(
      "the core does not accept edge links on tcp://core.test:9000; enable `edge: true` on that listener or use mode: compat",
    );
  });

  test("no LINK_WELCOME in time: rejected as a timeout", async () => {
    const fake = tcpCore();
    const clock = createManualClock();
    const pending = connectEdgeLink({ url: "tcp://core.test:9000", node: "gw-9", serializer: jsonSerializer, connectTcp: fake.connectTcp, clock, timeoutMs: 1000 });
    await until(() => fake.ch.written.length > 0);
    fake.reply([0x7f, 0xf0 | 15, 0, 0]);
    await until(() => fake.frames().length > 0);
    clock.advance(1000);
    const err = await pending.catch((e) => e) as EdgeLinkError;
    expect(err.reason).toBe("timeout");
    expect(err.message).toMatch(/no LINK_WELCOME within/);
  });

  test("bad URLs are refused naming the scheme", async () => {
    const fake = tcpCore();
    const err = await connectEdgeLink({ url: "http://x:1", node: "n", serializer: jsonSerializer, connectTcp: fake.connectTcp }).catch((e) => e);
    expect(err.message).toMatch(/unsupported scheme "http:"/);
  });

  test("openChannel uses odd increasing ids; ping resolves with the round trip on the link's clock", async () => {
    const fake = tcpCore();
    const { pending, clock } = await edgeOver(fake);
    const link = await pending;
    const a = link.openChannel();
    link.openChannel();
    expect(a.details.transport).toBe("edge");
    a.send(HELLO);
    await until(() => fake.frames().length >= 4);
    expect(fake.frames().slice(1).map((f) => [f.type, f.channel])).toEqual([[F.OPEN, 1], [F.OPEN, 3], [F.DATA, 1]]);
    const rtt = link.ping(5000);
    await until(() => fake.frames().some((f) => f.type === F.PING));
    const ping = fake.frames().find((f) => f.type === F.PING)!;
    expect(ping.payload.byteLength).toBe(8);
    clock.advance(12);
    fake.frame(encodeLinkFrame(F.PONG, 0, ping.payload));
    expect(await rtt).toBe(12);
    expect(link.lastReceivedAt).toBe(12);
  });

  test("a ping without PONG rejects after its timeout", async () => {
    const fake = tcpCore();
    const { pending, clock } = await edgeOver(fake);
    const link = await pending;
    const p = link.ping(300);
    clock.advance(300);
    expect(await p.catch((e) => e.message)).toMatch(/no PONG from core-9 within 300 ms/);
  });

  test("channels get the core's DATA and CLOSE; close() sends CLOSE per channel then ends the socket", async () => {
    const fake = tcpCore();
    const { pending } = await edgeOver(fake);
    const link = await pending;
    const a = link.openChannel();
    const b = link.openChannel();
    const got: Message[] = [];
    a.onMessage = (m) => got.push(m);
    let aClosed = 0;
    a.onClose = () => aClosed++;
    fake.frame(encodeLinkFrame(F.DATA, 1, enc.encode(JSON.stringify([T.WELCOME, 5, { roles: { dealer: {} } }]))));
    expect(got).toEqual([{ type: T.WELCOME, session: 5, details: { roles: { dealer: {} } } }]);
    fake.frame(encodeJsonFrame(F.CLOSE, 1, { reason: "kicked" }));
    expect(aClosed).toBe(1);
    expect(b.closed).toBe(false);
    let reason = "";
    link.onClose = (r) => (reason = r);
    link.close("shutting down");
    await until(() => fake.ch.ended);
    const closes = fake.frames().filter((f) => f.type === F.CLOSE);
    expect(closes.map((f) => [f.channel, json(f).reason])).toEqual([[3, "shutting down"]]);
    expect(b.closed).toBe(true);
    fake.ch.onClose();
    expect(reason).toBe("shutting down");
  });

  test("terminate() drops the socket without writing anything and reports the close at once", async () => {
    const fake = tcpCore();
    const { pending } = await edgeOver(fake);
    const link: EdgeLinkClient = await pending;
    const a = link.openChannel();
    await until(() => fake.frames().length >= 2);
    const written = fake.ch.output().length;
    let reason = "";
    let aClosed = false;
    a.onClose = () => (aClosed = true);
    link.onClose = (r) => (reason = r);
    link.terminate();
    expect(fake.ch.destroyed).toBe(true);
    expect(fake.ch.ended).toBe(false);
    expect(reason).toBe("link terminated");
    expect(aClosed).toBe(true);
    await tick();
    expect(fake.ch.output().length).toBe(written);
    // A channel asked for after the end is a Peer that is already closed, not an exception.
    const late = link.openChannel();
    expect(late.closed).toBe(true);
    expect(late.send(HELLO)).toBe(false);
    let lateClosed = false;
    late.onClose = () => (lateClosed = true);
    await tick();
    expect(lateClosed).toBe(true);
  });

  test("OPEN from the core is a protocol violation (only the edge opens channels)", async () => {
    const fake = tcpCore();
    const { pending } = await edgeOver(fake);
    const link = await pending;
    let reason = "";
    link.onClose = (r) => (reason = r);
    fake.frame(encodeLinkFrame(F.OPEN, 2));
    await until(() => fake.frames().some((f) => f.type === F.LINK_ABORT));
    expect(json(fake.frames().at(-1)!).message).toMatch(/only the edge opens channels/);
    fake.ch.onClose();
    expect(reason).toMatch(/^causeway.edge.protocol_violation/);
  });

  test("RawSocket PING from the core is answered with a RawSocket PONG", async () => {
    const fake = tcpCore();
    const { pending } = await edgeOver(fake);
    await pending;
    const before = fake.ch.written.length;
    fake.ch.onData(encodeFrame(FrameType.PING, Uint8Array.of(4, 2)));
    expect([...fake.ch.written[before]]).toEqual([FrameType.PONG, 0, 0, 2, 4, 2]);
  });
});
