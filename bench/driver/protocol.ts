/**
 * What the orchestrator and its client processes say to each other over IPC.
 * Orchestrator -> client: setup, start, window (publisher flow control), expect (subscribers), exit.
 * Client -> orchestrator: ready, progress (subscriber delivery), done (the report), failed.
 */
import type { SerializerName } from "./codec.ts";
import type { Endpoint, TransportName } from "./connection.ts";
import type { PayloadKind } from "./payloads.ts";

export type Role = "caller" | "callee" | "publisher" | "subscriber" | "filler";

export interface ClientSpec {
  role: Role;
  endpoint: Endpoint;
  transport: TransportName;
  serializer: SerializerName;
  payload: PayloadKind;
  /** caller: the procedure called; callee: the URI registered (with `match`). */
  procedure?: string;
  match?: "exact" | "prefix" | "wildcard";
  /** caller: calls kept in flight (1 = sequential latency). */
  inFlight?: number;
  /** caller: "calls" (throughput or latency) or "progressive" (streams of progressive results). */
  mode?: "calls" | "progressive";
  /** callee/caller progressive: progressive results per call. */
  streamLength?: number;
  /** publisher/subscriber */
  topic?: string;
  /** subscriber: sessions in this process. */
  sessions?: number;
  /** publisher: publications allowed ahead of the slowest subscriber. */
  window?: number;
  /** publisher: a fixed offered rate (publications/s) instead of as fast as the window allows. */
  rate?: number;
  /** filler: registrations that must not match the measured calls. */
  count?: number;
  /** caller: record every call's latency (sequential scenario). */
  latency?: boolean;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface ClientReport {
  role: Role;
  /** Verified operations: calls answered, progressive results, events received, publications sent. */
  ops: number;
  /** Wrong payloads, out-of-order events, ERROR replies. */
  errors: number;
  /** Calls or events that never arrived (after the drain). */
  lost: number;
  startedAt: number;
  /** When the last verified operation happened (ms since the epoch). */
  lastAt: number;
  latencyUs?: LatencySummary;
  detail?: string;
}

export type ToClient =
  | { cmd: "setup"; spec: ClientSpec }
  | { cmd: "start"; at: number; durationMs: number }
  | { cmd: "window"; delivered: number }
  | { cmd: "expect"; count: number }
  | { cmd: "exit" };

export type FromClient =
  | { ev: "ready" }
  | { ev: "progress"; delivered: number }
  | { ev: "done"; report: ClientReport }
  | { ev: "failed"; message: string };
