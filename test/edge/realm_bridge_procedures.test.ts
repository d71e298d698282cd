import { afterEach, describe, expect, test } from "bun:test";
import { MessageType as T, type ErrorMessage, type Invocation, type Result } from "../../src/wamp/mod.ts";
import { bridged, type Pair, settle, until, URL } from "./_realm_bridge_harness.ts";

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.stop();
  pair = undefined;
});

const exportDevices = { exportProcedures: [{ uri: "com.acme.device.", match: "prefix" as const }] };
const importCmds = { importProcedures: [{ uri: "com.acme.cmd.", match: "prefix" as const }] };

describe("RealmBridge: export procedures (core caller -> edge callee)", () => {
  test("a local registration inside the filter is callable on the core; caller identity in forward_for", async () => {
    pair = await bridged(exportDevices);
    await pair.up();
    const callee = await pair.edgeClient();
    await callee.register("com.acme.device.temp");
    await callee.register("com.acme.other.secret"); // outside the filter: stays local
    await until(() => pair!.bridge.status().exportedProcedures.includes("com.acme.device.temp"), "export registered");
    expect(pair.bridge.status().exportedProcedures).toEqual(["com.acme.device.temp"]);

    const caller = await pair.coreClient();
    const req = caller.call("com.acme.device.temp", [1], { unit: "C" });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.args).toEqual([1]);
    expect(inv.kwargs).toEqual({ unit: "C" });
    const who = pair.core.realm("core1")!.sessions.get(caller.session)!;
    expect(inv.details.forward_for).toEqual([{ session: caller.session, authid: who.authid, authrole: "anonymous" }]);
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [21.5] });
    const res = await caller.replyTo(req);
    expect(res.type).toBe(T.RESULT);
    expect((res as Result).args).toEqual([21.5]);

    const denied = await caller.replyTo(caller.call("com.acme.other.secret"));
    expect((denied as ErrorMessage).error).toBe("wamp.error.no_such_procedure");
    expect(pair.bridge.status().forwarded.invocations).toBe(1);
  });

  test("progressive results and errors cross back to the core caller", async () => {
    pair = await bridged(exportDevices);
    await pair.up();
    const callee = await pair.edgeClient();
    await callee.register("com.acme.device.log");
    await until(() => pair!.bridge.status().exportedProcedures.length === 1, "export registered");
    const caller = await pair.coreClient();

    const req = caller.call("com.acme.device.log", [], undefined, { receive_progress: true });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.details.receive_progress).toBe(true);
    callee.send({ type: T.YIELD, request: inv.request, options: { progress: true }, args: ["a"] });
    callee.send({ type: T.YIELD, request: inv.request, options: { progress: true }, args: ["b"] });
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: ["done"] });
    const got: Result[] = [];
    for (let i = 0; i < 3; i++) got.push(await caller.replyTo(req) as Result);
    expect(got.map((r) => [r.args?.[0], r.details.progress === true])).toEqual([["a", true], ["b", true], ["done", false]]);

    const req2 = caller.call("com.acme.device.log", ["x"]);
    const inv2 = await callee.nextOfType<Invocation>(T.INVOCATION);
    callee.send({ type: T.ERROR, requestType: T.INVOCATION, request: inv2.request, details: {}, error: "com.acme.error.disk_full", args: ["no space"], kwargs: { free: 0 } });
    const err = await caller.replyTo(req2) as ErrorMessage;
    expect(err.type).toBe(T.ERROR);
    expect(err.error).toBe("com.acme.error.disk_full");
    expect(err.args).toEqual(["no space"]);
    expect(err.kwargs).toEqual({ free: 0 });
  });

  test("canceling on the core interrupts the local callee", async () => {
    pair = await bridged(exportDevices);
    await pair.up();
    const callee = await pair.edgeClient();
    await callee.register("com.acme.device.slow");
    await until(() => pair!.bridge.status().exportedProcedures.length === 1, "export registered");
    const caller = await pair.coreClient();
    const req = caller.call("com.acme.device.slow");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    caller.send({ type: T.CANCEL, request: req, options: { mode: "killnowait" } });
    expect(((await caller.replyTo(req)) as ErrorMessage).error).toBe("wamp.error.canceled");
    const intr = await callee.nextOfType(T.INTERRUPT);
    expect((intr as { request: number }).request).toBe(inv.request);
  });

  test("registration follows the local registry live: unregistered on the core with the last local callee", async () => {
    pair = await bridged(exportDevices);
    await pair.up();
    const a = await pair.edgeClient();
    const b = await pair.edgeClient();
    const reg = await a.register("com.acme.device.shared", { invoke: "roundrobin" });
    await b.register("com.acme.device.shared", { invoke: "roundrobin" });
    const realm = pair.core.realm("core1")!;
    await until(() => realm.dealer.lookup("com.acme.device.shared", "exact") !== undefined, "registered on the core");
    expect(realm.dealer.get(realm.dealer.lookup("com.acme.device.shared", "exact")!)?.invoke).toBe("roundrobin");
    a.send({ type: T.UNREGISTER, request: a.request(), registration: reg });
    await settle();
    expect(realm.dealer.lookup("com.acme.device.shared", "exact")).toBeDefined();
    b.peer.close(); // the last callee goes
    await until(() => realm.dealer.lookup("com.acme.device.shared", "exact") === undefined, "unregistered on the core");
    expect(pair.bridge.status().exportedProcedures).toEqual([]);
  });

  test("pattern registrations are exported only when the pattern lies inside the filter", async () => {
    pair = await bridged(exportDevices);
    await pair.up();
    const c = await pair.edgeClient();
    await c.register("com.acme.device.sensors.", { match: "prefix" });
    await c.register("com.acme.", { match: "prefix" }); // wider than the filter: not exported
    await c.register("com.acme.device..read", { match: "wildcard" });
    const realm = pair.core.realm("core1")!;
    await until(() => pair!.bridge.status().exportedProcedures.length === 2, "two exports");
    expect(realm.dealer.lookup("com.acme.device.sensors.", "prefix")).toBeDefined();
    expect(realm.dealer.lookup("com.acme.device..read", "wildcard")).toBeDefined();
    expect(realm.dealer.lookup("com.acme.", "prefix")).toBeUndefined();

    const caller = await pair.coreClient();
    const req = caller.call("com.acme.device.sensors.t1", [7]);
    const inv = await c.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.details.procedure).toBe("com.acme.device.sensors.t1");
    c.send({ type: T.YIELD, request: inv.request, options: {}, args: [8] });
    expect(((await caller.replyTo(req)) as Result).args).toEqual([8]);
  });

  test("registrations that existed before start() are exported too", async () => {
    pair = await bridged(exportDevices, {}, { start: false });
    const c = await pair.edgeClient();
    await c.register("com.acme.device.early");
    await pair.bridge.start();
    await pair.up();
    expect(pair.bridge.status().exportedProcedures).toEqual(["com.acme.device.early"]);
  });
});

describe("RealmBridge: import procedures (edge caller -> core callee)", () => {
  test("a local caller reaches the core callee; forward_for names it; core errors pass through", async () => {
    pair = await bridged(importCmds);
    await pair.up();
    const callee = await pair.coreClient();
    await callee.register("com.acme.cmd.reboot");
    const caller = await pair.edgeClient();
    const req = caller.call("com.acme.cmd.reboot", ["now"], undefined, { receive_progress: true });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.args).toEqual(["now"]);
    const who = pair.edge.realm("site")!.sessions.get(caller.session)!;
    expect(inv.details.forward_for).toEqual([{ session: caller.session, authid: who.authid, authrole: "anonymous" }]);
    expect(inv.details.receive_progress).toBe(true);
    callee.send({ type: T.YIELD, request: inv.request, options: { progress: true }, args: [50] });
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: ["ok"] });
    const p = await caller.replyTo(req) as Result;
    expect([p.args, p.details.progress]).toEqual([[50], true]);
    expect(((await caller.replyTo(req)) as Result).args).toEqual(["ok"]);

    const missing = await caller.replyTo(caller.call("com.acme.cmd.nothing")) as ErrorMessage;
    expect(missing.error).toBe("wamp.error.no_such_procedure");
    expect(pair.bridge.status().importedProcedures).toEqual(["com.acme.cmd."]);
    expect(pair.bridge.status().forwarded.calls).toBe(2);
  });

  test("while the uplink is down (never up, then lost) calls fail at once with wamp.error.unavailable", async () => {
    pair = await bridged(importCmds);
    const caller = await pair.edgeClient();
    const before = await caller.replyTo(caller.call("com.acme.cmd.reboot")) as ErrorMessage;
    expect(before.error).toBe("wamp.error.unavailable");
    expect(before.args).toEqual([`uplink cloud to ${URL} is down`]);

    const peer = await pair.up();
    const callee = await pair.coreClient();
    await callee.register("com.acme.cmd.reboot");
    // a call in flight when the link goes: answered unavailable, not left hanging
    const inflight = caller.call("com.acme.cmd.reboot");
    await callee.nextOfType(T.INVOCATION);
    pair.down(peer);
    const lost = await caller.replyTo(inflight) as ErrorMessage;
    expect(lost.error).toBe("wamp.error.unavailable");
    const after = await caller.replyTo(caller.call("com.acme.cmd.reboot")) as ErrorMessage;
    expect(after.error).toBe("wamp.error.unavailable");
    expect(pair.bridge.status().state).toBe("down");
  });
});

describe("RealmBridge: call timeouts and canceling across the hop", () => {
  test("a core caller's timeout is run at the edge: the local callee is interrupted, the caller gets wamp.error.timeout", async () => {
    pair = await bridged(exportDevices);
    await pair.up();
    const callee = await pair.edgeClient();
    await callee.register("com.acme.device.stuck");
    await until(() => pair!.bridge.status().exportedProcedures.length === 1, "exported");
    const caller = await pair.coreClient();
    const req = caller.call("com.acme.device.stuck", [], undefined, { timeout: 30 });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(((await caller.replyTo(req)) as ErrorMessage).error).toBe("wamp.error.timeout");
    expect((await callee.nextOfType(T.INTERRUPT) as { request: number }).request).toBe(inv.request);
  });

  test("a local caller's timeout and CANCEL reach the core callee", async () => {
    pair = await bridged(importCmds);
    await pair.up();
    const callee = await pair.coreClient();
    await callee.register("com.acme.cmd.slow");
    const caller = await pair.edgeClient();
    const r1 = caller.call("com.acme.cmd.slow", [], undefined, { timeout: 30 });
    const inv1 = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(((await caller.replyTo(r1)) as ErrorMessage).error).toBe("wamp.error.timeout");
    expect((await callee.nextOfType(T.INTERRUPT) as { request: number }).request).toBe(inv1.request);

    const r2 = caller.call("com.acme.cmd.slow");
    const inv2 = await callee.nextOfType<Invocation>(T.INVOCATION);
    caller.send({ type: T.CANCEL, request: r2, options: { mode: "kill" } });
    const intr = await callee.nextOfType(T.INTERRUPT) as unknown as { request: number; options: { mode: string } };
    expect([intr.request, intr.options.mode]).toEqual([inv2.request, "kill"]);
    callee.send({ type: T.ERROR, requestType: T.INVOCATION, request: inv2.request, details: {}, error: "wamp.error.canceled" });
    expect(((await caller.replyTo(r2)) as ErrorMessage).error).toBe("wamp.error.canceled");
  });
});

describe("RealmBridge: reconnect", () => {
  test("after disconnected() + connect(newPeer) exports are registered again and calls flow both ways", async () => {
    pair = await bridged({ ...exportDevices, ...importCmds });
    const first = await pair.up();
    const local = await pair.edgeClient();
    await local.register("com.acme.device.temp");
    const coreCallee = await pair.coreClient();
    await coreCallee.register("com.acme.cmd.ping");
    const realm = pair.core.realm("core1")!;
    await until(() => realm.dealer.lookup("com.acme.device.temp", "exact") !== undefined, "exported");
    const firstSession = pair.bridge.status().remoteSession;

    pair.down(first);
    await until(() => realm.dealer.lookup("com.acme.device.temp", "exact") === undefined, "gone with the old session");
    expect(pair.bridge.status().state).toBe("down");
    await local.register("com.acme.device.added_while_down");

    await pair.up();
    const st = pair.bridge.status();
    expect(st.state).toBe("up");
    expect(st.remoteSession).not.toBe(firstSession);
    expect(st.exportedProcedures.sort()).toEqual(["com.acme.device.added_while_down", "com.acme.device.temp"]);

    const caller = await pair.coreClient();
    const req = caller.call("com.acme.device.temp");
    const inv = await local.nextOfType<Invocation>(T.INVOCATION);
    local.send({ type: T.YIELD, request: inv.request, options: {}, args: ["back"] });
    expect(((await caller.replyTo(req)) as Result).args).toEqual(["back"]);

    const r2 = local.call("com.acme.cmd.ping");
    const inv2 = await coreCallee.nextOfType<Invocation>(T.INVOCATION);
    coreCallee.send({ type: T.YIELD, request: inv2.request, options: {}, args: ["pong"] });
    expect(((await local.replyTo(r2)) as Result).args).toEqual(["pong"]);
  });

  test("disconnected() is idempotent and the core ending the session counts as down", async () => {
    let lost = "";
    pair = await bridged({ ...importCmds, onRemoteLost: (r) => (lost = r) });
    await pair.up();
    const sid = pair.bridge.status().remoteSession!;
    pair.core.realm("core1")!.sessions.get(sid)!.terminate("wamp.close.killed", "bye");
    await until(() => pair!.bridge.status().state === "down", "down after the core's GOODBYE");
    expect(lost).toContain("wamp.close.killed");
    pair.bridge.disconnected("again");
    pair.bridge.disconnected("and again");
    expect(pair.bridge.status().state).toBe("down");
  });
});
