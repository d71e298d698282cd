/**
 * The memory floor for idle sessions: the least a Bun process can keep per open connection
 * while still answering a WAMP handshake. It accepts WebSocket (Bun.serve, as Causeway's Bun
 * runtime does) and RawSocket (node:net, as Causeway's TCP listener does), answers the first
 * message with a canned WELCOME and then keeps nothing but the socket and one counter.
 *
 *   bun --preload ./bench/memory/gc_probe.ts bench/memory/bare_idle_server.ts
 *
 * It prints the same JSON "listening"/"ready" lines as the router and serves
 * `causeway_sessions{…} N` on GET /metrics, so router_process.ts starts and reads it the same
 * way. Comparing its bytes per session with the router's shows how much of a session's memory
 * is the runtime's socket and how much is Causeway's own state.
 */
import * as net from "node:net";

const WELCOME = JSON.stringify([2, 1, { roles: { broker: {}, dealer: {} }, authid: "anonymous", authrole: "anonymous", authmethod: "anonymous" }]);
const welcomeBytes = new TextEncoder().encode(WELCOME);
const welcomeFrame = new Uint8Array(4 + welcomeBytes.length);
welcomeFrame.set([0, (welcomeBytes.length >> 16) & 0xff, (welcomeBytes.length >> 8) & 0xff, welcomeBytes.length & 0xff]);
welcomeFrame.set(welcomeBytes, 4);

let rawSessions = 0;
let wsSessions = 0;

// RawSocket: the 4-byte handshake, then the first frame (HELLO; not parsed) gets WELCOME.
const tcp = net.createServer((socket) => {
  let seen = 0;
  let joined = false;
  socket.on("data", (chunk: Uint8Array) => {
    if (joined) return;
    if (seen === 0) socket.write(Uint8Array.of(0x7f, 0xf1, 0, 0));
    seen += chunk.length;
    if (seen > 4) {
      joined = true;
      rawSessions++;
      socket.write(welcomeFrame);
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => joined && rawSessions--);
});

interface WsData { joined: boolean }
// Bun.serve is the one Bun-specific API here; typed locally so `deno check` passes too.
const bun = (globalThis as unknown as { Bun: { serve(o: unknown): { port: number } } }).Bun;
const server = bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req: Request, srv: { upgrade(r: Request, o: unknown): boolean }) {
    const url = new URL(req.url);
    if (url.pathname === "/metrics") {
      return new Response(
        `causeway_sessions{realm="realm1",transport="rawsocket"} ${rawSessions}\n` +
          `causeway_sessions{realm="realm1",transport="websocket"} ${wsSessions}\n`,
      );
    }
    const ok = srv.upgrade(req, { headers: { "Sec-WebSocket-Protocol": "wamp.2.json" }, data: { joined: false } });
    return ok ? undefined : new Response("expected a WebSocket upgrade", { status: 400 });
  },
  websocket: {
    message(ws: { data: WsData; send(s: string): void }) {
      if (ws.data.joined) return;
      ws.data.joined = true;
      wsSessions++;
      ws.send(WELCOME);
    },
    close(ws: { data: WsData }) {
      if (ws.data.joined) wsSessions--;
    },
  },
});

tcp.listen({ host: "127.0.0.1", port: 0 }, () => {
  const tcpPort = (tcp.address() as net.AddressInfo).port;
  const line = (o: object) => console.log(JSON.stringify(o));
  line({ msg: "listening", listener: "ws", transport: "websocket", host: "127.0.0.1", port: server.port, url: `ws://127.0.0.1:${server.port}/ws` });
  line({ msg: "listening", listener: "rawsocket", transport: "rawsocket", host: "127.0.0.1", port: tcpPort });
  line({ msg: "ready" });
});

process.on("SIGTERM", () => process.exit(0));
