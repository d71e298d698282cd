import type { MetricFamily, Sample } from "../src/util/mod.ts";
import type { UplinkState, UplinkStatus } from "./uplink.ts";

/**
 * The edge's families for /metrics, built at scrape time from the uplinks' status (the bridges
 * count their forwarded messages and buffer drops; the uplink its reconnects).
 * direction "out" = edge → core, "in" = core → edge; kind "call" | "event".
 */
const STATES: UplinkState[] = ["stopped", "connecting", "handshaking", "joining", "up", "backoff"];

export function edgeMetricFamilies(uplinks: UplinkStatus[]): MetricFamily[] {
  const up: Sample[] = [];
  const state: Sample[] = [];
  const reconnects: Sample[] = [];
  const bridged: Sample[] = [];
  const depth: Sample[] = [];
  const dropped: Sample[] = [];
  for (const u of uplinks) {
    const uplink = u.name;
    up.push({ labels: { uplink }, value: u.state === "up" ? 1 : 0 });
    for (const s of STATES) state.push({ labels: { uplink, state: s }, value: u.state === s ? 1 : 0 });
    reconnects.push({ labels: { uplink }, value: u.reconnects });
    for (const r of u.realms) {
      const realm = r.localRealm;
      const f = r.forwarded ?? { calls: 0, invocations: 0, eventsOut: 0, eventsIn: 0 };
      bridged.push(
        { labels: { uplink, realm, direction: "out", kind: "call" }, value: f.calls },
        { labels: { uplink, realm, direction: "in", kind: "call" }, value: f.invocations },
        { labels: { uplink, realm, direction: "out", kind: "event" }, value: f.eventsOut },
        { labels: { uplink, realm, direction: "in", kind: "event" }, value: f.eventsIn },
      );
      depth.push({ labels: { uplink, realm }, value: r.bufferDepth ?? 0 });
      dropped.push({ labels: { uplink, realm }, value: r.bufferDropped ?? 0 });
    }
  }
  return [
    { name: "causeway_edge_link_up", help: "1 while the uplink is up (every bridged realm joined on the core), else 0.", kind: "gauge", samples: up },
    { name: "causeway_edge_link_state", help: "The uplink's state: 1 for the current one (stopped, connecting, handshaking, joining, up, backoff).", kind: "gauge", samples: state },
    { name: "causeway_edge_reconnects_total", help: "Connection attempts after the first, per uplink.", kind: "counter", samples: reconnects },
    {
      name: "causeway_edge_bridged_messages_total", kind: "counter", samples: bridged,
      help: "Calls and events forwarded across the uplink (direction out = edge to core, in = core to edge).",
    },
    { name: "causeway_edge_buffer_depth", help: "Exported publications waiting for the uplink.", kind: "gauge", samples: depth },
    { name: "causeway_edge_buffer_dropped_total", help: "Exported publications dropped because the buffer was full.", kind: "counter", samples: dropped },
  ];
}
