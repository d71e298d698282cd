import { connectRawSocket, connectWebSocket, type TcpConnect } from "../src/transport/mod.ts";
import { type Message, MessageType as T, type Peer, type Serializer } from "../src/wamp/mod.ts";
import type { Clock, TimerHandle } from "../src/util/mod.ts";
import type { KeepaliveTarget } from "./keepalive.ts";
import { connectionOver } from "./link_transport.ts";
import { tapPeer } from "./peer_tap.ts";
import type { UplinkTransport } from "./uplink.ts";

/**
 * Compat mode: the same RealmBridge over plain WAMP — one standard WAMP connection (WebSocket
 * or RawSocket) per bridged realm — so an edge can uplink to any WAMP router, not only to a
 * Causeway core with an edge listener.
 *
 * Keepalive: plain WAMP has no ping a client can send, so the probe is a cheap CALL to
 * `causeway.edge.keepalive`. No router registers it; any router answers promptly with an ERROR
 * (no_such_procedure, or not_authorized under RBAC) — and any answer proves the path alive.
 * The probe CALLs are injected into the bridge's session, so request ids are renumbered on the
 * way out (the session-scope sequence must stay increasing) and mapped back on the way in.
 */
export const KEEPALIVE_PROCEDURE = "causeway.edge.keepalive";

export interface CompatConnectOptions {
  url: string;
  serializer: Serializer;
  connectTcp: TcpConnect;
  tls?: { ca?: string; rejectUnauthorized?: boolean; serverName?: string };
  timeoutMs?: number;
  maxMessageLength?: number;
  clock?: Clock;
}

/** Opens one plain WAMP connection (before HELLO) to the url's router. */
export async function connectCompatPeer(opts: CompatConnectOptions): Promise<Peer> {
  const u = new URL(opts.url);
  const common = { timeoutMs: opts.timeoutMs, maxMessageLength: opts.maxMessageLength, clock: opts.clock };
  if (u.protocol === "ws:" || u.protocol === "wss:") return await connectWebSocket(opts.url, opts.serializer, common);
  if (u.protocol === "tcp:" || u.protocol === "tls:") {
    const tls = u.protocol === "tls:" ? { ...opts.tls } : undefined;
    const port = Number(u.port);
    return await connectRawSocket(u.hostname.replace(/^\[(.*)\]$/, "$1"), port, opts.serializer, {
      ...common, connect: opts.connectTcp, tls,
    });
  }
  throw new Error(`Cannot connect to ${opts.url}: unsupported scheme "${u.protocol}" (use ws, wss, tcp or tls)`);
}

export interface CompatSession {
  /** The peer to hand to the RealmBridge. */
  peer: Peer;
  /** Keepalive target: probes are CALLs to causeway.edge.keepalive (only once joined). */
  keepalive: KeepaliveTarget;
}

/** Request types whose ids the client picks (session scope) and the router echoes back. */
const CLIENT_REQUESTS = new Set<number>([T.CALL, T.PUBLISH, T.SUBSCRIBE, T.UNSUBSCRIBE, T.REGISTER, T.UNREGISTER]);
const REPLIES = new Set<number>([T.RESULT, T.ERROR, T.PUBLISHED, T.SUBSCRIBED, T.UNSUBSCRIBED, T.REGISTERED, T.UNREGISTERED]);

/**
 * Wraps a compat connection's peer: counts inbound traffic for the keepalive, injects probe
 * CALLs and renumbers request ids (see the file comment).
 */
export function compatSession(inner: Peer, clock: Clock, onGone?: () => void): CompatSession {
  let lastReceivedAt = clock.now();
  let joined = false;
  let nextWire = 0;
  /** Bridge CALL id → wire id while the call is open (progressive continuations, CANCEL). */
  const callToWire = new Map<number, number>();
  /** Wire id → the bridge's id, or a probe's settle function. */
  const fromWire = new Map<number, { bridge: number; call: boolean } | { probe: (ok: boolean) => void }>();

  const outbound = (msg: Message): Message => {
    if (CLIENT_REQUESTS.has(msg.type)) {
      const m = msg as Message & { request: number };
      let wire = m.type === T.CALL ? callToWire.get(m.request) : undefined;
      if (wire === undefined) {
        wire = ++nextWire;
        // A PUBLISH without acknowledge gets no reply: nothing to map back.
        const acked = m.type !== T.PUBLISH || (m as { options: Record<string, unknown> }).options.acknowledge === true;
        if (acked) fromWire.set(wire, { bridge: m.request, call: m.type === T.CALL });
        if (m.type === T.CALL) callToWire.set(m.request, wire);
      }
      return { ...m, request: wire } as Message;
    }
    if (msg.type === T.CANCEL) return { ...msg, request: callToWire.get(msg.request) ?? msg.request };
    return msg;
  };

  const inbound = (msg: Message): Message | undefined => {
    lastReceivedAt = clock.now();
    if (msg.type === T.WELCOME) joined = true;
    if (msg.type === T.GOODBYE || msg.type === T.ABORT) joined = false;
    if (!REPLIES.has(msg.type)) return msg;
    const m = msg as Message & { request: number };
    if (m.request === 0) return msg; // router-initiated UNREGISTERED/UNSUBSCRIBED (revocation)
    const entry = fromWire.get(m.request);
    if (!entry) return msg;
    const final = !(m.type === T.RESULT && (m as { details: Record<string, unknown> }).details.progress === true);
    if (final) fromWire.delete(m.request);
    if ("probe" in entry) {
      entry.probe(true);
      return undefined;
    }
    if (final && entry.call) callToWire.delete(entry.bridge);
    return { ...m, request: entry.bridge } as Message;
  };

  const peer = tapPeer(inner, { inbound, outbound, onGone });
  const keepalive: KeepaliveTarget = {
    lastReceivedAt: () => lastReceivedAt,
    ping(timeoutMs) {
      if (!joined || inner.closed) return Promise.reject(new Error("no joined session to probe"));
      return new Promise<number>((resolve, reject) => {
        const sentAt = clock.now();
        const wire = ++nextWire;
        let timer: TimerHandle | undefined;
        const settle = (ok: boolean) => {
          if (timer) clock.clearTimeout(timer);
          fromWire.delete(wire);
          if (ok) resolve(clock.now() - sentAt);
          else reject(new Error(`no answer to ${KEEPALIVE_PROCEDURE} within ${timeoutMs} ms`));
        };
        fromWire.set(wire, { probe: settle });
        timer = clock.setTimeout(() => settle(false), timeoutMs);
        inner.send({ type: T.CALL, request: wire, options: {}, procedure: KEEPALIVE_PROCEDURE });
      });
    },
  };
  return { peer, keepalive };
}

/**
 * The compat UplinkTransport: connects one plain WAMP connection per bridged realm (all or
 * none: if one fails, the others are closed and the attempt fails). Any of them closing closes
 * the connection as a whole, so the realms reconnect together (see uplink.ts).
 */
export function compatTransport(opts: CompatConnectOptions & { realms: number; clock: Clock }): UplinkTransport {
  return {
    async connect() {
      const attempts = await Promise.allSettled(Array.from({ length: opts.realms }, () => connectCompatPeer(opts)));
      const failed = attempts.find((a): a is PromiseRejectedResult => a.status === "rejected");
      const peers = attempts.flatMap((a) => (a.status === "fulfilled" ? [a.value] : []));
      if (failed) {
        for (const p of peers) p.close(1000, "another realm's connection failed");
        throw failed.reason;
      }
      let onGone: (reason: string) => void = () => {};
      const sessions = peers.map((p, i) => compatSession(p, opts.clock, () => onGone(`the WAMP connection for realm #${i + 1} closed`)));
      const closeAll = (reason: string) => {
        for (const p of peers) if (!p.closed) p.close(1000, reason);
      };
      return connectionOver({
        peer: (i) => sessions[i].peer,
        keepalives: sessions.map((s) => s.keepalive),
        close: closeAll,
        // WAMP peers have no abortive close; closing is the best there is (the dead socket is
        // left to the OS while the uplink moves on).
        terminate: () => closeAll("keepalive timeout"),
        listen: (fn) => {
          onGone = fn;
        },
      });
    },
  };
}
