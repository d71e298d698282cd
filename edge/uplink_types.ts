import type { Peer } from "../src/wamp/mod.ts";
import type { KeepaliveTarget } from "./keepalive.ts";

/** The uplink's states (see the diagram in uplink.ts). */
export type UplinkState = "stopped" | "connecting" | "handshaking" | "joining" | "up" | "backoff";

/** What the uplink needs of a RealmBridge (edge/realm_bridge.ts). */
export interface UplinkBridge {
  start(): Promise<void>;
  connect(peer: Peer): Promise<void>;
  disconnected(reason: string): void;
  stop(): Promise<void>;
  status(): BridgeStatusView;
}

/** The part of the bridge's status the uplink reads (the whole status is passed through). */
export interface BridgeStatusView {
  localRealm: string;
  remoteRealm: string;
  state: string;
  bufferDepth?: number;
  bufferDropped?: number;
  forwarded?: { calls: number; invocations: number; eventsOut: number; eventsIn: number };
}

/** One established path to the core: the link (one socket) or compat's per-realm connections. */
export interface UplinkConnection {
  /** The core's node id (link mode; compat knows none). */
  readonly remoteNode?: string;
  /** The peer for the session of bridged realm `index` (link: a new channel). */
  peer(index: number): Peer;
  /** One per socket, for the keepalive. */
  readonly keepalives: KeepaliveTarget[];
  /** Graceful: the sessions' peers close, then the socket(s). */
  close(reason: string): void;
  /** Abrupt (the path is dead): drop the socket(s) without any frame. */
  terminate(): void;
  /** Called once when the connection is gone, whoever ended it. */
  onClose: (reason: string) => void;
}

export interface UplinkTransport {
  /**
   * Connects and (link mode) completes the link handshake. Rejects with a message naming the
   * url and cause. `onHandshaking` runs when the carrier is open and the link handshake starts
   * (link mode: EdgeLinkConnectOptions.onCarrierOpen).
   */
  connect(onHandshaking?: () => void): Promise<UplinkConnection>;
}

export interface UplinkStatus {
  name: string;
  url: string;
  mode: "link" | "compat";
  state: UplinkState;
  /** When the current state began (ISO 8601). */
  since: string;
  /** Connection attempts after the first one. */
  reconnects: number;
  remoteNode?: string;
  /** Why the uplink last went down or could not connect. */
  lastError?: string;
  /** While in backoff: when the next attempt starts (ISO 8601). */
  nextAttemptAt?: string;
  realms: BridgeStatusView[];
}
