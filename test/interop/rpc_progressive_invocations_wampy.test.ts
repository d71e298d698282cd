// Progressive call invocations from a real client: wampy 8's progressiveCall() streams CALLs with
// one request id and Options.progress, but its HELLO does not announce the caller feature (the
// dealer must treat unannounced use as a protocol error), so the test adds the flag to wampy's
// own role announcement before it connects. The callee is the repo's raw message client, which
// announces progressive_call_invocations and call_canceling as the spec requires of callees.
import { expect, test } from "bun:test";
import { connectWebSocket } from "../../src/transport/mod.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Invocation } from "../../src/wamp/messages.ts";
import { jsonSerializer } from "../../src/wamp/serializers/mod.ts";
import { MessageClient } from "../_harness/message_client.ts";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { newWampy } from "./_wampy.ts";

const router = routerProcessForFile();

test("wampy streams a progressive call into one INVOCATION stream and gets the final result", async () => {
  const callee = new MessageClient(await connectWebSocket(router.wsUrl, jsonSerializer));
  await callee.join("realm1", {
    roles: { callee: { features: { progressive_call_invocations: true, call_canceling: true } } },
  });
  await callee.register("com.example.upload");
  const chunks: unknown[] = [];
  const ids = new Set<number>();
  callee.peer.onMessage = (m) => {
    if (m.type !== T.INVOCATION) return;
    const inv = m as Invocation;
    ids.add(inv.request);
    chunks.push(...(inv.args ?? []));
    if (inv.details.progress !== true) {
      callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [chunks.join("")] });
    }
  };

  const caller = newWampy(router.wsUrl, "json");
  const features = (caller as unknown as { _wamp_features: { roles: { caller: { features: Record<string, boolean> } } } })._wamp_features;
  features.roles.caller.features.progressive_call_invocations = true;
  await withTimeout(caller.connect(), 5000, "wampy connect");
  try {
    const call = caller.progressiveCall("com.example.upload", { argsList: ["a"] });
    call.sendData({ argsList: ["b"] });
    call.sendData({ argsList: ["c"] }, { progress: false });
    const result = await withTimeout(call.result, 5000, "progressive call result") as { argsList: unknown[] };
    expect(result.argsList).toEqual(["abc"]);
    expect(chunks).toEqual(["a", "b", "c"]);
    expect(ids.size).toBe(1); // one INVOCATION id for the whole stream
  } finally {
    await caller.disconnect().catch(() => {});
    callee.peer.close();
  }
});
