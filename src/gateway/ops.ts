import { Hono } from "hono";
import type { Router } from "../router/mod.ts";
import type { Counters } from "../util/counters.ts";
import { type MetricFamily, PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../util/metrics.ts";
import type { PeerMetrics } from "./peer_metrics.ts";

/**
 * The operations surface: GET /ping, GET /ready, GET /metrics (Prometheus text). Served on
 * the WebSocket listeners' HTTP server (paths other than the WAMP path) and, when configured,
 * on a separate admin HTTP listener.
 */
export interface OpsOptions {
  router: Router;
  counters: Counters;
  peers: PeerMetrics;
  /** undefined when ready; otherwise why not (e.g. "starting", "store closed"). */
  notReady: () => string | undefined;
  /** More families at scrape time (RunningServer.addMetrics: the edge's uplinks). */
  extraMetrics?: () => MetricFamily[];
}

export function createOpsApp(opts: OpsOptions): Hono {
  const app = new Hono();
  app.get("/ping", (c) => c.text("pong"));
  app.get("/ready", (c) => {
    const why = opts.notReady();
    return why === undefined ? c.json({ ready: true }) : c.json({ ready: false, reason: why }, 503);
  });
  app.get("/metrics", (c) => {
    c.header("Content-Type", PROMETHEUS_CONTENT_TYPE);
    return c.body(renderPrometheus([...collect(opts), ...(opts.extraMetrics?.() ?? [])]));
  });
  return app;
}

/** Plain `fetch`-style handler for a runtime's `onRequest`. */
export function opsHandler(opts: OpsOptions): (req: Request) => Response | Promise<Response> {
  const app = createOpsApp(opts);
  return (req) => app.fetch(req);
}

const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, kind: "counter", samples: [{ value }] });
const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, kind: "gauge", samples: [{ value }] });

/** Builds every family at scrape time from the router, its counters and the boundary counts. */
export function collect({ router, counters, peers }: OpsOptions): MetricFamily[] {
  const sessions = new Map<string, number>();
  for (const name of router.realmNames()) {
    const realm = router.realm(name);
    if (!realm) continue;
    for (const s of realm.sessions.values()) {
      const transport = s.peer.details.transport;
      if (transport === "local") continue; // router-internal sessions (meta/admin API)
      const key = `${name}\u0000${transport}`;
      sessions.set(key, (sessions.get(key) ?? 0) + 1);
    }
  }
  const rows = peers.messageRows();
  const mem = memory();
  const c = (n: string) => counters.get(n);
  return [
    {
      name: "causeway_sessions", help: "Joined client sessions by realm and transport.", kind: "gauge",
      samples: [...sessions].map(([k, value]) => {
        const [realm, transport] = k.split("\u0000");
        return { labels: { realm, transport }, value };
      }),
    },
    counter("causeway_sessions_joined_total", "Sessions that joined a realm (router-internal ones included).", c("sessions_joined")),
    counter("causeway_sessions_refused_total", "HELLOs answered with ABORT.", c("sessions_refused")),
    {
      name: "causeway_messages_in_total", help: "WAMP messages received from clients, by type.", kind: "counter",
      samples: rows.filter((r) => r[1] > 0).map(([type, value]) => ({ labels: { type }, value })),
    },
    {
      name: "causeway_messages_out_total", help: "WAMP messages sent to clients, by type.", kind: "counter",
      samples: rows.filter((r) => r[2] > 0).map(([type, , value]) => ({ labels: { type }, value })),
    },
    counter("causeway_calls_total", "CALLs routed to a callee.", c("calls")),
    counter("causeway_calls_timed_out_total", "Calls cancelled by the router-side timeout.", c("calls_timed_out")),
    counter("causeway_publications_total", "Publications accepted.", c("publications")),
    counter("causeway_events_total", "EVENTs delivered.", c("events")),
    {
      name: "causeway_errors_total", help: "ERROR messages sent to clients, by error URI.", kind: "counter",
      samples: [...peers.errorsByUri].map(([uri, value]) => ({ labels: { uri }, value })),
    },
    peers.callLatency.family("causeway_call_duration_seconds", "Time from CALL received to final RESULT or ERROR sent, per call."),
    counter("causeway_slow_consumers_closed_total", "Sessions closed for not reading their messages.", c("slow_consumers_closed")),
    counter("causeway_auth_failures_total", "Handshakes aborted with wamp.error.authentication_failed.", peers.authFailures),
    counter("causeway_not_authorized_total", "Actions refused by authorization.", c("not_authorized")),
    counter("causeway_protocol_violations_total", "Sessions closed for protocol violations.", c("protocol_violations")),
    counter("causeway_store_errors_total", "Store operations that failed (read, write, list, batch).", c("store_errors")),
    counter("causeway_sessions_refused_limit_total", "HELLOs refused because limits.maxSessions was reached.", c("sessions_refused_limit")),
    counter("causeway_hello_timeouts_total", "Connections closed for sending no HELLO within limits.helloTimeoutMs.", c("hello_timeouts")),
    counter("causeway_requests_rate_limited_total", "Requests refused by limits.requestsPerSecond.", c("requests_rate_limited")),
    counter("causeway_publications_dropped_rate_limited_total", "Unacknowledged publications dropped by limits.requestsPerSecond.", c("publications_dropped_rate_limited")),
    gauge("causeway_process_resident_memory_bytes", "Resident set size.", mem.rss),
    gauge("causeway_process_heap_used_bytes", "JavaScript heap in use.", mem.heapUsed),
    gauge("causeway_process_heap_total_bytes", "JavaScript heap reserved.", mem.heapTotal),
  ];
}

function memory(): { rss: number; heapUsed: number; heapTotal: number } {
  const p = (globalThis as { process?: { memoryUsage?: () => { rss: number; heapUsed: number; heapTotal: number } } }).process;
  try {
    if (p?.memoryUsage) return p.memoryUsage();
  } catch { /* permission-restricted runtimes */ }
  return { rss: 0, heapUsed: 0, heapTotal: 0 };
}
