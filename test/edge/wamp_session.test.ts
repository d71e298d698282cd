import { describe, expect, test } from "bun:test";
import { createRouter } from "../../src/router/mod.ts";
import { cryptosignPublicKey, cryptosignSign } from "../../src/auth/mod.ts";
import { linkedPeers } from "../../src/transport/mod.ts";
import { type Event, MessageType as T } from "../../src/wamp/mod.ts";
import { createManualClock } from "../../src/util/mod.ts";
import { SESSION_LOST, WampError, WampSession } from "../../edge/wamp_session.ts";
import { ALICE_PK, ALICE_SK, hex, securedRouter, seedAlice } from "../auth/_auth_harness.ts";

function sessionOn(router: { attach(p: ReturnType<typeof linkedPeers>[1]): void }): WampSession {
  const [mine, theirs] = linkedPeers();
  router.attach(theirs);
  return new WampSession(mine);
}

describe("WampSession", () => {
  test("join, register, call with progress, errors, unregister", async () => {
    const router = createRouter({ realms: [{ name: "r" }] });
    const callee = sessionOn(router);
    const caller = sessionOn(router);
    const w = await callee.join({ realm: "r" });
    expect(w.session).toBeGreaterThan(0);
    await caller.join({ realm: "r" });
    const reg = await callee.register("com.x.count", (inv, reply) => {
      const n = (inv.args?.[0] as number) ?? 0;
      if (n < 0) return reply.error("com.x.error.negative", { args: ["n < 0"] });
      for (let i = 1; i < n; i++) reply.progress({ args: [i] });
      reply.result({ args: [n], kwargs: { done: true } });
    });
    const progress: unknown[] = [];
    const r = await caller.call("com.x.count", { args: [3] }, { receive_progress: true }, (p) => progress.push(p.args?.[0]));
    expect(progress).toEqual([1, 2]);
    expect([r.args, r.kwargs]).toEqual([[3], { done: true }]);
    const err = await caller.call("com.x.count", { args: [-1] }).catch((e) => e);
    expect(err).toBeInstanceOf(WampError);
    expect([err.error, err.args]).toEqual(["com.x.error.negative", ["n < 0"]]);
    expect(err.message).toBe("com.x.error.negative: n < 0");
    await callee.unregister(reg);
    expect((await caller.call("com.x.count").catch((e) => e)).error).toBe("wamp.error.no_such_procedure");
  });

  test("subscribe, publish (acknowledged or not), unsubscribe", async () => {
    const router = createRouter({ realms: [{ name: "r" }] });
    const a = sessionOn(router);
    const b = sessionOn(router);
    await a.join({ realm: "r" });
    await b.join({ realm: "r" });
    const got: Event[] = [];
    const sub = await a.subscribe("com.x.", (ev) => got.push(ev), { match: "prefix" });
    expect(typeof (await b.publish("com.x.t", { args: [1] }, { acknowledge: true }))).toBe("number");
    expect(await b.publish("com.x.u", { kwargs: { k: 2 } })).toBeUndefined();
    await b.call("wamp.session.count").catch(() => {}); // a round trip: both publications delivered by now
    await new Promise((r) => setTimeout(r, 5));
    expect(got.map((e) => [e.details.topic, e.args, e.kwargs])).toEqual([["com.x.t", [1], undefined], ["com.x.u", undefined, { k: 2 }]]);
    await a.unsubscribe(sub);
    await b.publish("com.x.t", { args: [3] }, { acknowledge: true });
    await new Promise((r) => setTimeout(r, 5));
    expect(got.length).toBe(2);
    const refused = await b.publish("wamp.reserved", {}, { acknowledge: true }).catch((e) => e);
    expect(refused.error).toBe("wamp.error.invalid_uri");
  });

  test("INTERRUPT reaches the handler; leave() ends the session; open calls are rejected when the transport closes", async () => {
    const router = createRouter({ realms: [{ name: "r" }] });
    const callee = sessionOn(router);
    const caller = sessionOn(router);
    await callee.join({ realm: "r" });
    await caller.join({ realm: "r" });
    let interrupted: unknown;
    await callee.register("com.x.slow", (_inv, reply) => {
      reply.onInterrupt = (o) => {
        interrupted = o.mode;
        reply.error("wamp.error.canceled");
      };
    });
    const h = caller.callStart("com.x.slow", {});
    await new Promise((r) => setTimeout(r, 5));
    h.cancel("kill");
    expect((await h.result.catch((e) => e)).error).toBe("wamp.error.canceled");
    expect(interrupted).toBe("kill");

    let closed = "";
    callee.onClose = (r) => (closed = r);
    await callee.leave();
    expect(callee.isOpen).toBe(false);
    expect(closed).toBe("left");

    const silent = sessionOn(router);
    await silent.join({ realm: "r" });
    await silent.register("com.x.hang", () => {}); // never answers
    const pending = caller.call("com.x.hang");
    await new Promise((r) => setTimeout(r, 5));
    caller.peer.close();
    const lost = await pending.catch((e) => e);
    expect(lost.error).toBe(SESSION_LOST);
    expect((await caller.call("com.x.slow").catch((e) => e)).error).toBe(SESSION_LOST);
  });

  test("leave() on a link that no longer answers ends after its timeout and closes the peer", async () => {
    const clock = createManualClock();
    const [mine, theirs] = linkedPeers();
    const s = new WampSession(mine, { clock });
    theirs.onMessage = (m) => {
      if (m.type === T.HELLO) theirs.send({ type: T.WELCOME, session: 7, details: {} });
      // GOODBYE is never answered: a frozen link
    };
    await s.join({ realm: "r" });
    let done = false;
    const left = s.leave().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    clock.advance(2000);
    await left;
    expect([done, s.isOpen, mine.closed]).toEqual([true, false, true]);
  });

  test("cryptosign and ticket authentication; ABORT rejects join with its reason", async () => {
    const r = securedRouter();
    seedAlice(r.repo);
    const seed = hex(ALICE_SK);
    expect(cryptosignPublicKey(seed)).toBe(ALICE_PK);
    const join = (o: Parameters<WampSession["join"]>[0]) => sessionOn(r.router).join(o);

    const c = await join({
      realm: "realm1", authid: "alice", authmethods: ["cryptosign"], authextra: { pubkey: cryptosignPublicKey(seed) },
      onChallenge: (m, extra) => cryptosignSign(seed, extra.challenge as string),
    });
    expect(c.details.authmethod).toBe("cryptosign");
    const t = await join({ realm: "realm1", authid: "alice", authmethods: ["ticket"], onChallenge: () => "tkt-1" });
    expect(t.details.authid).toBe("alice");

    const bad = await join({ realm: "realm1", authid: "alice", authmethods: ["ticket"], onChallenge: () => "nope" }).catch((e) => e);
    expect(bad.message).toContain("wamp.error.authentication_failed");
    const unconfigured = await join({ realm: "realm1", authid: "alice", authmethods: ["ticket"] }).catch((e) => e);
    expect(unconfigured.message).toContain("not configured for");
    const noRealm = await join({ realm: "nowhere" }).catch((e) => e);
    expect(noRealm.message).toContain("wamp.error.no_such_realm");
  });

  test("the cryptosign signer refuses malformed keys and challenges with a clear error", () => {
    expect(() => cryptosignPublicKey("xyz")).toThrow(/32-byte Ed25519 seed/);
    expect(() => cryptosignSign("00".repeat(32), "not hex")).toThrow(/challenge/);
    // 96-byte form: signature followed by the signed challenge
    expect(cryptosignSign("00".repeat(32), "ab".repeat(32))).toMatch(/^[0-9a-f]{128}(ab){32}$/);
  });
});
