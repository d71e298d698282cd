import { describe, expect, test } from "bun:test";
import { createManualClock, type ManualClock } from "../../src/util/mod.ts";
import { type KeepaliveTarget, startKeepalive } from "../../edge/keepalive.ts";

/** A path whose probes are answered (or not) by hand; `receive()` simulates incoming traffic. */
function fakePath(clock: ManualClock) {
  let last = clock.now();
  const probes: Array<{ at: number; answer: () => void; fail: () => void }> = [];
  const target: KeepaliveTarget = {
    lastReceivedAt: () => last,
    ping: () =>
      new Promise<number>((resolve, reject) => {
        const at = clock.now();
        probes.push({
          at,
          answer: () => {
            last = clock.now();
            resolve(clock.now() - at);
          },
          fail: () => reject(new Error("gone")),
        });
      }),
  };
  return { target, probes, receive: () => (last = clock.now()) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("uplink keepalive", () => {
  test("a path with traffic is never probed", () => {
    const clock = createManualClock();
    const path = fakePath(clock);
    const k = startKeepalive({ clock, target: path.target, intervalMs: 1000, timeoutMs: 500, maxAttempts: 3, onDead: () => {} });
    for (let i = 0; i < 20; i++) {
      clock.advance(600);
      path.receive();
    }
    expect(path.probes).toHaveLength(0);
    k.stop();
    expect(clock.pending()).toBe(0);
  });

  test("an idle path is probed after intervalMs; an answer keeps it alive", async () => {
    const clock = createManualClock();
    const path = fakePath(clock);
    const rtts: number[] = [];
    let dead = "";
    startKeepalive({
      clock, target: path.target, intervalMs: 1000, timeoutMs: 500, maxAttempts: 2,
      onDead: (r) => (dead = r), onAnswer: (rtt) => rtts.push(rtt),
    });
    clock.advance(999);
    expect(path.probes).toHaveLength(0);
    clock.advance(1);
    expect(path.probes.map((p) => p.at)).toEqual([1000]);
    clock.advance(120);
    path.probes[0].answer();
    await settle();
    expect(rtts).toEqual([120]);
    clock.advance(999);
    expect(path.probes).toHaveLength(1);
    clock.advance(1);
    expect(path.probes.map((p) => p.at)).toEqual([1000, 2120]);
    expect(dead).toBe("");
  });

  test("a half-open path is declared dead exactly intervalMs + maxAttempts × timeoutMs after its last traffic", () => {
    const clock = createManualClock();
    const path = fakePath(clock);
    const deaths: Array<{ at: number; reason: string }> = [];
    startKeepalive({
      clock, target: path.target, intervalMs: 1000, timeoutMs: 500, maxAttempts: 3,
      onDead: (reason) => deaths.push({ at: clock.now(), reason }),
    });
    clock.advance(300);
    path.receive(); // last traffic at 300
    clock.advance(1000 + 3 * 500 - 1);
    expect(deaths).toHaveLength(0);
    expect(path.probes.map((p) => p.at)).toEqual([1300, 1800, 2300]);
    clock.advance(1);
    expect(deaths).toEqual([{ at: 2800, reason: "no answer from the core to 3 keepalive probes (500 ms each) after 1000 ms without traffic" }]);
    clock.advance(60_000);
    expect(deaths).toHaveLength(1);
    expect(path.probes).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });

  test("traffic that arrives while a probe is unanswered proves the path alive", () => {
    const clock = createManualClock();
    const path = fakePath(clock);
    let dead = false;
    startKeepalive({ clock, target: path.target, intervalMs: 1000, timeoutMs: 500, maxAttempts: 2, onDead: () => (dead = true) });
    clock.advance(1000); // probe 1
    clock.advance(400);
    path.receive(); // some other frame at 1400
    clock.advance(100); // probe 1 times out, but traffic came after it went out
    expect(dead).toBe(false);
    expect(path.probes).toHaveLength(1);
    clock.advance(900); // next probe at 1400 + 1000
    expect(path.probes.map((p) => p.at)).toEqual([1000, 2400]);
  });

  test("one answered retry resets the count of missed probes", async () => {
    const clock = createManualClock();
    const path = fakePath(clock);
    let dead = false;
    const k = startKeepalive({ clock, target: path.target, intervalMs: 1000, timeoutMs: 500, maxAttempts: 2, onDead: () => (dead = true) });
    clock.advance(1500); // probe at 1000 missed, retry at 1500
    expect(k.missed).toBe(2);
    path.probes[1].answer();
    await settle();
    expect(k.missed).toBe(0);
    clock.advance(1000 + 500); // next idle probe at 2500, missed at 3000 → retry
    expect(dead).toBe(false);
    clock.advance(500);
    expect(dead).toBe(true);
  });

  test("a probe that fails early still waits for its timeout (late traffic can save it)", async () => {
    const clock = createManualClock();
    const path = fakePath(clock);
    let dead = false;
    startKeepalive({ clock, target: path.target, intervalMs: 1000, timeoutMs: 500, maxAttempts: 1, onDead: () => (dead = true) });
    clock.advance(1000);
    path.probes[0].fail();
    await settle();
    expect(dead).toBe(false);
    clock.advance(499);
    expect(dead).toBe(false);
    clock.advance(1);
    expect(dead).toBe(true);
  });

  test("stop() cancels everything", () => {
    const clock = createManualClock();
    const path = fakePath(clock);
    let dead = false;
    const k = startKeepalive({ clock, target: path.target, intervalMs: 1000, timeoutMs: 500, maxAttempts: 1, onDead: () => (dead = true) });
    clock.advance(1200);
    k.stop();
    clock.advance(10_000);
    expect(dead).toBe(false);
    expect(clock.pending()).toBe(0);
  });
});
