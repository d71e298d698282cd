import { type Clock, systemClock } from "../util/clock.ts";
import type { Peer } from "../wamp/peer.ts";
import type { Serializer } from "../wamp/serializer.ts";
import type { ByteChannel, TcpConnect, TcpConnectOptions } from "./channel.ts";
import { errorText } from "./framed_peer.ts";
import { announcedLength, type RawSocketPeerOptions, startRawSocketPeer } from "./rawsocket.ts";
import { exponentLength, handshakeErrorName, handshakeRequest, MAGIC } from "./rawsocket_framing.ts";

export interface RawSocketConnectOptions extends RawSocketPeerOptions {
  /** Opens the TCP connection: the runtime's `connectTcp` (node:net based). */
  connect: TcpConnect;
  tls?: TcpConnectOptions["tls"];
  /** Connect + handshake must finish within this. Default 10000 ms. */
  timeoutMs?: number;
}

/**
 * Client side of WAMP-over-RawSocket: connects, performs the handshake and resolves with a Peer
 * (before HELLO: the WAMP session is the caller's business). Rejects with an Error naming the
 * address and the cause: refused connection, timeout, a handshake error reply, a router that
 * is not speaking RawSocket.
 */
export async function connectRawSocket(
  host: string,
  port: number,
  serializer: Serializer,
  opts: RawSocketConnectOptions,
): Promise<Peer> {
  const where = `rawsocket://${host}:${port}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let channel: ByteChannel;
  try {
    channel = await opts.connect({ host, port, tls: opts.tls, timeoutMs });
  } catch (err) {
    throw new Error(`Cannot connect to ${where}: ${errorText(err)}`);
  }
  const ourMax = announcedLength(opts.maxMessageLength);
  return await handshake(channel, serializer, ourMax, where, timeoutMs, opts);
}

function handshake(
  channel: ByteChannel,
  serializer: Serializer,
  ourMax: number,
  where: string,
  timeoutMs: number,
  opts: RawSocketConnectOptions,
): Promise<Peer> {
  return clientHandshake(channel, serializer.rawsocketId, ourMax, timeoutMs, opts.clock ?? systemClock, "router").then(
    ({ theirMax, leftover }) => {
      const { peer } = startRawSocketPeer(channel, serializer, ourMax, theirMax, opts);
      if (leftover) deliverLeftover(channel, leftover);
      return peer;
    },
    (err: RawSocketHandshakeError) => {
      throw new Error(`RawSocket handshake with ${where} failed: ${err.message}`);
    },
  );
}

/** Why a client-side RawSocket handshake failed; `code` is the router's error code for "refused". */
export class RawSocketHandshakeError extends Error {
  constructor(message: string, readonly kind: "timeout" | "closed" | "not_rawsocket" | "refused" | "serializer", readonly code?: number) {
    super(message);
  }
}

/**
 * The client half of the RawSocket handshake on a connected channel: sends the request for
 * `serializerId`, waits for the reply. Resolves with the other side's announced maximum and any
 * bytes that came with the reply; rejects (and destroys the channel) with a
 * RawSocketHandshakeError. `other` names the other side in messages ("router", "core").
 * Shared by WAMP-over-RawSocket and the edge link's tcp carrier.
 */
export function clientHandshake(
  channel: ByteChannel,
  serializerId: number,
  ourMax: number,
  timeoutMs: number,
  clock: Clock,
  other: string,
): Promise<{ theirMax: number; leftover?: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const reply = new Uint8Array(4);
    let fill = 0;
    let settled = false;
    const fail = (why: string, kind: RawSocketHandshakeError["kind"], code?: number) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      channel.destroy();
      reject(new RawSocketHandshakeError(why, kind, code));
    };
    const timer = clock.setTimeout(() => fail(`no reply within ${timeoutMs} ms`, "timeout"), timeoutMs);
    channel.onClose = (err) =>
      fail(err ? `connection closed (${err.message})` : `connection closed by the ${other}`, "closed");
    channel.onDrain = () => {};
    channel.onData = (chunk) => {
      if (settled) return;
      let i = 0;
      while (fill < 4 && i < chunk.length) reply[fill++] = chunk[i++];
      if (fill < 4) return;
      if (reply[0] !== MAGIC) return fail(`not a WAMP RawSocket ${other} (first octet 0x${hex(reply[0])})`, "not_rawsocket");
      const answered = reply[1] & 0x0f;
      if (answered === 0) {
        const code = reply[1] >> 4;
        return fail(`${other} refused: ${handshakeErrorName(code)} (error ${code})`, "refused", code);
      }
      if (answered !== serializerId) {
        return fail(`${other} answered with serializer ${answered}, requested ${serializerId}`, "serializer");
      }
      settled = true;
      clock.clearTimeout(timer);
      resolve({ theirMax: exponentLength(reply[1] >> 4), leftover: i < chunk.length ? chunk.subarray(i) : undefined });
    };
    channel.write(handshakeRequest(ourMax, serializerId));
  });
}

/**
 * Bytes that came with the handshake reply are messages: hold them (and any chunk arriving
 * meanwhile, in order) until the next turn, so whoever receives what the caller built has set
 * its handlers, then hand them to the channel's (new) onData.
 */
export function deliverLeftover(channel: ByteChannel, leftover: Uint8Array): void {
  const feed = channel.onData;
  const held = [leftover];
  channel.onData = (more) => void held.push(more);
  setTimeout(() => {
    channel.onData = feed;
    for (const c of held) feed(c);
  }, 0);
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
