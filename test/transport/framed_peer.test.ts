import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../src/util/clock.ts";
import { createLogger } from "../../src/util/log.ts";
import { Errors } from "../../src/wamp/errors.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Message } from "../../src/wamp/messages.ts";
import { acceptWebSocket } from "../../src/transport/websocket.ts";
import { fakeFrameChannel, fakeSerializer, nextTurn } from "./_fakes.ts";

const hello: Message = { type: MessageType.HELLO, realm: "realm1", details: {} };

function setup(opts: { binary?: boolean; maxMessageLength?: number } = {}) {
  const clock = createManualClock();
  const lines: string[] = [];
  const ch = fakeFrameChannel();
  const peer = acceptWebSocket(ch, fakeSerializer(opts.binary), {
    clock,
    maxMessageLength: opts.maxMessageLength,
    logger: createLogger({ write: (l) => lines.push(l), level: "debug" }),
  });
  const got: Message[] = [];
  peer.onMessage = (m) => got.push(m);
  let closes = 0;
  peer.onClose = () => closes++;
  const sentMessages = () => ch.sent.map((d) => JSON.parse(typeof d === "string" ? d : new TextDecoder().decode(d)));
  return { clock, ch, peer, got, lines, closeCount: () => closes, sentMessages };
}

describe("framed peer: incoming", () => {
  test("a frame is decoded and delivered to onMessage", () => {
    const { ch, got, peer } = setup();
    ch.onFrame(JSON.stringify(hello));
    expect(got).toEqual([hello]);
    expect(peer.details).toEqual({
      transport: "websocket",
      serializer: "fakejson",
      remoteAddress: "10.0.0.1",
      remotePort: 4242,
      tls: false,
    });
  });

  test("an undecodable frame gets ABORT wamp.error.protocol_violation and a close", async () => {
    const { ch, got, peer, sentMessages } = setup();
    ch.onFrame("{not json");
    ch.onFrame(JSON.stringify(hello)); // after the violation nothing more is delivered
    await nextTurn();
    expect(got).toEqual([]);
    expect(peer.closed).toBe(true);
    expect(sentMessages()).toEqual([{ type: 3, details: { message: "not JSON" }, reason: Errors.PROTOCOL_VIOLATION }]);
    expect(ch.closes).toEqual([{ code: 1002, reason: Errors.PROTOCOL_VIOLATION }]);
  });

  test("a non-ProtocolViolation decoder error is reported the same way, naming the serializer", () => {
    const { ch, sentMessages } = setup();
    const s = fakeSerializer();
    s.decode = () => {
      throw new RangeError("boom");
    };
    const peer2 = acceptWebSocket(ch, s);
    ch.onFrame("[]");
    expect(peer2.closed).toBe(true);
    expect(sentMessages()[0].details.message).toBe("cannot decode fakejson message: boom");
  });

  test("a throwing message handler is logged and does not break later deliveries", () => {
    const { ch, peer, lines } = setup();
    const got: Message[] = [];
    peer.onMessage = (m) => {
      got.push(m);
      if (got.length === 1) throw new Error("handler bug");
    };
    expect(() => ch.onFrame(JSON.stringify(hello))).not.toThrow();
    ch.onFrame(JSON.stringify(hello));
    expect(got.length).toBe(2);
    expect(peer.closed).toBe(false);
    expect(lines.some((l) => l.includes("handler bug"))).toBe(true);
  });

  test("a binary frame on a JSON session is decoded from UTF-8", () => {
    const { ch, got } = setup();
    ch.onFrame(new TextEncoder().encode(JSON.stringify(hello)));
    expect(got).toEqual([hello]);
  });

  test("invalid UTF-8 in a binary frame on a JSON session is a protocol violation", () => {
    const { ch, peer, sentMessages } = setup();
    ch.onFrame(Uint8Array.of(0x5b, 0xff, 0x5d));
    expect(peer.closed).toBe(true);
    expect(sentMessages()[0].reason).toBe(Errors.PROTOCOL_VIOLATION);
  });

  test("a text frame on a binary session is a protocol violation", () => {
    const { ch, peer, got, sentMessages } = setup({ binary: true });
    ch.onFrame(JSON.stringify(hello));
    expect(got).toEqual([]);
    expect(peer.closed).toBe(true);
    expect(sentMessages()[0].details.message).toContain("text frame received on a fakebin session");
  });

  test("a frame over the maximum message length gets an ABORT naming the limit and a 1009 close", () => {
    const { ch, peer, got, sentMessages } = setup({ maxMessageLength: 64 });
    ch.onFrame(JSON.stringify({ ...hello, details: { pad: "x".repeat(100) } }));
    expect(got).toEqual([]);
    expect(peer.closed).toBe(true);
    const abort = sentMessages()[0];
    expect(abort.reason).toBe(Errors.MESSAGE_TOO_LARGE);
    expect(abort.details.message).toMatch(/exceeds the maximum message length of 64 bytes/);
    expect(ch.closes[0].code).toBe(1009);
  });
});

describe("framed peer: closing", () => {
  test("close() flushes what is queued, then closes the channel", () => {
    const { ch, peer } = setup();
    peer.send(hello);
    peer.close(1000, "wamp.close.normal");
    expect(ch.sent.length).toBe(1);
    expect(ch.closes).toEqual([{ code: 1000, reason: "wamp.close.normal" }]);
    expect(peer.send(hello)).toBe(false);
  });

  test("onClose fires once when the channel closes, whoever closed it", () => {
    const { ch, peer, closeCount } = setup();
    peer.close();
    ch.onClose(1000, "");
    ch.onClose(1000, "");
    expect(closeCount()).toBe(1);
    expect(peer.closed).toBe(true);
    expect(peer.buffered).toBe(0);
  });

  test("a close that does not complete in time terminates the connection and fires onClose", () => {
    const { clock, ch, peer, closeCount } = setup();
    peer.close();
    expect(closeCount()).toBe(0);
    clock.advance(3000);
    expect(ch.terminated).toBe(true);
    expect(closeCount()).toBe(1);
  });

  test("a throwing onClose handler is contained", () => {
    const { ch, peer } = setup();
    peer.onClose = () => {
      throw new Error("cleanup bug");
    };
    expect(() => ch.onClose(1006, "")).not.toThrow();
  });

  test("a channel whose send throws is treated as closed, send() never throws", async () => {
    const { ch, peer, closeCount } = setup();
    ch.send = () => {
      throw new Error("socket gone");
    };
    expect(peer.send(hello)).toBe(true);
    await nextTurn();
    expect(peer.closed).toBe(true);
    expect(closeCount()).toBe(1);
  });

  test("a message the serializer cannot encode is refused with false, and logged", () => {
    const { peer, lines } = setup();
    const bad = { ...hello, details: { n: 10n } } as unknown as Message;
    expect(peer.send(bad)).toBe(false);
    expect(peer.closed).toBe(false);
    expect(lines.some((l) => l.includes("cannot encode"))).toBe(true);
  });
});
