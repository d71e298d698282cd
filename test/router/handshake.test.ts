import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Abort, Welcome } from "../../src/wamp/messages.ts";
import { joined, localRouter } from "../_harness/local_router.ts";

describe("session handshake", () => {
  test("HELLO to realm1 gets WELCOME with session id, identity and router roles", async () => {
    const r = localRouter();
    const c = r.connect();
    const w = await c.join() as Welcome;
    expect(w.type).toBe(T.WELCOME);
    expect(Number.isInteger(w.session) && w.session >= 1 && w.session <= 2 ** 53).toBe(true);
    expect(w.details.authrole).toBe("anonymous");
    expect(w.details.authmethod).toBe("anonymous");
    expect(typeof w.details.authid).toBe("string");
    expect(w.details.realm).toBe("realm1");
    const roles = w.details.roles as Record<string, { features: Record<string, boolean> }>;
    expect(Object.keys(roles).sort()).toEqual(["broker", "dealer"]);
    expect(roles.broker.features.publisher_exclusion).toBe(true);
    expect(r.router.sessionCount).toBe(1);
  });

  test("two sessions get different ids and authids", async () => {
    const r = localRouter();
    const a = await r.connect().join() as Welcome;
    const b = await r.connect().join() as Welcome;
    expect(a.session).not.toBe(b.session);
    expect(a.details.authid).not.toBe(b.details.authid);
  });

  test("unknown realm is aborted with no_such_realm naming the realm", async () => {
    const r = localRouter();
    const c = r.connect();
    const reply = await c.join("nope") as Abort;
    expect(reply.type).toBe(T.ABORT);
    expect(reply.reason).toBe("wamp.error.no_such_realm");
    expect(String(reply.details.message)).toContain("nope");
    await c.waitClosed();
    expect(r.router.sessionCount).toBe(0);
  });

  test("a first message other than HELLO is a protocol violation", async () => {
    const r = localRouter();
    const c = r.connect();
    c.send({ type: T.SUBSCRIBE, request: 1, options: {}, topic: "a.b" });
    const reply = await c.nextOfType<Abort>(T.ABORT);
    expect(reply.reason).toBe("wamp.error.protocol_violation");
    expect(String(reply.details.message)).toContain("HELLO");
    await c.waitClosed();
  });

  test("HELLO without roles is a protocol violation", async () => {
    const r = localRouter();
    const c = r.connect();
    c.send({ type: T.HELLO, realm: "realm1", details: {} });
    const reply = await c.nextOfType<Abort>(T.ABORT);
    expect(reply.reason).toBe("wamp.error.protocol_violation");
    expect(String(reply.details.message)).toContain("roles");
  });

  test("a second HELLO in an established session is a protocol violation and ends the session", async () => {
    const r = localRouter();
    const c = await joined(r);
    c.send({ type: T.HELLO, realm: "realm1", details: { roles: { caller: {} } } });
    const reply = await c.nextOfType<Abort>(T.ABORT);
    expect(reply.reason).toBe("wamp.error.protocol_violation");
    await c.waitClosed();
    expect(r.router.sessionCount).toBe(0);
  });

  test("router-only messages from a client are protocol violations", async () => {
    for (const msg of [
      { type: T.WELCOME, session: 1, details: {} },
      { type: T.EVENT, subscription: 1, publication: 1, details: {} },
      { type: T.RESULT, request: 1, details: {} },
      { type: T.INVOCATION, request: 1, registration: 1, details: {} },
      { type: T.ERROR, requestType: T.CALL, request: 1, details: {}, error: "x.y" },
    ] as const) {
      const r = localRouter();
      const c = await joined(r);
      c.send(msg);
      const reply = await c.nextOfType<Abort>(T.ABORT);
      expect(reply.reason).toBe("wamp.error.protocol_violation");
    }
  });

  test("authmethods without anonymous on an anonymous realm gets no_auth_method", async () => {
    const r = localRouter();
    const c = r.connect();
    const reply = await c.join("realm1", { authmethods: ["ticket"], authid: "joe" }) as Abort;
    expect(reply.type).toBe(T.ABORT);
    expect(reply.reason).toBe("wamp.error.no_auth_method");
    expect(String(reply.details.message)).toContain("anonymous");
  });

  test("GOODBYE is answered with goodbye_and_out and the session's state is removed", async () => {
    const r = localRouter();
    const c = await joined(r);
    await c.register("com.example.p");
    await c.subscribe("com.example.t");
    c.send({ type: T.GOODBYE, details: {}, reason: "wamp.close.close_realm" });
    const reply = await c.nextOfType(T.GOODBYE);
    expect(reply).toEqual({ type: T.GOODBYE, details: {}, reason: "wamp.close.goodbye_and_out" });
    expect(r.router.sessionCount).toBe(0);
    expect(r.router.realm("realm1")!.dealer.registrationCount).toBe(0);
    expect(r.router.realm("realm1")!.broker.subscriptionCount).toBe(0);
  });

  test("after GOODBYE the same connection can join again", async () => {
    const r = localRouter();
    const c = await joined(r);
    const first = c.session;
    c.send({ type: T.GOODBYE, details: {}, reason: "wamp.close.close_realm" });
    await c.nextOfType(T.GOODBYE);
    const again = await c.join() as Welcome;
    expect(again.type).toBe(T.WELCOME);
    expect(again.session).not.toBe(first);
  });

  test("shutdown sends GOODBYE system_shutdown to every session and closes them", async () => {
    const r = localRouter();
    const a = await joined(r);
    const b = await joined(r);
    r.router.shutdown();
    for (const c of [a, b]) {
      const g = await c.nextOfType(T.GOODBYE);
      expect(g).toMatchObject({ reason: "wamp.close.system_shutdown" });
      await c.waitClosed();
    }
    expect(r.router.sessionCount).toBe(0);
  });

  test("a protocol violation by one session does not disturb another", async () => {
    const r = localRouter();
    const good = await joined(r);
    const bad = await joined(r);
    await good.register("com.example.echo");
    bad.send({ type: T.WELCOME, session: 1, details: {} });
    await bad.nextOfType(T.ABORT);
    const caller = await joined(r);
    const req = caller.call("com.example.echo", [1]);
    const inv = await good.nextOfType(T.INVOCATION);
    good.send({ type: T.YIELD, request: (inv as { request: number }).request, options: {}, args: [1] });
    expect(await caller.replyTo(req)).toEqual({ type: T.RESULT, request: req, details: {}, args: [1], kwargs: undefined, payload: undefined });
  });
});

describe("after shutdown", () => {
  test("a new connection is refused with ABORT system_shutdown", async () => {
    const r = localRouter();
    r.router.shutdown();
    const c = r.connect();
    expect(await c.nextOfType(T.ABORT)).toMatchObject({ reason: "wamp.close.system_shutdown" });
    await c.waitClosed();
  });
});

describe("protocol errors the spec names", () => {
  test("a repeated request id is a protocol violation", async () => {
    const r = localRouter();
    const c = await joined(r);
    c.send({ type: T.SUBSCRIBE, request: 5, options: {}, topic: "com.example.a" });
    await c.nextOfType(T.SUBSCRIBED);
    c.send({ type: T.REGISTER, request: 5, options: {}, procedure: "com.example.p" });
    const reply = await c.nextOfType<Abort>(T.ABORT);
    expect(reply.reason).toBe("wamp.error.protocol_violation");
    expect(String(reply.details.message)).toContain("request id 5");
    await c.waitClosed();
    expect(r.router.realm("realm1")!.broker.subscriptionCount).toBe(0);
  });

  test("a YIELD for an invocation never sent is a protocol violation", async () => {
    const r = localRouter();
    const c = await joined(r);
    c.send({ type: T.YIELD, request: 1, options: {} });
    const reply = await c.nextOfType<Abort>(T.ABORT);
    expect(reply.reason).toBe("wamp.error.protocol_violation");
    expect(String(reply.details.message)).toContain("INVOCATION 1");
  });

  test("ERROR for an unknown request type is a protocol violation", async () => {
    const r = localRouter();
    const c = await joined(r);
    c.send({ type: T.ERROR, requestType: T.SUBSCRIBE, request: 1, details: {}, error: "a.b" });
    const reply = await c.nextOfType<Abort>(T.ABORT);
    expect(reply.reason).toBe("wamp.error.protocol_violation");
    expect(String(reply.details.message)).toContain("only answer an INVOCATION, not SUBSCRIBE");
  });
});

describe("internal sessions and termination", () => {
  test("an internal client joins as trusted and may use the wamp. namespace", async () => {
    const r = localRouter();
    const [clientSide, routerSide] = (await import("../../src/transport/local_peer.ts")).linkedPeers();
    r.router.attach(routerSide, { internal: true });
    const { MessageClient } = await import("../_harness/message_client.ts");
    const meta = new MessageClient(clientSide);
    const w = await meta.join() as Welcome;
    expect(w.details).toMatchObject({ authrole: "trusted", authmethod: "internal" });
    expect(r.router.realm("realm1")!.sessions.get(w.session)!.internal).toBe(true);
    await meta.register("wamp.session.count");
    const client = await joined(r);
    const req = client.call("wamp.session.count");
    expect(await meta.nextOfType(T.INVOCATION)).toMatchObject({ details: {} });
    expect(req).toBeGreaterThan(0);
  });

  test("realm events: join, then leave after the session's registrations are gone", async () => {
    const r = localRouter();
    const seen: string[] = [];
    r.router.realm("realm1")!.events.add({
      sessionJoined: (s) => seen.push(`join ${s.id}`),
      sessionLeft: (s) => seen.push(`leave ${s.id} regs=${r.router.realm("realm1")!.dealer.registrationCount}`),
    });
    const c = await joined(r);
    await c.register("com.example.p");
    c.peer.close();
    await c.waitClosed();
    await new Promise((res) => setTimeout(res, 0));
    expect(seen).toEqual([`join ${c.session}`, `leave ${c.session} regs=0`]);
  });

  test("terminate sends GOODBYE with the reason and ends the session", async () => {
    const r = localRouter();
    const c = await joined(r);
    r.router.realm("realm1")!.sessions.get(c.session)!.terminate("wamp.close.killed", "bye");
    expect(await c.nextOfType(T.GOODBYE)).toEqual({ type: T.GOODBYE, details: { message: "bye" }, reason: "wamp.close.killed" });
    await c.waitClosed();
    expect(r.router.sessionCount).toBe(0);
  });
});
