import { describe, expect, test } from "bun:test";
import { Histogram, renderPrometheus } from "../../src/util/metrics.ts";

describe("Prometheus text rendering", () => {
  test("HELP and TYPE once per family, labels quoted and escaped, numbers formatted", () => {
    const text = renderPrometheus([
      { name: "x_total", help: "Things\nwith a newline", kind: "counter", samples: [{ value: 3 }] },
      {
        name: "y", help: "Labelled.", kind: "gauge",
        samples: [{ labels: { realm: "realm1", transport: "websocket" }, value: 2 }, { labels: { uri: 'a"b\\c\nd' }, value: 0.5 }],
      },
      { name: "empty", help: "No samples.", kind: "gauge", samples: [] },
    ]);
    expect(text).toBe([
      "# HELP x_total Things\\nwith a newline",
      "# TYPE x_total counter",
      "x_total 3",
      "# HELP y Labelled.",
      "# TYPE y gauge",
      'y{realm="realm1",transport="websocket"} 2',
      'y{uri="a\\"b\\\\c\\nd"} 0.5',
      "# HELP empty No samples.",
      "# TYPE empty gauge",
      "",
    ].join("\n"));
  });
});

describe("Histogram", () => {
  test("buckets are cumulative, +Inf equals the count, sum adds up", () => {
    const h = new Histogram([0.01, 0.1, 1]);
    for (const v of [0.005, 0.01, 0.05, 0.5, 3]) h.observe(v);
    const text = renderPrometheus([h.family("lat_seconds", "Latency.")]);
    expect(text).toContain('lat_seconds_bucket{le="0.01"} 2\n');
    expect(text).toContain('lat_seconds_bucket{le="0.1"} 3\n');
    expect(text).toContain('lat_seconds_bucket{le="1"} 4\n');
    expect(text).toContain('lat_seconds_bucket{le="+Inf"} 5\n');
    expect(text).toContain("lat_seconds_count 5\n");
    expect(text).toContain("# TYPE lat_seconds histogram\n");
    const sum = Number(/lat_seconds_sum (\S+)/.exec(text)![1]);
    expect(sum).toBeCloseTo(3.565, 9);
  });

  test("an empty histogram renders zeros", () => {
    const text = renderPrometheus([new Histogram([1]).family("h", "H.")]);
    expect(text).toContain('h_bucket{le="1"} 0\nh_bucket{le="+Inf"} 0\nh_sum 0\nh_count 0\n');
  });
});
