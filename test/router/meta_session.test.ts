import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Welcome } from "../../src/wamp/messages.ts";
import type { MessageClient } from "../_harness/message_client.ts";
import { joined, metaCall, metaResult, metaRouter, metaWatcher, settle } from "./meta_harness.ts";

const transport = { type: "local", serializer: "local" };

function info(c: MessageClient, welcome: Welcome) {
  const d = welcome.details;
  return { session: c.session, authid: d.authid, authrole: d.authrole, authmethod: d.authmethod, authprovider: d.authprovider, transport };
}

async function joinedWithWelcome(r: Awaited<ReturnType<typeof metaRouter>>) {
  const c = r.connect();
  const welcome = await c.join() as Welcome;
  return { c, welcome };
}

describe("session meta API", () => {
  test("wamp.session.count and list report client sessions only, not the meta session", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const b = await joined(r);
    expect(await metaResult(a, "wamp.session.count")).toEqual([2]);
    const [list] = await metaResult(a, "wamp.session.list") as [number[]];
    expect(list.sort()).toEqual([a.session, b.session].sort());
    expect(r.router.sessionCount).toBe(2);
  });

  test("count and list honour filter_authroles", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    expect(await metaResult(a, "wamp.session.count", [["anonymous"]])).toEqual([1]);
    expect(await metaResult(a, "wamp.session.count", [["admin"]])).toEqual([0]);
    expect(await metaResult(a, "wamp.session.list", [["admin", "anonymous"]])).toEqual([[a.session]]);
    const bad = a.call("wamp.session.count", ["anonymous"]);
    expect(await a.replyTo(bad)).toEqual({
      type: T.ERROR, requestType: T.CALL, request: bad, details: {}, error: "wamp.error.invalid_argument",
      args: ["Arguments[0] (filter_authroles) must be a list of strings"],
    });
  });

  test("wamp.session.get returns the session's details dict", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const { c: b, welcome } = await joinedWithWelcome(r);
    const request = a.call("wamp.session.get", [b.session]);
    expect(await a.replyTo(request)).toEqual({
      type: T.RESULT, request, details: {}, args: [info(b, welcome)], kwargs: undefined,
    });
  });

  test("wamp.session.get of an unknown session is wamp.error.no_such_session", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const request = a.call("wamp.session.get", [123]);
    expect(await a.replyTo(request)).toEqual({
      type: T.ERROR, requestType: T.CALL, request, details: {}, error: "wamp.error.no_such_session",
      args: ["no session 123 on this realm"],
    });
  });

  test("wamp.session.kill sends GOODBYE with the reason and message, and the session is gone", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const b = await joined(r);
    const request = a.call("wamp.session.kill", [b.session], { reason: "com.example.bye", message: "go away" });
    expect(await b.nextOfType(T.GOODBYE)).toEqual({ type: T.GOODBYE, details: { message: "go away" }, reason: "com.example.bye" });
    expect(await a.replyTo(request)).toEqual({ type: T.RESULT, request, details: {}, args: [], kwargs: undefined });
    await b.waitClosed();
    expect(await metaResult(a, "wamp.session.count")).toEqual([1]);
  });

  test("wamp.session.kill defaults to wamp.close.killed without a message", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const b = await joined(r);
    await metaResult(a, "wamp.session.kill", [b.session]);
    expect(await b.nextOfType(T.GOODBYE)).toEqual({ type: T.GOODBYE, details: {}, reason: "wamp.close.killed" });
  });

  test("a session cannot kill itself: wamp.error.no_such_session", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const reply = await metaCall(a, "wamp.session.kill", [a.session]);
    expect(reply).toMatchObject({ type: T.ERROR, error: "wamp.error.no_such_session" });
    expect(a.closed).toBe(false);
  });

  test("kill with a reason that is not a URI is wamp.error.invalid_uri and kills nobody", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const b = await joined(r);
    const reply = await metaCall(a, "wamp.session.kill", [b.session], { reason: "not a uri" });
    expect(reply).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_uri", args: ["ArgumentsKw.reason must be a valid non-empty URI"] });
    expect(await metaResult(a, "wamp.session.count")).toEqual([2]);
  });

  test("kill_by_authid returns the killed session ids; kill_by_authrole returns a count and spares the caller", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const { c: b, welcome } = await joinedWithWelcome(r);
    const c = await joined(r);
    expect(await metaResult(a, "wamp.session.kill_by_authid", [welcome.details.authid])).toEqual([[b.session]]);
    expect(await b.nextOfType(T.GOODBYE)).toMatchObject({ reason: "wamp.close.killed" });
    expect(await metaResult(a, "wamp.session.kill_by_authrole", ["anonymous"], { message: "maintenance" })).toEqual([1]);
    expect(await c.nextOfType(T.GOODBYE)).toEqual({ type: T.GOODBYE, details: { message: "maintenance" }, reason: "wamp.close.killed" });
    expect(a.closed).toBe(false);
    expect(await metaResult(a, "wamp.session.list")).toEqual([[a.session]]);
  });

  test("kill_all closes every other session and publishes neither on_leave nor testaments for them", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const watch = await metaWatcher(a, ["wamp.session.on_leave", "com.example.gone"]);
    const b = await joined(r);
    const c = await joined(r);
    await metaResult(b, "wamp.session.add_testament", ["com.example.gone", ["b"], {}]);
    expect(await metaResult(a, "wamp.session.kill_all")).toEqual([2]);
    await b.waitClosed();
    await c.waitClosed();
    expect(await watch.events()).toEqual([]);
    expect(await metaResult(a, "wamp.session.count")).toEqual([1]);
  });
});

describe("session meta events", () => {
  test("wamp.session.on_join carries the joining session's details dict", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const watch = await metaWatcher(a, ["wamp.session.on_join"]);
    const { c: b, welcome } = await joinedWithWelcome(r);
    expect(await watch.events()).toEqual([["wamp.session.on_join", [info(b, welcome)]]]);
  });

  test("wamp.session.on_leave carries session, authid and authrole after a GOODBYE", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const { c: b, welcome } = await joinedWithWelcome(r);
    const watch = await metaWatcher(a, ["wamp.session.on_leave"]);
    b.send({ type: T.GOODBYE, details: {}, reason: "wamp.close.close_realm" });
    await b.nextOfType(T.GOODBYE);
    expect(await watch.events()).toEqual([["wamp.session.on_leave", [b.session, welcome.details.authid, "anonymous"]]]);
  });

  test("the meta session's own join is never published and it cannot be killed", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const internal = [...r.router.realm("realm1")!.sessions.values()].find((s) => s.internal)!;
    expect(internal.authrole).toBe("trusted");
    expect(await metaCall(a, "wamp.session.kill", [internal.id])).toMatchObject({ type: T.ERROR, error: "wamp.error.no_such_session" });
    expect(await metaCall(a, "wamp.session.get", [internal.id])).toMatchObject({ type: T.ERROR, error: "wamp.error.no_such_session" });
    await settle();
  });

  test("a router without linkPeers runs no meta API", async () => {
    const { localRouter } = await import("../_harness/local_router.ts");
    const r = localRouter();
    const a = await joined(r);
    expect(await metaCall(a, "wamp.session.count")).toMatchObject({ type: T.ERROR, error: "wamp.error.no_such_procedure" });
  });
});
