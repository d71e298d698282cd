// Test doubles for the transport layer: a counting serializer and in-memory channels.
import { ProtocolViolation } from "../../src/wamp/errors.ts";
import type { Message } from "../../src/wamp/messages.ts";
import type { Serializer } from "../../src/wamp/serializer.ts";
import type { ByteChannel, FrameChannel, WireData } from "../../src/transport/channel.ts";

export interface CountingSerializer extends Serializer {
  encodes: number;
}

/** JSON of the message object itself: enough to test framing, not the WAMP codec. */
export function fakeSerializer(binary = false): CountingSerializer {
  const s: CountingSerializer = {
    name: binary ? "fakebin" : "fakejson",
    subprotocol: binary ? "wamp.2.fakebin" : "wamp.2.fakejson",
    rawsocketId: binary ? 2 : 1,
    binary,
    encodes: 0,
    encode(msg: Message) {
      s.encodes++;
      const text = JSON.stringify(msg);
      return binary ? new TextEncoder().encode(text) : text;
    },
    decode(data: Uint8Array | string): Message {
      let v: unknown;
      try {
        v = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
      } catch {
        throw new ProtocolViolation("not JSON");
      }
      if (typeof v !== "object" || v === null || typeof (v as Message).type !== "number") {
        throw new ProtocolViolation("not a message");
      }
      return v as Message;
    },
  };
  return s;
}

export interface FakeFrameChannel extends FrameChannel {
  sent: WireData[];
  corks: number;
  closes: Array<{ code?: number; reason?: string }>;
  terminated: boolean;
  buffered: number;
}

export function fakeFrameChannel(protocol = "wamp.2.fakejson"): FakeFrameChannel {
  const ch: FakeFrameChannel = {
    protocol,
    remoteAddress: "10.0.0.1",
    remotePort: 4242,
    tls: false,
    sent: [],
    corks: 0,
    closes: [],
    terminated: false,
    buffered: 0,
    get bufferedAmount() {
      return ch.buffered;
    },
    send(data) {
      ch.sent.push(data);
    },
    close(code, reason) {
      ch.closes.push({ code, reason });
    },
    terminate() {
      ch.terminated = true;
    },
    cork(fn) {
      ch.corks++;
      fn();
    },
    onFrame: () => {},
    onClose: () => {},
  };
  return ch;
}

export interface FakeByteChannel extends ByteChannel {
  written: Uint8Array[];
  ended: boolean;
  destroyed: boolean;
  buffered: number;
  /** Everything written so far, as one buffer. */
  output(): Uint8Array;
}

export function fakeByteChannel(): FakeByteChannel {
  const ch: FakeByteChannel = {
    remoteAddress: "10.0.0.2",
    remotePort: 5555,
    tls: false,
    written: [],
    ended: false,
    destroyed: false,
    buffered: 0,
    get bufferedBytes() {
      return ch.buffered;
    },
    write(bytes) {
      ch.written.push(bytes.slice());
      return true;
    },
    end() {
      ch.ended = true;
    },
    destroy() {
      ch.destroyed = true;
    },
    output() {
      return concatBytes(ch.written);
    },
    onData: () => {},
    onClose: () => {},
    onDrain: () => {},
  };
  return ch;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Resolves after the outbound queues' end-of-turn flush (setImmediate by default). */
export async function nextTurn(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 0));
}
