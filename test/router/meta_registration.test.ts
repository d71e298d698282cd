import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import { joined, metaCall, metaResult, metaRouter, metaWatcher } from "./meta_harness.ts";

const EPOCH = "1970-01-01T00:00:00.000Z"; // the manual clock starts at 0
const REG_EVENTS = ["wamp.registration.on_create", "wamp.registration.on_register", "wamp.registration.on_unregister", "wamp.registration.on_delete"];

describe("registration meta events", () => {
  test("the first REGISTER fires on_create then on_register; a shared callee only on_register", async () => {
    const r = await metaRouter();
    const watcher = await joined(r);
    const watch = await metaWatcher(watcher, REG_EVENTS);
    const a = await joined(r);
    const b = await joined(r);
    const id = await a.register("com.example.add", { invoke: "roundrobin" });
    await b.register("com.example.add", { invoke: "roundrobin" });
    expect(await watch.events()).toEqual([
      ["wamp.registration.on_create", [a.session, { id, created: EPOCH, uri: "com.example.add", match: "exact", invoke: "roundrobin" }]],
      ["wamp.registration.on_register", [a.session, id]],
      ["wamp.registration.on_register", [b.session, id]],
    ]);
  });

  test("UNREGISTER of the last callee fires on_unregister then on_delete", async () => {
    const r = await metaRouter();
    const watcher = await joined(r);
    const a = await joined(r);
    const id = await a.register("com.example.add");
    const watch = await metaWatcher(watcher, REG_EVENTS);
    const request = a.request();
    a.send({ type: T.UNREGISTER, request, registration: id });
    await a.replyTo(request);
    expect(await watch.events()).toEqual([
      ["wamp.registration.on_unregister", [a.session, id]],
      ["wamp.registration.on_delete", [a.session, id]],
    ]);
  });

  test("a leaving callee's on_unregister and on_delete come before its on_leave", async () => {
    const r = await metaRouter();
    const watcher = await joined(r);
    const a = await joined(r);
    const id = await a.register("com.example.add");
    const watch = await metaWatcher(watcher, [...REG_EVENTS, "wamp.session.on_leave"]);
    a.send({ type: T.GOODBYE, details: {}, reason: "wamp.close.close_realm" });
    await a.nextOfType(T.GOODBYE);
    const events = await watch.events();
    expect(events.map(([topic]) => topic)).toEqual(["wamp.registration.on_unregister", "wamp.registration.on_delete", "wamp.session.on_leave"]);
    expect(events[1]).toEqual(["wamp.registration.on_delete", [a.session, id]]);
  });
});

describe("registration meta procedures", () => {
  test("list, lookup, match and get describe application registrations, not the meta procedures", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const exact = await a.register("com.example.add");
    const prefix = await a.register("com.example.", { match: "prefix" });
    const wildcard = await a.register("com..get", { match: "wildcard" });
    expect(await metaResult(a, "wamp.registration.list")).toEqual([{ exact: [exact], prefix: [prefix], wildcard: [wildcard] }]);
    expect(await metaResult(a, "wamp.registration.lookup", ["com.example.add"])).toEqual([exact]);
    expect(await metaResult(a, "wamp.registration.lookup", ["com.example.", { match: "prefix" }])).toEqual([prefix]);
    expect(await metaResult(a, "wamp.registration.lookup", ["com.example.nothing"])).toEqual([null]);
    expect(await metaResult(a, "wamp.registration.match", ["com.example.sub"])).toEqual([prefix]);
    expect(await metaResult(a, "wamp.registration.match", ["com.x.get"])).toEqual([wildcard]);
    expect(await metaResult(a, "wamp.registration.match", ["org.nothing"])).toEqual([null]);
    expect(await metaResult(a, "wamp.registration.match", ["wamp.session.count"])).toEqual([null]);
    expect(await metaResult(a, "wamp.registration.get", [exact])).toEqual([
      { id: exact, created: EPOCH, uri: "com.example.add", match: "exact", invoke: "single" },
    ]);
  });

  test("list_callees and count_callees report a shared registration's callees", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const b = await joined(r);
    const id = await a.register("com.example.add", { invoke: "random" });
    await b.register("com.example.add", { invoke: "random" });
    const [callees] = await metaResult(a, "wamp.registration.list_callees", [id]) as [number[]];
    expect(callees.sort()).toEqual([a.session, b.session].sort());
    expect(await metaResult(a, "wamp.registration.count_callees", [id])).toEqual([2]);
  });

  test("get, list_callees and count_callees of an unknown id are wamp.error.no_such_registration", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    for (const p of ["wamp.registration.get", "wamp.registration.list_callees", "wamp.registration.count_callees", "wamp.registration.remove"]) {
      const request = a.call(p, [4242]);
      expect(await a.replyTo(request)).toEqual({
        type: T.ERROR, requestType: T.CALL, request, details: {}, error: "wamp.error.no_such_registration",
        args: ["no registration 4242 on this realm"],
      });
    }
    expect(await metaCall(a, "wamp.registration.get", ["x"])).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_argument" });
  });

  test("remove revokes the registration: UNREGISTERED with the reason to a callee announcing registration_revocation", async () => {
    const r = await metaRouter();
    const admin = await joined(r);
    const callee = r.connect();
    await callee.join("realm1", { roles: { callee: { features: { registration_revocation: true } } } });
    const id = await callee.register("com.example.add");
    const watch = await metaWatcher(admin, REG_EVENTS);
    expect(await metaResult(admin, "wamp.registration.remove", [id], { reason: "moved" })).toEqual([]);
    expect(await callee.nextOfType(T.UNREGISTERED)).toEqual({ type: T.UNREGISTERED, request: 0, details: { registration: id, reason: "moved" } });
    expect(await watch.events()).toEqual([
      ["wamp.registration.on_unregister", [callee.session, id]],
      ["wamp.registration.on_delete", [callee.session, id]],
    ]);
    expect(await metaResult(admin, "wamp.registration.lookup", ["com.example.add"])).toEqual([null]);
  });

  test("remove of one callee keeps the registration for the others", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const b = await joined(r);
    const id = await a.register("com.example.add", { invoke: "first" });
    await b.register("com.example.add", { invoke: "first" });
    await metaResult(a, "wamp.registration.remove", [id, b.session]);
    expect(await metaResult(a, "wamp.registration.list_callees", [id])).toEqual([[a.session]]);
    expect(await metaCall(a, "wamp.registration.remove", [id, 99])).toMatchObject({ type: T.ERROR, error: "wamp.error.no_such_session" });
  });
});
