/**
 * Prometheus text exposition (format 0.0.4) primitives: labelled samples, a histogram with
 * fixed buckets, and a renderer. Rendering happens on scrape only; the counting side
 * (see src/gateway/peer_metrics.ts) keeps plain numbers and arrays.
 */

export type MetricKind = "counter" | "gauge" | "histogram";

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  kind: MetricKind;
  samples: Sample[];
}

/** Default latency buckets in seconds (upper bounds; +Inf is implied). */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Cumulative-on-render histogram: observe() is one loop over a short array, no allocation. */
export class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[] = LATENCY_BUCKETS) {
    this.counts = new Float64Array(buckets.length);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]) {
        this.counts[i]++;
        return;
      }
    }
  }

  /** The family's samples: `_bucket` (cumulative, with le), `_sum`, `_count`. */
  family(name: string, help: string): MetricFamily {
    const samples: Sample[] = [];
    let acc = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      acc += this.counts[i];
      samples.push({ labels: { __suffix: "_bucket", le: formatNumber(this.buckets[i]) }, value: acc });
    }
    samples.push({ labels: { __suffix: "_bucket", le: "+Inf" }, value: this.count });
    samples.push({ labels: { __suffix: "_sum" }, value: this.sum });
    samples.push({ labels: { __suffix: "_count" }, value: this.count });
    return { name, help, kind: "histogram", samples };
  }
}

export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Renders families as Prometheus text; one HELP and TYPE line per family. */
export function renderPrometheus(families: MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    out.push(`# TYPE ${f.name} ${f.kind}`);
    for (const s of f.samples) {
      let suffix = "";
      const parts: string[] = [];
      if (s.labels) {
        for (const [k, v] of Object.entries(s.labels)) {
          if (k === "__suffix") suffix = v;
          else parts.push(`${k}="${escapeLabel(v)}"`);
        }
      }
      out.push(`${f.name}${suffix}${parts.length ? `{${parts.join(",")}}` : ""} ${formatNumber(s.value)}`);
    }
  }
  return out.join("\n") + "\n";
}

/** Content type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
