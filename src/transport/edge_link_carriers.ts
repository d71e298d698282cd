import type { ByteChannel, FrameChannel, WireData } from "./channel.ts";
import { errorText } from "./framed_peer.ts";
import { encodeFrame, FrameReader, FrameType } from "./rawsocket_framing.ts";

// The two carriers of an edge link (edge_link.ts): whole link frames over a WebSocket (one
// binary message each) or over a RawSocket stream (one MESSAGE frame each).

/** One connection that carries whole link frames: a WebSocket or a RawSocket stream. */
export interface LinkCarrier {
  readonly remoteAddress: string;
  readonly remotePort?: number;
  readonly tls: boolean;
  /** Bytes the runtime still holds for the socket. */
  readonly bufferedAmount: number;
  writeBatch(frames: Uint8Array[]): void;
  /** Graceful: what was written goes out, then the connection closes. */
  close(protocolError: boolean): void;
  /** Abrupt: no more bytes, no close handshake. */
  terminate(): void;
  /** Set by the link. A string is a WebSocket text message (not allowed on the link). */
  onFrame: (frame: Uint8Array | string) => void;
  /** Set by the link; `why` says what ended the connection when the carrier knows. */
  onClose: (why?: string) => void;
  onDrain: () => void;
  /** Carrier-level framing failure (RawSocket prefix errors). */
  onError: (message: string, tooLarge: boolean) => void;
}

/** A carrier over a WebSocket (server side after the upgrade, or a client WebSocket). */
export function webSocketCarrier(channel: FrameChannel): LinkCarrier {
  const carrier: LinkCarrier = {
    remoteAddress: channel.remoteAddress,
    remotePort: channel.remotePort,
    tls: channel.tls,
    get bufferedAmount() {
      return channel.bufferedAmount;
    },
    writeBatch(frames) {
      const send = () => {
        for (const f of frames) channel.send(f);
      };
      if (channel.cork) channel.cork(send);
      else send();
    },
    close: (protocolError) => channel.close(protocolError ? 1002 : 1000, protocolError ? "protocol violation" : "link closed"),
    terminate: () => (channel.terminate ? channel.terminate() : channel.close()),
    onFrame: () => {},
    onClose: () => {},
    onDrain: () => {},
    onError: () => {},
  };
  channel.onFrame = (data: WireData) => carrier.onFrame(data);
  channel.onClose = (code, reason) => carrier.onClose(code === 1000 || code === 1005 ? undefined : `WebSocket closed with code ${code}${reason ? ` (${reason})` : ""}`);
  channel.onDrain = () => carrier.onDrain();
  return carrier;
}

/**
 * A carrier over a TCP/TLS stream whose RawSocket handshake is done: one RawSocket MESSAGE frame
 * per link frame; RawSocket PINGs are answered. `ourMax` is the length we announced.
 */
export function rawSocketCarrier(channel: ByteChannel, ourMax: number, closeTimeoutMs = 3000): LinkCarrier {
  let destroyTimer: ReturnType<typeof setTimeout> | undefined;
  const carrier: LinkCarrier = {
    remoteAddress: channel.remoteAddress,
    remotePort: channel.remotePort,
    tls: channel.tls,
    get bufferedAmount() {
      return channel.bufferedBytes;
    },
    writeBatch(frames) {
      let total = 0;
      for (const f of frames) total += 4 + f.byteLength;
      const out = new Uint8Array(total);
      let at = 0;
      for (const f of frames) {
        const len = f.byteLength;
        // The RawSocket prefix (rawsocket_framing.ts), written in place to save a copy per frame.
        if (len === 2 ** 24) out[at] = FrameType.MESSAGE | 0x08;
        else {
          out[at] = FrameType.MESSAGE;
          out[at + 1] = (len >>> 16) & 0xff;
          out[at + 2] = (len >>> 8) & 0xff;
          out[at + 3] = len & 0xff;
        }
        out.set(f, at + 4);
        at += 4 + len;
      }
      channel.write(out);
    },
    close() {
      reader.stop();
      channel.end();
      // A peer that never closes its side must not hold the socket.
      destroyTimer ??= setTimeout(() => channel.destroy(), closeTimeoutMs);
    },
    terminate() {
      reader.stop();
      channel.destroy();
    },
    onFrame: () => {},
    onClose: () => {},
    onDrain: () => {},
    onError: () => {},
  };
  const reader = new FrameReader(ourMax, (type, payload) => {
    if (type === FrameType.MESSAGE) carrier.onFrame(payload);
    else if (type === FrameType.PING) channel.write(encodeFrame(FrameType.PONG, payload));
  }, (message, tooLarge) => carrier.onError(message, tooLarge));
  channel.onData = (chunk) => {
    try {
      reader.feed(chunk);
    } catch (err) {
      // Defensive: the link catches its own errors; nothing may escape into the runtime.
      reader.stop();
      channel.destroy();
      carrier.onClose(`read failed: ${errorText(err)}`);
    }
  };
  channel.onClose = (err) => {
    reader.stop();
    if (destroyTimer) clearTimeout(destroyTimer);
    carrier.onClose(err ? `connection error: ${err.message}` : undefined);
  };
  channel.onDrain = () => carrier.onDrain();
  return carrier;
}
