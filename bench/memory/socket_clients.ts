/**
 * A child process that holds many idle WAMP sessions open against a router:
 *
 *   bun bench/memory/socket_clients.ts '<json ClientPlan>'
 *
 * Each connection binds its own source address (127.0.0.x, spread round-robin over
 * `localAddresses`) so many connections do not all draw from one address's ephemeral ports.
 * Bun's WebSocket client cannot bind a source address, hence RawSocket over node:net
 * (`localAddress`) and WebSocket over the `ws` package (`localAddress` too).
 *
 * The clients are deliberately minimal (raw bytes, one HELLO, one WELCOME) so that several
 * thousand fit in one child; after WELCOME a client only keeps its socket open.
 *
 * Protocol with the parent, one JSON line each on stdout:
 *   {"progress": {"established": n, "failed": m}}   now and then while connecting
 *   {"done": {"established": n, "failed": m, "errors": ["…" (first few)]}}
 * then the child stays idle until its stdin closes, and exits (closing every socket).
 */
import * as net from "node:net";
import WebSocket from "ws";

export interface ClientPlan {
  transport: "rawsocket" | "websocket";
  /** RawSocket: router host and port. */
  host: string;
  port: number;
  /** WebSocket: ws://host:port/path. */
  url: string;
  realm: string;
  count: number;
  localAddresses: string[];
  /** Connections being opened at once (default 200), so the router's accept backlog is not overrun. */
  concurrency?: number;
}

const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
const hello = (realm: string) => JSON.stringify([1, realm, { roles: ROLES }]);

/** RawSocket (JSON serializer, 16 MiB max): handshake, HELLO frame, wait for a WELCOME frame. */
function rawSession(plan: ClientPlan, localAddress: string, keep: (close: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: plan.host, port: plan.port, localAddress });
    let buf: Buffer = Buffer.alloc(0);
    let stage: "handshake" | "welcome" | "idle" = "handshake";
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(why));
    };
    socket.setTimeout(30_000, () => fail("timeout"));
    socket.on("error", (err) => fail(`${localAddress}: ${err.message}`));
    socket.on("close", () => stage !== "idle" && fail(`${localAddress}: closed during ${stage}`));
    socket.on("connect", () => socket.write(Uint8Array.of(0x7f, 0xf1, 0, 0)));
    socket.on("data", (chunk: Buffer) => {
      if (stage === "idle") return;
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (stage === "handshake") {
        if (buf.length < 4) return;
        if (buf[0] !== 0x7f || (buf[1] & 0x0f) !== 1) return fail(`handshake refused: ${buf.subarray(0, 4).toString("hex")}`);
        buf = buf.subarray(4);
        stage = "welcome";
        const body = Buffer.from(hello(plan.realm));
        const head = Buffer.from([0, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
        socket.write(Buffer.concat([head, body]));
      }
      if (buf.length < 4) return;
      const len = (buf[1] << 16) | (buf[2] << 8) | buf[3];
      if (buf.length < 4 + len) return;
      const msg = buf.subarray(4, 4 + len).toString();
      if (!msg.startsWith("[2,")) return fail(`expected WELCOME, got ${msg.slice(0, 120)}`);
      stage = "idle";
      buf = Buffer.alloc(0);
      socket.setTimeout(0);
      keep(() => socket.destroy());
      resolve();
    });
  });
}

/** WebSocket (wamp.2.json) with the `ws` package: HELLO, wait for WELCOME. */
function wsSession(plan: ClientPlan, localAddress: string, keep: (close: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(plan.url, "wamp.2.json", { localAddress, perMessageDeflate: false, handshakeTimeout: 30_000 });
    let joined = false;
    ws.on("error", (err: Error) => !joined && reject(new Error(`${localAddress}: ${err.message}`)));
    ws.on("close", (code: number) => !joined && reject(new Error(`${localAddress}: closed (${code}) before WELCOME`)));
    ws.on("open", () => ws.send(hello(plan.realm)));
    ws.on("message", (data: unknown) => {
      if (joined) return;
      const msg = String(data);
      if (!msg.startsWith("[2,")) {
        ws.terminate();
        return reject(new Error(`expected WELCOME, got ${msg.slice(0, 120)}`));
      }
      joined = true;
      keep(() => ws.terminate());
      resolve();
    });
  });
}

export async function openSessions(plan: ClientPlan, report: (line: object) => void): Promise<() => void> {
  const closers: (() => void)[] = [];
  const errors: string[] = [];
  let next = 0;
  let established = 0;
  let failed = 0;
  const open = plan.transport === "rawsocket" ? rawSession : wsSession;
  const worker = async () => {
    while (next < plan.count) {
      const i = next++;
      const addr = plan.localAddresses[i % plan.localAddresses.length];
      try {
        await open(plan, addr, (close) => closers.push(close));
        established++;
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push((err as Error).message);
      }
      if ((established + failed) % 1000 === 0) report({ progress: { established, failed } });
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.concurrency ?? 200, plan.count) }, worker));
  report({ done: { established, failed, errors } });
  return () => {
    for (const close of closers) close();
  };
}

if (import.meta.main) {
  const plan = JSON.parse(process.argv[2] ?? "") as ClientPlan;
  const closeAll = await openSessions(plan, (line) => process.stdout.write(`${JSON.stringify(line)}\n`));
  // Idle until the parent closes our stdin (or dies): then close everything and leave.
  process.stdin.on("data", () => {});
  process.stdin.on("end", () => {
    closeAll();
    process.exit(0);
  });
  process.stdin.resume();
}
