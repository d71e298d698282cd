// Link handshake failures, each with a clear message: an edge in link mode pointed at core
// listeners without `edge: true` (RawSocket and WebSocket), an edge meeting a core that speaks
// another link version (a fake core on node:net), and a fake edge speaking another version to
// the real core (which answers LINK_ABORT causeway.edge.version_mismatch and logs both versions).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connect, createServer, type Server, type Socket } from "node:net";
import { withTimeout } from "../interop/_client.ts";
import {
  eventually, plainRawsocketPort, plainUrl, REMOTE, type RouterProcess, startCore, startEdge, waitForLog,
} from "./_edge.ts";

// test/_setup.ts sets 20 s, but Bun 1.4.5 applies a preload's setDefaultTimeout to the first
// test file of a run only; every later file would get 5 s.
setDefaultTimeout(20_000);

let core: RouterProcess;
const edges: RouterProcess[] = [];
const servers: Server[] = [];

beforeAll(async () => {
  core = await startCore();
}, 30_000);

afterAll(async () => {
  await Promise.all(edges.map((e) => e.stop()));
  for (const s of servers) s.close();
  await core?.stop();
});

async function edgeTo(url: string, backoff = { minMs: 100, maxMs: 800 }): Promise<RouterProcess> {
  const edge = await startEdge({ url, backoff, realms: [{ local: "site", remote: REMOTE.site }] });
  edges.push(edge);
  return edge;
}

// --- RawSocket framing and link frames, written out for the fakes --------------------------

const HANDSHAKE_EDGE = Uint8Array.of(0x7f, 0xf0 | 15, 0, 0); // max length 2^24, serializer 15

function rawFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out[0] = 0; // MESSAGE
  out[1] = (payload.length >> 16) & 0xff;
  out[2] = (payload.length >> 8) & 0xff;
  out[3] = payload.length & 0xff;
  out.set(payload, 4);
  return out;
}

function linkFrame(type: number, channel: number, json: object): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(5 + body.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, channel);
  out.set(body, 5);
  return out;
}

/** Reads the RawSocket handshake (request or reply), then MESSAGE frames, as link frames {type, json}. */
function frameReader(socket: Socket, handshakeFirst: boolean) {
  let buf = new Uint8Array(0);
  let handshake: Uint8Array | undefined;
  const frames: { type: number; channel: number; json: Record<string, unknown> }[] = [];
  let closed = false;
  socket.on("data", (chunk: Buffer) => {
    const next = new Uint8Array(buf.length + chunk.length);
    next.set(buf);
    next.set(chunk, buf.length);
    buf = next;
    if (handshakeFirst && !handshake && buf.length >= 4) {
      handshake = buf.slice(0, 4);
      buf = buf.slice(4);
    }
    while (buf.length >= 4 && (!handshakeFirst || handshake)) {
      const rawType = buf[0] & 7;
      const len = (buf[1] << 16) | (buf[2] << 8) | buf[3];
      if (buf.length < 4 + len) break;
      const payload = buf.slice(4, 4 + len);
      buf = buf.slice(4 + len);
      if (rawType !== 0 || payload.length < 5) continue; // RawSocket PING/PONG, not a link frame
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(new TextDecoder().decode(payload.slice(5)));
      } catch {
        // binary payload (PING)
      }
      frames.push({ type: payload[0], channel: new DataView(payload.buffer, payload.byteOffset).getUint32(1), json });
    }
  });
  socket.on("close", () => (closed = true));
  socket.on("error", () => {});
  return { frames, get handshake() { return handshake; }, get closed() { return closed; } };
}

describe("edge link handshake errors", () => {
  test("a core RawSocket listener without edge: true: the edge says so and how to fix it", async () => {
    const edge = await edgeTo(`tcp://127.0.0.1:${plainRawsocketPort(core)}`);
    const line = await waitForLog(edge, ["does not accept edge links"]);
    expect(line).toContain("edge: true");
    expect(line).toContain("compat");
  });

  test("a core WebSocket listener without edge: true: the edge says so and how to fix it", async () => {
    const edge = await edgeTo(plainUrl(core));
    const line = await waitForLog(edge, ["does not accept edge links"]);
    expect(line).toContain(plainUrl(core));
  });

  test("a remote realm the core does not have: refused with the core's reason, retried only after the maximum backoff", async () => {
    const edge = await startEdge({
      url: core.wsUrl,
      backoff: { minMs: 100, maxMs: 60_000 },
      realms: [{ local: "site", remote: "com.acme.nowhere" }],
    });
    edges.push(edge);
    const line = await waitForLog(edge, ["uplink refused by the core"]);
    expect(line).toContain("com.acme.nowhere");
    expect(line).toContain("wamp.error.no_such_realm");
    const attempts = () => edge.logs.filter((l) => l.includes('"uplink reconnecting"')).length;
    const seen = attempts();
    await new Promise((r) => setTimeout(r, 1000));
    expect(attempts()).toBe(seen);
  });

  test("a core speaking another link version: the edge logs both versions", async () => {
    let attempts = 0;
    const fake = createServer((socket) => {
      attempts++;
      const reader = frameReader(socket, true);
      let answered = false;
      socket.on("data", () => {
        if (answered) return;
        // The edge's handshake, then its LINK_HELLO: answer the handshake, then WELCOME v99.
        answered = true;
        socket.write(Uint8Array.of(0x7f, 0xf0 | 15, 0, 0));
      });
      const timer = setInterval(() => {
        const hello = reader.frames.find((f) => f.type === 0x01);
        if (!hello) return;
        clearInterval(timer);
        socket.write(rawFrame(linkFrame(0x02, 0, { protocol: "causeway-edge", version: 99, node: "fake-core", maxChannels: 10 })));
      }, 10);
      socket.on("close", () => clearInterval(timer));
      socket.on("error", () => {});
    });
    servers.push(fake);
    const port = await new Promise<number>((r) => fake.listen(0, "127.0.0.1", () => r((fake.address() as { port: number }).port)));
    const edge = await edgeTo(`tcp://127.0.0.1:${port}`, { minMs: 100, maxMs: 60_000 });
    const line = await waitForLog(edge, ["version mismatch", "99"], 10_000);
    expect(line).toMatch(/\b1\b/);
    // Backed off to the maximum (60 s) rather than retrying at the minimum: over the next
    // second (ten minimum delays) there is no new attempt.
    const seen = attempts;
    await new Promise((r) => setTimeout(r, 1000));
    expect(attempts).toBe(seen);
  });

  test("an edge speaking another link version: the core aborts with version_mismatch and logs both versions", async () => {
    const socket = connect(core.rawsocketPort, "127.0.0.1");
    const reader = frameReader(socket, true);
    await new Promise<void>((r) => socket.once("connect", () => r()));
    socket.write(HANDSHAKE_EDGE);
    await eventually("handshake reply", async () => {
      if (!reader.handshake) throw new Error("none yet");
    }, { ms: 5000 });
    expect(reader.handshake![1] & 0x0f).toBe(15);
    socket.write(rawFrame(linkFrame(0x01, 0, { protocol: "causeway-edge", version: 2, node: "fake-edge", serializer: "json", maxMessageSize: 65536 })));
    const abort = await eventually("LINK_ABORT", async () => {
      const f = reader.frames.find((x) => x.type === 0x03);
      if (!f) throw new Error("none yet");
      return f;
    }, { ms: 5000 });
    expect(abort.json.reason).toBe("causeway.edge.version_mismatch");
    await withTimeout(eventually("closed by the core", async () => {
      if (!reader.closed) throw new Error("open");
    }, { ms: 5000 }), 6000, "close");
    const line = await waitForLog(core, ["version mismatch", "fake-edge"]);
    expect(line).toMatch(/\b2\b/);
    expect(line).toMatch(/\b1\b/);
    socket.destroy();
  });
});
