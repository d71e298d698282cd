import { describe, expect, test } from "bun:test";
import { linkedPeers } from "../../src/transport/mod.ts";
import { type Invocation, MessageType as T } from "../../src/wamp/mod.ts";
import { createManualClock, systemClock } from "../../src/util/mod.ts";
import { compatSession, KEEPALIVE_PROCEDURE } from "../../edge/compat.ts";
import { localRouter } from "../_harness/local_router.ts";
import { MessageClient } from "../_harness/message_client.ts";

/** A client whose session goes through the compat tap into a real (in-memory) router. */
function tapped() {
  const r = localRouter();
  const [clientSide, routerSide] = linkedPeers();
  r.router.attach(routerSide);
  const compat = compatSession(clientSide, systemClock);
  const client = new MessageClient(compat.peer);
  return { r, client, compat };
}

describe("compat keepalive probes", () => {
  test("probes are CALLs answered by any router; the session's own request ids keep working around them", async () => {
    const { r, client, compat } = tapped();
    expect((await client.join()).type).toBe(T.WELCOME);
    // The probe is injected between the client's requests 1 and 2: the router must still see
    // increasing request ids (it closes a session that repeats one).
    await client.subscribe("com.example.a");
    expect(await compat.keepalive.ping(2000)).toBeGreaterThanOrEqual(0);
    await client.subscribe("com.example.b");
    const callee = await (async () => {
      const c = r.connect();
      await c.join();
      await c.register("com.example.echo");
      return c;
    })();
    const call = client.call("com.example.echo", [1]);
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(await compat.keepalive.ping(2000)).toBeGreaterThanOrEqual(0);
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: inv.args });
    const result = await client.replyTo(call);
    expect(result).toMatchObject({ type: T.RESULT, request: call, args: [1] });
    // The probes' answers (ERROR no_such_procedure) never reach the session's client.
    expect(await client.idle()).toEqual([]);
    expect(client.closed).toBe(false);
  });

  test("a probe counts as traffic and reports its round trip; before WELCOME there is nothing to probe", async () => {
    const { client, compat } = tapped();
    await expect(compat.keepalive.ping(1000)).rejects.toThrow("no joined session to probe");
    const before = compat.keepalive.lastReceivedAt();
    await new Promise((r) => setTimeout(r, 5));
    await client.join();
    await compat.keepalive.ping(1000);
    expect(compat.keepalive.lastReceivedAt()).toBeGreaterThan(before);
  });

  test("an unanswered probe rejects after its timeout", async () => {
    const clock = createManualClock();
    const [edge, core] = linkedPeers();
    const sent: unknown[] = [];
    core.onMessage = (m) => sent.push(m);
    const compat = compatSession(edge, clock);
    const client = new MessageClient(compat.peer);
    client.send({ type: T.HELLO, realm: "realm1", details: {} });
    core.send({ type: T.WELCOME, session: 1, details: {} });
    await new Promise((r) => setTimeout(r, 0));
    const probe = compat.keepalive.ping(3000);
    let outcome = "pending";
    probe.then(() => (outcome = "answered"), (e: Error) => (outcome = e.message));
    await new Promise((r) => setTimeout(r, 0));
    expect(sent[1]).toEqual({ type: T.CALL, request: 1, options: {}, procedure: KEEPALIVE_PROCEDURE });
    clock.advance(2999);
    await new Promise((r) => setTimeout(r, 0));
    expect(outcome).toBe("pending");
    clock.advance(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(outcome).toBe(`no answer to ${KEEPALIVE_PROCEDURE} within 3000 ms`);
  });

  test("CANCEL and progressive call continuations follow the renumbered CALL", async () => {
    const [edge, core] = linkedPeers();
    const atCore: Array<{ type: number; request?: number }> = [];
    core.onMessage = (m) => atCore.push(m as { type: number; request?: number });
    const compat = compatSession(edge, systemClock);
    const client = new MessageClient(compat.peer);
    client.send({ type: T.HELLO, realm: "realm1", details: {} });
    core.send({ type: T.WELCOME, session: 1, details: {} });
    await new Promise((r) => setTimeout(r, 0));
    void compat.keepalive.ping(1000).catch(() => {}); // wire id 1
    client.send({ type: T.CALL, request: 1, options: { progress: true }, procedure: "p", args: [1] }); // wire 2
    client.send({ type: T.CALL, request: 1, options: {}, procedure: "p", args: [2] }); // continuation: wire 2 again
    client.send({ type: T.CANCEL, request: 1, options: {} });
    await new Promise((r) => setTimeout(r, 0));
    expect(atCore.slice(1).map((m) => [m.type, m.request])).toEqual([[T.CALL, 1], [T.CALL, 2], [T.CALL, 2], [T.CANCEL, 2]]);
    core.send({ type: T.RESULT, request: 2, details: { progress: true }, args: ["p"] });
    core.send({ type: T.RESULT, request: 2, details: {}, args: ["done"] });
    core.send({ type: T.ERROR, requestType: T.CALL, request: 1, details: {}, error: "wamp.error.no_such_procedure" });
    const got = await client.idle(20);
    expect(got.map((m) => [m.type, (m as { request: number }).request])).toEqual([[T.WELCOME, undefined], [T.RESULT, 1], [T.RESULT, 1]]);
  });
});
