import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../src/util/clock.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Message } from "../../src/wamp/messages.ts";
import { connectRawSocket } from "../../src/transport/rawsocket_client.ts";
import { encodeFrame } from "../../src/transport/rawsocket_framing.ts";
import { concatBytes, fakeByteChannel, fakeSerializer, nextTurn } from "./_fakes.ts";

const welcome: Message = { type: MessageType.WELCOME, session: 1, details: {} };

function dial(opts: { maxMessageLength?: number } = {}) {
  const ch = fakeByteChannel();
  const clock = createManualClock();
  const promise = connectRawSocket("127.0.0.1", 8080, fakeSerializer(), {
    connect: () => Promise.resolve(ch),
    clock,
    timeoutMs: 1000,
    ...opts,
  });
  return { ch, clock, promise };
}

describe("connectRawSocket", () => {
  test("sends the handshake with our maximum length and serializer id", async () => {
    const { ch, promise } = dial({ maxMessageLength: 65536 });
    await nextTurn();
    expect([...ch.output()]).toEqual([0x7f, 0x71, 0, 0]);
    ch.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
    const peer = await promise;
    expect(peer.details.transport).toBe("rawsocket");
  });

  test("resolves with a peer that receives messages following the reply in the same chunk", async () => {
    const { ch, promise } = dial();
    await nextTurn();
    ch.onData(concatBytes([Uint8Array.of(0x7f, 0xf1, 0, 0), encodeFrame(0, new TextEncoder().encode(JSON.stringify(welcome)))]));
    const peer = await promise;
    const got: Message[] = [];
    peer.onMessage = (m) => got.push(m);
    await nextTurn();
    expect(got).toEqual([welcome]);
  });

  test("rejects naming the handshake error the router replied", async () => {
    const { ch, promise } = dial();
    await nextTurn();
    ch.onData(Uint8Array.of(0x7f, 0x40, 0, 0));
    await expect(promise).rejects.toThrow(
      "RawSocket handshake with rawsocket://127.0.0.1:8080 failed: router refused: maximum connection count reached (error 4)",
    );
    expect(ch.destroyed).toBe(true);
  });

  test("rejects a reply that is not RawSocket", async () => {
    const { ch, promise } = dial();
    await nextTurn();
    ch.onData(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n"));
    await expect(promise).rejects.toThrow("not a WAMP RawSocket router (first octet 0x48)");
  });

  test("rejects when the router answers with another serializer", async () => {
    const { ch, promise } = dial();
    await nextTurn();
    ch.onData(Uint8Array.of(0x7f, 0xf2, 0, 0));
    await expect(promise).rejects.toThrow("router answered with serializer 2, requested 1");
  });

  test("rejects when the connection closes during the handshake", async () => {
    const { ch, promise } = dial();
    await nextTurn();
    ch.onClose();
    await expect(promise).rejects.toThrow("connection closed by the router");
  });

  test("rejects when no reply comes in time", async () => {
    const { clock, promise } = dial();
    await nextTurn();
    clock.advance(1001);
    await expect(promise).rejects.toThrow("no reply within 1000 ms");
  });

  test("rejects with the address when the connection cannot be made", async () => {
    const promise = connectRawSocket("127.0.0.1", 1, fakeSerializer(), {
      connect: () => Promise.reject(new Error("connection refused")),
    });
    await expect(promise).rejects.toThrow("Cannot connect to rawsocket://127.0.0.1:1: connection refused");
  });

  test("the router's announced length bounds what the client sends", async () => {
    const { ch, promise } = dial();
    await nextTurn();
    ch.onData(Uint8Array.of(0x7f, 0x01, 0, 0)); // router accepts 512 bytes
    const peer = await promise;
    const call: Message = { type: MessageType.CALL, request: 1, options: {}, procedure: "p", args: ["x".repeat(600)] };
    expect(peer.send(call)).toBe(false);
  });
});
