import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../src/util/clock.ts";
import { Errors } from "../../src/wamp/errors.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Call, Event, Message } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import { OutboundQueue } from "../../src/transport/outbound_queue.ts";
import { acceptWebSocket } from "../../src/transport/websocket.ts";
import { acceptRawSocket } from "../../src/transport/rawsocket.ts";
import { fakeByteChannel, fakeFrameChannel, fakeSerializer, nextTurn } from "./_fakes.ts";

const event = (n: number): Event => ({
  type: MessageType.EVENT,
  subscription: 1,
  publication: n,
  details: {},
  args: [n],
});

function slowSetup(opts: { maxBufferedBytes?: number; graceMs?: number } = {}) {
  const clock = createManualClock();
  const ch = fakeFrameChannel();
  const slow: Peer[] = [];
  const peer = acceptWebSocket(ch, fakeSerializer(), {
    clock,
    outbound: {
      maxBufferedBytes: opts.maxBufferedBytes ?? 1000,
      graceMs: opts.graceMs ?? 5000,
      onSlowConsumer: (p) => slow.push(p),
    },
  });
  return { clock, ch, peer, slow };
}

describe("outbound queue: batching", () => {
  test("messages sent in one turn are flushed together, once, inside cork", async () => {
    const ch = fakeFrameChannel();
    const peer = acceptWebSocket(ch, fakeSerializer());
    for (let i = 0; i < 10; i++) expect(peer.send(event(i))).toBe(true);
    expect(ch.sent.length).toBe(0);
    expect(peer.buffered).toBeGreaterThan(0);
    await nextTurn();
    expect(ch.sent.length).toBe(10);
    expect(ch.corks).toBe(1);
    expect(JSON.parse(ch.sent[9] as string).publication).toBe(9);
    peer.send(event(10));
    peer.send(event(11));
    await nextTurn();
    expect(ch.sent.length).toBe(12);
    expect(ch.corks).toBe(2);
  });

  test("a queue with nothing pushed never calls the sink", async () => {
    let batches = 0;
    const q = new OutboundQueue({ bufferedAmount: 0, writeBatch: () => batches++, slowConsumer: () => {} });
    q.flush();
    await nextTurn();
    expect(batches).toBe(0);
  });

  test("RawSocket batches one turn's frames into a single write", async () => {
    const ch = fakeByteChannel();
    let peer: Peer | undefined;
    acceptRawSocket(ch, { serializers: [fakeSerializer()], onPeer: (p) => (peer = p) });
    ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    expect(ch.written.length).toBe(1); // handshake reply
    for (let i = 0; i < 5; i++) peer!.send(event(i));
    await nextTurn();
    expect(ch.written.length).toBe(2);
  });
});

describe("outbound queue: slow consumer", () => {
  test("a peer over the bound reports overLimit but still gets every message", async () => {
    const { ch, peer, slow } = slowSetup();
    ch.buffered = 1500; // the socket holds more than maxBufferedBytes
    expect(peer.overLimit).toBe(true);
    expect(peer.send(event(1))).toBe(true);
    await nextTurn();
    expect(ch.sent.length).toBe(1);
    expect(peer.closed).toBe(false);
    expect(slow.length).toBe(0);
  });

  test("staying over the bound longer than graceMs closes the peer with 1008 and an ABORT", async () => {
    const { clock, ch, peer, slow } = slowSetup();
    ch.buffered = 1500;
    peer.send(event(1));
    await nextTurn(); // flush sees the socket over the bound: grace starts
    clock.advance(4999);
    expect(peer.closed).toBe(false);
    clock.advance(2);
    expect(peer.closed).toBe(true);
    expect(slow).toEqual([peer]);
    const last = JSON.parse(ch.sent[ch.sent.length - 1] as string);
    expect(last.type).toBe(MessageType.ABORT);
    expect(last.reason).toBe(Errors.SLOW_CONSUMER);
    expect(ch.closes).toEqual([{ code: 1008, reason: Errors.SLOW_CONSUMER }]);
    expect(peer.send(event(2))).toBe(false);
  });

  test("getting back under the bound within graceMs keeps the peer", async () => {
    const { clock, ch, peer, slow } = slowSetup();
    ch.buffered = 1500;
    peer.send(event(1));
    await nextTurn();
    clock.advance(3000);
    ch.buffered = 0;
    ch.onDrain?.(); // the runtime reports the drain
    clock.advance(10_000);
    expect(peer.closed).toBe(false);
    expect(slow.length).toBe(0);
    expect(peer.overLimit).toBe(false);
  });

  test("without a drain event the grace check re-reads the buffer and keeps a recovered peer", async () => {
    const { clock, ch, peer } = slowSetup();
    ch.buffered = 1500;
    peer.send(event(1));
    await nextTurn();
    ch.buffered = 10; // drained, but the runtime (Deno) does not say so
    clock.advance(6000);
    expect(peer.closed).toBe(false);
  });

  test("reaching twice the bound closes at once, without waiting for graceMs", async () => {
    const { ch, peer, slow } = slowSetup();
    ch.buffered = 2000;
    peer.send(event(1));
    await nextTurn();
    expect(peer.closed).toBe(true);
    expect(slow.length).toBe(1);
    expect(ch.closes[0].code).toBe(1008);
  });

  test("queued bytes alone count: a burst past twice the bound closes synchronously", () => {
    const { ch, peer, slow } = slowSetup({ maxBufferedBytes: 500 });
    const big: Message = { ...event(1), args: ["x".repeat(600)] };
    expect(peer.send(big)).toBe(true);
    expect(peer.overLimit).toBe(true);
    expect(peer.send(big)).toBe(true);
    expect(peer.closed).toBe(true);
    expect(slow.length).toBe(1);
    // The backlog was discarded; only the ABORT went out.
    expect(ch.sent.length).toBe(1);
    expect(JSON.parse(ch.sent[0] as string).reason).toBe(Errors.SLOW_CONSUMER);
  });

  test("a RawSocket slow consumer gets an ABORT frame, then the socket is ended", async () => {
    const clock = createManualClock();
    const ch = fakeByteChannel();
    let peer: Peer | undefined;
    let count = 0;
    acceptRawSocket(ch, {
      serializers: [fakeSerializer()],
      clock,
      outbound: { maxBufferedBytes: 100, graceMs: 50, onSlowConsumer: () => count++ },
      onPeer: (p) => (peer = p),
    });
    ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    ch.buffered = 150;
    peer!.send(event(1));
    await nextTurn();
    clock.advance(51);
    expect(count).toBe(1);
    expect(ch.ended).toBe(true);
    const lastWrite = ch.written[ch.written.length - 1];
    const abort = JSON.parse(new TextDecoder().decode(lastWrite.subarray(4)));
    expect(abort.reason).toBe(Errors.SLOW_CONSUMER);
    clock.advance(3000); // the close did not complete: the connection is cut
    expect(ch.destroyed).toBe(true);
    expect(peer!.closed).toBe(true);
  });
});

describe("outbound queue: encode once", () => {
  test("one EVENT sent to 100 peers with the same serializer is encoded once", async () => {
    const s = fakeSerializer();
    const channels = Array.from({ length: 100 }, () => fakeFrameChannel());
    const peers = channels.map((ch) => acceptWebSocket(ch, s));
    const ev = event(7);
    for (const p of peers) p.send(ev);
    expect(s.encodes).toBe(1);
    await nextTurn();
    expect(channels.every((ch) => ch.sent.length === 1 && ch.sent[0] === channels[0].sent[0])).toBe(true);
  });

  test("each serializer encodes the message once; a new message is encoded again", () => {
    const a = fakeSerializer();
    const b = fakeSerializer(true);
    const peers = [
      ...Array.from({ length: 10 }, () => acceptWebSocket(fakeFrameChannel(), a)),
      ...Array.from({ length: 10 }, () => acceptWebSocket(fakeFrameChannel(), b)),
    ];
    const ev = event(1);
    for (const p of peers) p.send(ev);
    expect(a.encodes).toBe(1);
    expect(b.encodes).toBe(1);
    for (const p of peers) p.send(event(2));
    expect(a.encodes).toBe(11);
  });

  test("RawSocket fan-out encodes and frames once", () => {
    const s = fakeSerializer();
    const peers: Peer[] = [];
    for (let i = 0; i < 100; i++) {
      const ch = fakeByteChannel();
      acceptRawSocket(ch, { serializers: [s], onPeer: (p) => peers.push(p) });
      ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    }
    const ev = event(3);
    for (const p of peers) p.send(ev);
    expect(s.encodes).toBe(1);
  });
});
