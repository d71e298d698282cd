import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../src/util/mod.ts";
import { createBackoff } from "../../edge/backoff.ts";
import { needsConfigChange, Uplink, type UplinkState } from "../../edge/uplink.ts";
import { FakeBridge, FakeConnection, FakeTransport, memoryLogger, settle } from "./_uplink_fakes.ts";

function setup(opts: { realms?: string[]; minMs?: number; maxMs?: number; stableMs?: number } = {}) {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const transport = new FakeTransport();
  const bridges = (opts.realms ?? ["site"]).map((r) => new FakeBridge(r, `com.acme.${r}`));
  const { logger, lines } = memoryLogger();
  const uplink = new Uplink({
    name: "cloud", url: "ws://core.test:8080/ws", mode: "link", transport, bridges,
    // random() = 0.5 with equal jitter: the delays are exactly min, 2·min, 4·min … max.
    backoff: createBackoff({ minMs: opts.minMs ?? 500, maxMs: opts.maxMs ?? 8000, random: () => 0.5 }),
    keepalive: { intervalMs: 10_000, timeoutMs: 2000, maxAttempts: 3 },
    joinTimeoutMs: 5000, stableMs: opts.stableMs ?? 60_000, clock, logger,
  });
  const states: UplinkState[] = [];
  uplink.onStateChange = (s) => states.push(s);
  /** Connects the pending attempt and lets every bridge join. */
  const bringUp = async (node = "core-1") => {
    const fake = new FakeConnection(clock, node);
    transport.last.resolve(fake.conn);
    await settle();
    for (const b of bridges) b.joined();
    await settle();
    return fake;
  };
  return { clock, transport, bridges, uplink, states, lines, bringUp };
}

describe("uplink state machine", () => {
  test("start: bridges start locally, then connecting → joining → up", async () => {
    const { uplink, transport, bridges, states, bringUp, lines } = setup({ realms: ["site", "lab"] });
    expect(uplink.state).toBe("stopped");
    await uplink.start();
    expect(bridges.map((b) => b.started)).toEqual([1, 1]);
    expect(uplink.state).toBe("connecting");
    expect(transport.attempts).toHaveLength(1);
    const fake = await bringUp();
    expect(states).toEqual(["connecting", "joining", "up"]);
    expect(bridges.map((b) => b.joins.length)).toEqual([1, 1]);
    // Each realm got its own session peer from the connection.
    expect(fake.remotes).toHaveLength(2);
    const s = uplink.status();
    expect(s.state).toBe("up");
    expect(s.remoteNode).toBe("core-1");
    expect(s.reconnects).toBe(0);
    expect(s.realms.map((r) => [r.localRealm, r.remoteRealm, r.state])).toEqual([["site", "com.acme.site", "up"], ["lab", "com.acme.lab", "up"]]);
    expect(lines.some((l) => l.msg === "uplink up" && l.uplink === "cloud")).toBe(true);
  });

  test("link mode: handshaking between the carrier opening and the link handshake's end", async () => {
    const { uplink, transport, clock, states, bridges } = setup();
    await uplink.start();
    transport.last.handshaking();
    expect(uplink.state).toBe("handshaking");
    transport.last.resolve(new FakeConnection(clock).conn);
    await settle();
    bridges[0].joined();
    await settle();
    expect(states).toEqual(["connecting", "handshaking", "joining", "up"]);
  });

  test("a handshake failure backs off; a late carrier report from an abandoned attempt changes nothing", async () => {
    const { uplink, transport, clock } = setup();
    await uplink.start();
    const first = transport.last;
    first.handshaking();
    first.reject(new Error("Cannot open an edge link to ws://core.test:8080/ws: no LINK_WELCOME within 10000 ms"));
    await settle();
    expect(uplink.state).toBe("backoff");
    first.handshaking();
    expect(uplink.state).toBe("backoff");
    clock.advance(500);
    expect(uplink.state).toBe("connecting");
    first.handshaking();
    expect(uplink.state).toBe("connecting");
  });

  test("a bridge that cannot start fails the start, and the others are stopped again", async () => {
    const { uplink, bridges, transport } = setup({ realms: ["a", "b"] });
    bridges[1].start = () => Promise.reject(new Error("cannot subscribe to exported topic"));
    await expect(uplink.start()).rejects.toThrow("cannot subscribe to exported topic");
    expect(bridges.map((b) => b.stopped)).toEqual([1, 1]);
    expect(uplink.state).toBe("stopped");
    expect(transport.attempts).toHaveLength(0);
  });

  test("up is reached only when every realm has joined", async () => {
    const { uplink, transport, bridges, clock } = setup({ realms: ["a", "b"] });
    await uplink.start();
    transport.last.resolve(new FakeConnection(clock).conn);
    await settle();
    bridges[0].joined();
    await settle();
    expect(uplink.state).toBe("joining");
    bridges[1].joined();
    await settle();
    expect(uplink.state).toBe("up");
  });

  test("a refused connection backs off exponentially and logs each reconnect attempt", async () => {
    const { uplink, transport, clock, lines, states } = setup({ minMs: 500, maxMs: 4000 });
    await uplink.start();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      transport.last.reject(new Error("Cannot connect to ws://core.test:8080/ws: connection refused"));
      await settle();
      expect(uplink.state).toBe("backoff");
      const retry = uplink.status().nextAttemptAt!;
      delays.push(Date.parse(retry) - clock.now());
      clock.advance(delays[i] - 1);
      expect(transport.attempts).toHaveLength(i + 1);
      clock.advance(1);
      expect(transport.attempts).toHaveLength(i + 2);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(uplink.reconnects).toBe(5);
    expect(states.slice(0, 4)).toEqual(["connecting", "backoff", "connecting", "backoff"]);
    const reconnecting = lines.filter((l) => l.msg === "uplink reconnecting");
    expect(reconnecting.map((l) => l.attempt)).toEqual([2, 3, 4, 5, 6]);
    const failures = lines.filter((l) => l.msg === "uplink could not connect");
    expect(failures[0].reason).toBe("Cannot connect to ws://core.test:8080/ws: connection refused");
    expect(failures[0].retryInMs).toBe(500);
    expect(uplink.status().lastError).toContain("connection refused");
  });

  test("losing an up link tells every bridge, backs off, reconnects and rejoins", async () => {
    const { uplink, transport, bridges, clock, bringUp } = setup({ realms: ["a", "b"] });
    await uplink.start();
    const first = await bringUp();
    first.lose("the core went away");
    expect(uplink.state).toBe("backoff");
    expect(bridges.map((b) => b.disconnects)).toEqual([
      ["connection to the core closed: the core went away"],
      ["connection to the core closed: the core went away"],
    ]);
    clock.advance(500);
    expect(uplink.state).toBe("connecting");
    await bringUp("core-2");
    expect(uplink.state).toBe("up");
    expect(uplink.status().remoteNode).toBe("core-2");
    expect(uplink.reconnects).toBe(1);
    expect(bridges.map((b) => b.joins.length)).toEqual([2, 2]);
    expect(transport.attempts).toHaveLength(2);
  });

  test("a realm's session ending takes the whole connection down (and closes it)", async () => {
    const { uplink, bridges, bringUp } = setup({ realms: ["a", "b"] });
    await uplink.start();
    const fake = await bringUp();
    fake.remotes[1].close(); // the core ended realm b's session (e.g. killed by an admin)
    await settle();
    expect(uplink.state).toBe("backoff");
    expect(fake.closedWith).toBe('the session for realm "b" (remote "com.acme.b") ended');
    expect(bridges[0].disconnects).toEqual(['the session for realm "b" (remote "com.acme.b") ended']);
  });

  test("a join failure names the realm; authentication refusals wait the maximum backoff and log an error", async () => {
    const { uplink, transport, bridges, clock, lines } = setup({ realms: ["a", "b"], minMs: 500, maxMs: 30_000 });
    await uplink.start();
    const fake = new FakeConnection(clock);
    transport.last.resolve(fake.conn);
    await settle();
    bridges[0].joined();
    bridges[1].joins[0].d.reject(new Error("wamp.error.authentication_failed: no such user"));
    await settle();
    expect(uplink.state).toBe("backoff");
    const reason = 'realm "b" (remote "com.acme.b"): wamp.error.authentication_failed: no such user';
    expect(uplink.status().lastError).toBe(reason);
    expect(fake.closedWith).toBe(reason);
    expect(Date.parse(uplink.status().nextAttemptAt!) - clock.now()).toBe(30_000);
    const err = lines.find((l) => l.level === "error")!;
    expect(err.msg).toContain("needs a config change");
    expect(err.reason).toBe(reason);
  });

  test("a link version mismatch waits the maximum backoff", async () => {
    const { uplink, transport, clock } = setup({ maxMs: 20_000 });
    await uplink.start();
    transport.last.reject(new Error("Cannot open an edge link to ws://core.test:8080/ws: version mismatch: the core speaks causeway-edge version 2, this edge version 1"));
    await settle();
    expect(Date.parse(uplink.status().nextAttemptAt!) - clock.now()).toBe(20_000);
  });

  test("joining that never finishes times out, terminates the connection and retries", async () => {
    const { uplink, transport, clock } = setup();
    await uplink.start();
    const fake = new FakeConnection(clock);
    transport.last.resolve(fake.conn);
    await settle();
    expect(uplink.state).toBe("joining");
    clock.advance(4999);
    expect(uplink.state).toBe("joining");
    clock.advance(1);
    expect(uplink.state).toBe("backoff");
    expect(fake.terminated).toBe(true);
    expect(uplink.status().lastError).toBe("the realms' sessions did not join within 5000 ms");
  });

  test("a half-open link is terminated after the keepalive window and reconnected", async () => {
    const { uplink, clock, bringUp, bridges } = setup();
    await uplink.start();
    const fake = await bringUp();
    const upAt = clock.now();
    fake.lastReceived = upAt;
    // Nothing ever arrives again and no probe is answered: dead at 10 000 + 3 × 2000 ms.
    clock.advance(15_999);
    expect(uplink.state).toBe("up");
    expect(fake.pings).toHaveLength(3);
    clock.advance(1);
    expect(uplink.state).toBe("backoff");
    expect(fake.terminated).toBe(true);
    expect(uplink.status().lastError).toContain("no answer from the core to 3 keepalive probes");
    expect(bridges[0].disconnects).toHaveLength(1);
  });

  test("a bridge reporting its session lost while the uplink itself drops the connection does not count twice", async () => {
    const { uplink, clock, bringUp, lines, transport } = setup({ minMs: 500 });
    await uplink.start();
    const fake = await bringUp();
    // As the real bridge does: the dropped channel ends its session, which it reports at once.
    fake.onTerminate = () => uplink.remoteLost("the session for realm \"site\" ended: transport closed");
    clock.advance(16_000); // keepalive window: dead
    expect(uplink.state).toBe("backoff");
    expect(lines.filter((l) => l.msg === "uplink down")).toHaveLength(1);
    expect(uplink.status().lastError).toContain("keepalive");
    expect(Date.parse(uplink.status().nextAttemptAt!) - clock.now()).toBe(500);
    clock.advance(500);
    expect(transport.attempts).toHaveLength(2);
    clock.advance(60_000);
    expect(transport.attempts).toHaveLength(2);
  });

  test("a bridge reporting its remote session lost (GOODBYE from the core) takes the uplink down", async () => {
    const { uplink, bringUp, bridges } = setup({ realms: ["a", "b"] });
    await uplink.start();
    const fake = await bringUp();
    uplink.remoteLost('the session for realm "a" ended: wamp.close.killed');
    expect(uplink.state).toBe("backoff");
    expect(fake.closedWith).toBe('the session for realm "a" ended: wamp.close.killed');
    expect(bridges[1].disconnects).toEqual(['the session for realm "a" ended: wamp.close.killed']);
    uplink.remoteLost("late news");
    expect(uplink.status().lastError).toBe('the session for realm "a" ended: wamp.close.killed');
  });

  test("backoff starts over after a stable up, but not after a flapping one", async () => {
    const { uplink, clock, bringUp } = setup({ minMs: 500, maxMs: 8000, stableMs: 60_000 });
    await uplink.start();
    let fake = await bringUp();
    const next = () => Date.parse(uplink.status().nextAttemptAt!) - clock.now();
    // Flapping: up for a moment each time — the delay keeps growing.
    fake.lose();
    expect(next()).toBe(500);
    clock.advance(500);
    fake = await bringUp();
    fake.lose();
    expect(next()).toBe(1000);
    clock.advance(1000);
    fake = await bringUp();
    // Stable: up (and answering keepalives) for longer than stableMs.
    for (let t = 0; t < 70_000; t += 5000) {
      fake.lastReceived = clock.now();
      clock.advance(5000);
    }
    fake.lose();
    expect(next()).toBe(500);
  });

  test("stop() from any state closes the connection, stops the bridges and cancels timers", async () => {
    const { uplink, bridges, clock, bringUp, transport } = setup({ realms: ["a"] });
    await uplink.start();
    const fake = await bringUp();
    await uplink.stop();
    expect(uplink.state).toBe("stopped");
    expect(fake.closedWith).toBe("edge stopping");
    expect(bridges[0].stopped).toBe(1);
    expect(clock.pending()).toBe(0);
    clock.advance(120_000);
    expect(transport.attempts).toHaveLength(1);

    // Stopping while a connect is pending: a late connection is closed at once.
    const s2 = setup();
    await s2.uplink.start();
    await s2.uplink.stop();
    const late = new FakeConnection(s2.clock);
    s2.transport.last.resolve(late.conn);
    await settle();
    expect(late.closedWith).toBe("edge stopping");
    expect(s2.uplink.state).toBe("stopped");

    // Stopping in backoff: no further attempt.
    const s3 = setup();
    await s3.uplink.start();
    s3.transport.last.reject(new Error("refused"));
    await settle();
    await s3.uplink.stop();
    s3.clock.advance(60_000);
    expect(s3.transport.attempts).toHaveLength(1);
  });

  test("stop() lets the bridges leave while the connection is open, waiting at most 2 s for them", async () => {
    const { uplink, bridges, clock, bringUp } = setup({ realms: ["a"] });
    await uplink.start();
    const fake = await bringUp();
    let openWhenLeaving: boolean | undefined;
    bridges[0].onStop = () => (openWhenLeaving = fake.closedWith === undefined);
    bridges[0].stopResult = new Promise(() => {}); // the core never answers the GOODBYE
    let stopped = false;
    const stopping = uplink.stop().then(() => (stopped = true));
    await settle();
    expect(openWhenLeaving).toBe(true);
    expect(stopped).toBe(false);
    clock.advance(1999);
    await settle();
    expect(stopped).toBe(false);
    clock.advance(1);
    await stopping;
    expect(fake.closedWith).toBe("edge stopping");
    expect(clock.pending()).toBe(0);
  });

  test("a connection that closes before the uplink takes it over still counts as lost", async () => {
    const { uplink, transport, clock } = setup();
    await uplink.start();
    const fake = new FakeConnection(clock);
    fake.lose("closed right after the handshake");
    transport.last.resolve(fake.conn);
    await settle();
    expect(uplink.state).toBe("backoff");
    expect(uplink.status().lastError).toBe("connection to the core closed: closed right after the handshake");
  });

  test("news from an old connection is ignored", async () => {
    const { uplink, clock, bringUp, bridges } = setup();
    await uplink.start();
    const old = await bringUp();
    old.lose();
    clock.advance(500);
    await bringUp();
    old.lose("late close of the old link");
    expect(uplink.state).toBe("up");
    expect(bridges[0].disconnects).toHaveLength(1);
  });
});

describe("errors that need a config change", () => {
  test("are recognized by their reason", () => {
    for (const r of [
      "wamp.error.authentication_failed", "wamp.error.no_such_realm", "wamp.error.not_authorized",
      "causeway.edge.version_mismatch", "version mismatch: core 2, edge 1",
      "the core does not accept edge links on ws://x/ws; enable `edge: true` on that listener or use mode: compat",
    ]) expect(needsConfigChange(r)).toBe(true);
    for (const r of ["connection refused", "timeout", "carrier closed", "wamp.error.system_shutdown"]) expect(needsConfigChange(r)).toBe(false);
  });
});
