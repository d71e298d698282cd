import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Runtime } from "../../src/runtime/runtime.ts";
import type { RunningServer } from "../../src/server.ts";
import { connectEdgeLink, type EdgeLinkClient } from "../../src/transport/mod.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Event, Invocation, Result } from "../../src/wamp/messages.ts";
import type { Serializer } from "../../src/wamp/serializer.ts";
import { jsonSerializer, msgpackSerializer } from "../../src/wamp/serializers/mod.ts";
import { startTestServer } from "../_harness/in_process_server.ts";
import { MessageClient } from "../_harness/message_client.ts";

/**
 * Edge links against a real router (in-process, real sockets on port 0): each channel of a link
 * is a WAMP session on the core, over both carriers (WebSocket and RawSocket/TCP) and with json
 * and msgpack on the channels.
 */
let runtime: Runtime;
let server: RunningServer;
let wsUrl: string;
let tcpUrl: string;

beforeAll(async () => {
  let rawPort: number;
  ({ server, runtime, wsUrl, rawPort } = await startTestServer((cfg) => {
    cfg.node = "core-test";
    cfg.listeners = cfg.listeners.map((l) => ({ ...l, edge: true }));
  }));
  tcpUrl = `tcp://127.0.0.1:${rawPort}`;
});

afterAll(async () => {
  await server?.stop();
});

const carriers: [string, () => string][] = [["ws", () => wsUrl], ["tcp", () => tcpUrl]];

function link(url: string, serializer: Serializer, node = "edge-test"): Promise<EdgeLinkClient> {
  return connectEdgeLink({ url, node, serializer, connectTcp: runtime.connectTcp });
}

async function channelSession(l: EdgeLinkClient, realm = "realm1"): Promise<MessageClient> {
  const c = new MessageClient(l.openChannel());
  const w = await c.join(realm);
  expect(w.type).toBe(T.WELCOME);
  return c;
}

function closed(l: EdgeLinkClient): Promise<string> {
  return new Promise((resolve) => (l.onClose = resolve));
}

let n = 0;
const uniq = (base: string) => `${base}.${++n}`;

for (const [carrier, url] of carriers) {
  for (const s of [jsonSerializer, msgpackSerializer]) {
    describe(`edge link over ${carrier} × ${s.name}`, () => {
      test("a channel's WAMP session joins the core, calls and is called through it", async () => {
        const l = await link(url(), s);
        expect(l.remoteNode).toBe("core-test");
        const callee = await channelSession(l);
        const caller = await channelSession(l);
        const proc = uniq("com.example.edge.add");
        await callee.register(proc);
        const req = caller.call(proc, [2, 3], { text: "grüße ✓" });
        const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
        expect(inv.args).toEqual([2, 3]);
        expect(inv.kwargs).toEqual({ text: "grüße ✓" });
        callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [5] });
        expect(await caller.replyTo(req)).toMatchObject({ type: T.RESULT, args: [5] });
        const done = closed(l);
        l.close("test over");
        expect(await done).toBeString();
      });
    });
  }
}
