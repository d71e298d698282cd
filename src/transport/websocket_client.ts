import { type Clock, systemClock } from "../util/clock.ts";
import type { Peer } from "../wamp/peer.ts";
import type { Serializer } from "../wamp/serializer.ts";
import type { FrameChannel } from "./channel.ts";
import { acceptWebSocket, type WebSocketPeerOptions } from "./websocket.ts";

export interface WebSocketConnectOptions extends WebSocketPeerOptions {
  /** Opening handshake must finish within this. Default 10000 ms. */
  timeoutMs?: number;
}

/**
 * Client side of WAMP-over-WebSocket with the runtime's global WebSocket (Bun and Deno both
 * have one). Offers only `serializer.subprotocol` and resolves with a Peer once the router
 * accepted it. Rejects with an Error naming the URL and the cause: refused connection, a
 * refused upgrade (HTTP error), a router that chose no or another subprotocol, a timeout.
 */
export function connectWebSocket(
  url: string,
  serializer: Serializer,
  opts: WebSocketConnectOptions = {},
): Promise<Peer> {
  const clock: Clock = opts.clock ?? systemClock;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise<Peer>((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, [serializer.subprotocol]);
    } catch (err) {
      reject(new Error(`Cannot connect to ${url}: ${err instanceof Error ? err.message : err}`));
      return;
    }
    ws.binaryType = "arraybuffer";
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      try {
        ws.close();
      } catch { /* already closing */ }
      reject(new Error(`Cannot connect to ${url}: ${why}`));
    };
    const timer = clock.setTimeout(() => fail(`no WebSocket handshake within ${timeoutMs} ms`), timeoutMs);
    ws.onerror = () => fail("connection failed (refused, unreachable or upgrade rejected)");
    ws.onclose = (ev) => fail(`closed during the opening handshake (code ${ev.code}${ev.reason ? `, ${ev.reason}` : ""})`);
    ws.onopen = () => {
      if (settled) return;
      if (ws.protocol !== serializer.subprotocol) {
        return fail(`router chose subprotocol "${ws.protocol}", not "${serializer.subprotocol}"`);
      }
      settled = true;
      clock.clearTimeout(timer);
      resolve(acceptWebSocket(webSocketChannel(ws, url), serializer, opts));
    };
  });
}

/** A FrameChannel over a standard (client) WebSocket. */
export function webSocketChannel(ws: WebSocket, url: string): FrameChannel {
  const u = new URL(url);
  const channel: FrameChannel = {
    protocol: ws.protocol,
    remoteAddress: u.hostname,
    remotePort: u.port ? Number(u.port) : u.protocol === "wss:" ? 443 : 80,
    tls: u.protocol === "wss:",
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send(data) {
      ws.send(data);
    },
    close(code, reason) {
      // The WebSocket API only lets a client send 1000 or 3000–4999.
      const allowed = code === 1000 || (code !== undefined && code >= 3000 && code <= 4999);
      ws.close(allowed ? code : 1000, reason && utf8Length(reason) <= 123 ? reason : undefined);
    },
    onFrame: () => {},
    onClose: () => {},
  };
  ws.onmessage = (ev: MessageEvent) => {
    const d = ev.data;
    channel.onFrame(typeof d === "string" ? d : new Uint8Array(d as ArrayBuffer));
  };
  ws.onerror = () => {};
  ws.onclose = (ev) => channel.onClose(ev.code, ev.reason);
  return channel;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).byteLength;
}
