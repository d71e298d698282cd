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
  const clock: Clock = opts.clock ?? systemClock;
  return new Promise<Peer>((resolve, reject) => {
    const reply = new Uint8Array(4);
    let fill = 0;
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      channel.destroy();
      reject(new Error(`RawSocket handshake with ${where} failed: ${why}`));
    };
    const timer = clock.setTimeout(() => fail(`no reply within ${timeoutMs} ms`), timeoutMs);
    channel.onClose = (err) =>
      fail(err ? `connection closed (${err.message})` : "connection closed by the router");
    channel.onDrain = () => {};
    channel.onData = (chunk) => {
      if (settled) return;
      let i = 0;
      while (fill < 4 && i < chunk.length) reply[fill++] = chunk[i++];
      if (fill < 4) return;
      if (reply[0] !== MAGIC) return fail(`not a WAMP RawSocket router (first octet 0x${hex(reply[0])})`);
      const serializerId = reply[1] & 0x0f;
      if (serializerId === 0) {
        const code = reply[1] >> 4;
        return fail(`router refused: ${handshakeErrorName(code)} (error ${code})`);
      }
      if (serializerId !== serializer.rawsocketId) {
        return fail(`router answered with serializer ${serializerId}, requested ${serializer.rawsocketId}`);
      }
      settled = true;
      clock.clearTimeout(timer);
      const routerMax = exponentLength(reply[1] >> 4);
      const { peer, feed } = startRawSocketPeer(channel, serializer, ourMax, routerMax, opts);
      resolve(peer);
      if (i < chunk.length) {
        // Bytes that came with the reply are messages: hold them (and any chunk arriving
        // meanwhile, in order) until the caller has had the peer and set its onMessage.
        const held = [chunk.subarray(i)];
        channel.onData = (more) => void held.push(more);
        setTimeout(() => {
          channel.onData = feed;
          for (const c of held) feed(c);
        }, 0);
      }
    };
    channel.write(handshakeRequest(ourMax, serializer.rawsocketId));
  });
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
