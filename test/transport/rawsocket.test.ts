import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../src/util/clock.ts";
import { Errors } from "../../src/wamp/errors.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Call, Event, Message } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import { acceptRawSocket, type RawSocketAcceptOptions } from "../../src/transport/rawsocket.ts";
import { encodeFrame, FrameReader, lengthExponent } from "../../src/transport/rawsocket_framing.ts";
import { concatBytes, fakeByteChannel, fakeSerializer, nextTurn } from "./_fakes.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const msgFrame = (m: Message) => encodeFrame(0, enc.encode(JSON.stringify(m)));
const call = (n: number): Call => ({
  type: MessageType.CALL,
  request: n,
  options: {},
  procedure: "com.example.add",
  args: [n, n],
});

function server(opts: Partial<RawSocketAcceptOptions> = {}) {
  const ch = fakeByteChannel();
  const clock = createManualClock();
  const peers: Peer[] = [];
  const got: Message[] = [];
  acceptRawSocket(ch, {
    serializers: [fakeSerializer(), fakeSerializer(true)],
    clock,
    onPeer: (p) => {
      peers.push(p);
      p.onMessage = (m) => got.push(m);
    },
    ...opts,
  });
  return { ch, clock, peers, got };
}

/** Frames written after the 4-byte handshake reply, parsed. */
function writtenFrames(out: Uint8Array): Array<{ type: number; payload: Uint8Array }> {
  const frames: Array<{ type: number; payload: Uint8Array }> = [];
  const r = new FrameReader(2 ** 24, (type, payload) => frames.push({ type, payload: payload.slice() }), (m) => {
    throw new Error(m);
  });
  r.feed(out.subarray(4));
  return frames;
}

describe("rawsocket handshake", () => {
  test("a JSON client is accepted with our maximum length and its serializer echoed", () => {
    const { ch, peers } = server();
    ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    expect([...ch.output()]).toEqual([0x7f, 0xf1, 0, 0]);
    expect(peers.length).toBe(1);
    expect(peers[0].details).toEqual({
      transport: "rawsocket",
      serializer: "fakejson",
      remoteAddress: "10.0.0.2",
      remotePort: 5555,
      tls: false,
    });
  });

  test("our announced length is the configured maximum rounded down to a power of two", () => {
    const { ch } = server({ maxMessageLength: 100_000 });
    ch.onData(Uint8Array.of(0x7f, 0x02, 0, 0));
    expect([...ch.output()]).toEqual([0x7f, 0x72, 0, 0]); // 2^(9+7) = 65536, MessagePack
    expect(lengthExponent(512)).toBe(0);
    expect(lengthExponent(100)).toBe(0);
    expect(lengthExponent(2 ** 24)).toBe(15);
    expect(lengthExponent(2 ** 30)).toBe(15);
  });

  test("a handshake split into single bytes is reassembled", () => {
    const { ch, peers } = server();
    for (const b of [0x7f, 0xf1, 0, 0]) ch.onData(Uint8Array.of(b));
    expect(peers.length).toBe(1);
  });

  const refusals: Array<[string, number[], Partial<RawSocketAcceptOptions>, number]> = [
    ["an unsupported serializer gets error 1", [0x7f, 0xf5, 0, 0], {}, 1],
    ["the illegal serializer 0 gets error 1", [0x7f, 0xf0, 0, 0], {}, 1],
    ["a maximum length below our minimum gets error 2", [0x7f, 0x01, 0, 0], { minClientMessageLength: 4096 }, 2],
    ["reserved bits set get error 3", [0x7f, 0xf1, 0, 1], {}, 3],
    ["a full router gets error 4", [0x7f, 0xf1, 0, 0], { admit: () => false }, 4],
  ];
  for (const [name, hello, opts, code] of refusals) {
    test(name, () => {
      const { ch, peers } = server(opts);
      ch.onData(Uint8Array.from(hello));
      expect([...ch.output()]).toEqual([0x7f, code << 4, 0, 0]);
      expect(ch.ended).toBe(true);
      expect(peers.length).toBe(0);
    });
  }

  test("a wrong magic octet closes the connection without a reply", () => {
    const { ch, peers } = server();
    ch.onData(enc.encode("GET / HTTP/1.1\r\n"));
    expect(ch.written.length).toBe(0);
    expect(ch.destroyed).toBe(true);
    expect(peers.length).toBe(0);
  });

  test("a connection that never completes the handshake is closed after the timeout", () => {
    const { ch, clock } = server({ handshakeTimeoutMs: 1000 });
    ch.onData(Uint8Array.of(0x7f));
    clock.advance(1001);
    expect(ch.destroyed).toBe(true);
  });

  test("a refused connection that does not go away is destroyed", () => {
    const { ch, clock } = server({ admit: () => false });
    ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    clock.advance(3000);
    expect(ch.destroyed).toBe(true);
  });
});

describe("rawsocket framing", () => {
  const messages = [call(1), call(2), { ...call(3), args: ["ü€𝄞".repeat(20)] }];
  const stream = concatBytes([Uint8Array.of(0x7f, 0xf1, 0, 0), ...messages.map(msgFrame)]);

  test("every split of a 3-frame stream into three chunks yields the same 3 messages", () => {
    const expected = JSON.stringify(messages);
    let runs = 0;
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const { ch, got } = server();
        ch.onData(stream.subarray(0, i));
        ch.onData(stream.subarray(i, j));
        ch.onData(stream.subarray(j));
        if (JSON.stringify(got) !== expected) throw new Error(`split at ${i} and ${j}: got ${JSON.stringify(got)}`);
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(10_000);
  });

  test("byte-by-byte delivery yields the same 3 messages", () => {
    const { ch, got } = server();
    for (const b of stream) ch.onData(Uint8Array.of(b));
    expect(got).toEqual(messages);
  });

  test("a PING is answered with a PONG carrying the same payload", async () => {
    const { ch } = server();
    ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    const payload = enc.encode("are you there?");
    ch.onData(encodeFrame(1, payload));
    await nextTurn();
    const frames = writtenFrames(ch.output());
    expect(frames.length).toBe(1);
    expect(frames[0].type).toBe(2);
    expect(dec.decode(frames[0].payload)).toBe("are you there?");
  });

  test("a PONG is accepted silently", async () => {
    const { ch, peers } = server();
    ch.onData(concatBytes([Uint8Array.of(0x7f, 0xf1, 0, 0), encodeFrame(2, enc.encode("x"))]));
    await nextTurn();
    expect(ch.written.length).toBe(1);
    expect(peers[0].closed).toBe(false);
  });

  test("a frame of exactly our maximum length is accepted, one byte more closes", async () => {
    const ok = server({ maxMessageLength: 512 });
    ok.ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    const pad = (n: number) => ({ ...call(1), args: ["x".repeat(n)] });
    const base = JSON.stringify(pad(0)).length;
    ok.ch.onData(msgFrame(pad(512 - base)));
    expect(ok.got.length).toBe(1);

    const big = server({ maxMessageLength: 512 });
    big.ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    big.ch.onData(msgFrame(pad(513 - base)).subarray(0, 10)); // the prefix alone decides
    expect(big.got.length).toBe(0);
    expect(big.peers[0].closed).toBe(true);
    expect(big.ch.ended).toBe(true);
    const abort = JSON.parse(dec.decode(writtenFrames(big.ch.output())[0].payload));
    expect(abort.reason).toBe(Errors.MESSAGE_TOO_LARGE);
    expect(abort.details.message).toBe("frame of 513 bytes exceeds the maximum message length of 512 bytes");
  });

  test("an unknown frame type is a protocol violation that closes the connection", () => {
    const { ch, peers, got } = server();
    ch.onData(concatBytes([Uint8Array.of(0x7f, 0xf1, 0, 0), Uint8Array.of(3, 0, 0, 1, 0x20), msgFrame(call(1))]));
    expect(got.length).toBe(0);
    expect(peers[0].closed).toBe(true);
    const abort = JSON.parse(dec.decode(writtenFrames(ch.output())[0].payload));
    expect(abort.reason).toBe(Errors.PROTOCOL_VIOLATION);
    expect(abort.details.message).toBe("unknown frame type 3");
  });

  test("reserved bits in a frame prefix close the connection", () => {
    const { ch, peers } = server();
    ch.onData(concatBytes([Uint8Array.of(0x7f, 0xf1, 0, 0), Uint8Array.of(0x10, 0, 0, 0)]));
    expect(peers[0].closed).toBe(true);
  });

  test("a 16 MiB frame uses the 25th length bit", () => {
    const payload = new Uint8Array(2 ** 24);
    const f = encodeFrame(0, payload);
    expect([...f.subarray(0, 4)]).toEqual([0x08, 0, 0, 0]);
    const sizes: number[] = [];
    const r = new FrameReader(2 ** 24, (_t, p) => sizes.push(p.length), (m) => {
      throw new Error(m);
    });
    r.feed(f.subarray(0, 3));
    r.feed(f.subarray(3, 1000));
    r.feed(f.subarray(1000));
    expect(sizes).toEqual([2 ** 24]);
    expect([...encodeFrame(1, new Uint8Array(0x0a0b0c))].slice(0, 4)).toEqual([1, 0x0a, 0x0b, 0x0c]);
  });

  test("the client's maximum length bounds what we send: a RESULT becomes an ERROR, an EVENT is dropped", async () => {
    const { ch, peers } = server();
    ch.onData(Uint8Array.of(0x7f, 0x01, 0, 0)); // client accepts 512 bytes
    const peer = peers[0];
    const huge = ["x".repeat(1000)];
    expect(peer.send({ type: MessageType.RESULT, request: 9, details: {}, args: huge })).toBe(false);
    expect(peer.send({ type: MessageType.EVENT, subscription: 1, publication: 2, details: {}, args: huge })).toBe(false);
    expect(peer.send({ type: MessageType.RESULT, request: 10, details: {}, args: [1] })).toBe(true);
    await nextTurn();
    const sent = writtenFrames(ch.output()).map((f) => JSON.parse(dec.decode(f.payload)));
    expect(sent.length).toBe(2);
    expect(sent[0]).toMatchObject({ type: MessageType.ERROR, requestType: MessageType.CALL, request: 9, error: Errors.MESSAGE_TOO_LARGE });
    expect(sent[1]).toMatchObject({ type: MessageType.RESULT, request: 10 });
    expect(peer.closed).toBe(false);
  });

  test("messages sent on the peer arrive framed, JSON as UTF-8", async () => {
    const { ch, peers } = server();
    ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    peers[0].send(call(5));
    await nextTurn();
    const frames = writtenFrames(ch.output());
    expect(frames[0].type).toBe(0);
    expect(JSON.parse(dec.decode(frames[0].payload))).toEqual(call(5));
  });

  test("closing the channel closes the peer once", () => {
    const { ch, peers } = server();
    ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    let closes = 0;
    peers[0].onClose = () => closes++;
    ch.onClose();
    ch.onClose();
    expect(closes).toBe(1);
    expect(peers[0].closed).toBe(true);
  });
});
