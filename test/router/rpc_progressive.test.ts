import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Invocation } from "../../src/wamp/messages.ts";
import { joined, localRouter } from "../_harness/local_router.ts";
import { joinedWith } from "./_rpc_peers.ts";

const PROGRESSIVE = { progressive_call_results: true, progressive_call_invocations: true, call_canceling: true };

describe("progressive call results", () => {
  test("receive_progress reaches a callee that announced it; progress YIELDs become RESULTs with progress, in order", async () => {
    const r = localRouter();
    const callee = await joinedWith(r, PROGRESSIVE);
    await callee.register("com.example.stream");
    const caller = await joinedWith(r, PROGRESSIVE);
    const req = caller.call("com.example.stream", [], undefined, { receive_progress: true });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.details).toEqual({ receive_progress: true });
    for (const n of [1, 2]) callee.send({ type: T.YIELD, request: inv.request, options: { progress: true }, args: [n] });
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [3] });
    const got = [await caller.replyTo(req), await caller.replyTo(req), await caller.replyTo(req)];
    expect(got).toEqual([1, 2, 3].map((n) => ({ type: T.RESULT, request: req, details: n < 3 ? { progress: true } : {}, args: [n], kwargs: undefined, payload: undefined })));
    // The final YIELD closed the call: a further one is dropped.
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [4] });
    expect(await caller.idle(5)).toEqual([]);
  });

  test("a callee that did not announce the feature is not asked for progress", async () => {
    const r = localRouter();
    const callee = await joined(r);
    await callee.register("com.example.plain");
    const caller = await joinedWith(r, PROGRESSIVE);
    caller.call("com.example.plain", [], undefined, { receive_progress: true });
    expect((await callee.nextOfType<Invocation>(T.INVOCATION)).details).toEqual({});
  });
});

describe("progressive call invocations", () => {
  test("CALLs with one request id and progress true stream into one INVOCATION id; the final CALL ends it", async () => {
    const r = localRouter();
    const callee = await joinedWith(r, PROGRESSIVE);
    await callee.register("com.example.upload");
    const caller = await joinedWith(r, PROGRESSIVE);
    const request = caller.request();
    const send = (options: Record<string, unknown>, n: number) => caller.send({ type: T.CALL, request, options, procedure: "com.example.upload", args: [n] });
    send({ progress: true }, 1);
    send({ progress: true }, 2);
    send({}, 3);
    const invs = [await callee.nextOfType<Invocation>(T.INVOCATION), await callee.nextOfType<Invocation>(T.INVOCATION), await callee.nextOfType<Invocation>(T.INVOCATION)];
    expect(invs.map((i) => [i.request, i.details, i.args])).toEqual([
      [invs[0].request, { progress: true }, [1]], [invs[0].request, { progress: true }, [2]], [invs[0].request, {}, [3]],
    ]);
    callee.send({ type: T.YIELD, request: invs[0].request, options: {}, args: ["done"] });
    expect(await caller.replyTo(request)).toMatchObject({ type: T.RESULT, args: ["done"] });
    // The stream is over: reusing its request id again is the protocol error it always was.
    send({}, 4);
    expect(await caller.nextOfType(T.ABORT)).toMatchObject({ reason: "wamp.error.protocol_violation" });
  });

  test("a callee without the feature: feature_not_supported; a caller without it: protocol violation", async () => {
    const r = localRouter();
    const callee = await joined(r);
    await callee.register("com.example.upload");
    const caller = await joinedWith(r, PROGRESSIVE);
    const req = caller.call("com.example.upload", [], undefined, { progress: true });
    expect(await caller.replyTo(req)).toMatchObject({ type: T.ERROR, error: "wamp.error.feature_not_supported" });
    const plain = await joined(r);
    plain.call("com.example.upload", [], undefined, { progress: true });
    expect(await plain.nextOfType(T.ABORT)).toMatchObject({ reason: "wamp.error.protocol_violation" });
  });
});

describe("caller identification and payload passthru", () => {
  test("disclose_me or disclose_caller put caller, caller_authid and caller_authrole in the INVOCATION", async () => {
    const r = localRouter();
    const callee = await joined(r);
    await callee.register("com.example.a");
    await callee.register("com.example.b", { disclose_caller: true });
    const caller = await joined(r);
    const who = { caller: caller.session, caller_authid: expect.any(String), caller_authrole: "anonymous" };
    caller.call("com.example.a", [], undefined, { disclose_me: true });
    expect((await callee.nextOfType<Invocation>(T.INVOCATION)).details).toEqual(who);
    caller.call("com.example.b");
    expect((await callee.nextOfType<Invocation>(T.INVOCATION)).details).toEqual(who);
    caller.call("com.example.a");
    expect((await callee.nextOfType<Invocation>(T.INVOCATION)).details).toEqual({});
  });

  test("ppt_* options travel from CALL to INVOCATION and from YIELD to RESULT with the binary payload", async () => {
    const r = localRouter();
    const callee = await joined(r);
    await callee.register("com.example.ppt");
    const caller = await joined(r);
    const ppt = { ppt_scheme: "x_custom", ppt_serializer: "flatbuffers", ppt_cipher: "xsalsa20poly1305", ppt_keyid: "k1" };
    const request = caller.request();
    caller.send({ type: T.CALL, request, options: { ...ppt }, procedure: "com.example.ppt", payload: new Uint8Array([1, 2]) });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.details).toEqual(ppt);
    expect(inv.payload).toEqual(new Uint8Array([1, 2]));
    callee.send({ type: T.YIELD, request: inv.request, options: { ppt_scheme: "x_custom", ppt_serializer: "cbor" }, payload: new Uint8Array([3]) });
    expect(await caller.replyTo(request)).toEqual({ type: T.RESULT, request, details: { ppt_scheme: "x_custom", ppt_serializer: "cbor" }, args: undefined, kwargs: undefined, payload: new Uint8Array([3]) });
  });
});
