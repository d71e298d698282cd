// The test proxy itself: forwarding both ways, freeze without closing (data delivered late, on
// resume), connections held while frozen, cutAll, setTarget. Echo servers on port 0.
import { afterAll, describe, expect, test } from "bun:test";
import { connect, createServer, type Server, type Socket } from "node:net";
import { startTcpProxy, type TcpProxy } from "./tcp_proxy.ts";

const servers: Server[] = [];
const proxies: TcpProxy[] = [];
const clients: Socket[] = [];

afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** An echo server answering `<tag>:<data>`; resolves with its port. */
function echoServer(tag: string): Promise<number> {
  const server = createServer((socket) => {
    socket.on("data", (d) => socket.write(`${tag}:${d.toString()}`));
    socket.on("error", () => {});
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
}

/** A client through the proxy that collects what it receives and whether it was closed. */
function client(port: number) {
  const socket = connect(port, "127.0.0.1");
  clients.push(socket);
  const state = { received: "", closed: false, socket };
  socket.on("data", (d) => (state.received += d.toString()));
  socket.on("close", () => (state.closed = true));
  socket.on("error", () => {});
  return state;
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("tcp proxy", () => {
  test("forwards both ways and counts connections", async () => {
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: await echoServer("a") });
    proxies.push(proxy);
    const c = client(proxy.port);
    c.socket.write("hello");
    await waitFor("echo", () => c.received === "a:hello");
    expect(proxy.connections).toBe(1);
    expect(proxy.accepted).toBe(1);
  });

  test("freeze keeps the sockets open and forwards nothing; resume delivers what was sent", async () => {
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: await echoServer("b") });
    proxies.push(proxy);
    const c = client(proxy.port);
    c.socket.write("1");
    await waitFor("first echo", () => c.received === "b:1");
    proxy.freeze();
    expect(proxy.frozen).toBe(true);
    c.socket.write("2");
    // Long enough for a loopback round trip many times over: nothing comes back, nothing closes.
    await sleep(300);
    expect(c.received).toBe("b:1");
    expect(c.closed).toBe(false);
    expect(proxy.connections).toBe(1);
    proxy.resume();
    await waitFor("echo after resume", () => c.received === "b:1b:2");
  });

  test("a FIN sent while frozen reaches the other side only on resume", async () => {
    let serverSawEnd = false;
    const server = createServer((socket) => {
      socket.on("end", () => (serverSawEnd = true));
      socket.on("error", () => {});
    });
    servers.push(server);
    const port = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port)));
    const proxy = await startTcpProxy({ host: "127.0.0.1", port });
    proxies.push(proxy);
    const c = client(proxy.port);
    await waitFor("connected", () => proxy.connections === 1 && server.listening);
    await sleep(50);
    proxy.freeze();
    c.socket.end();
    await sleep(300);
    expect(serverSawEnd).toBe(false);
    proxy.resume();
    await waitFor("server sees the FIN", () => serverSawEnd);
  });

  test("a connection accepted while frozen is held until resume", async () => {
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: await echoServer("c") });
    proxies.push(proxy);
    proxy.freeze();
    const c = client(proxy.port);
    c.socket.write("x");
    await waitFor("accepted", () => proxy.accepted === 1);
    await sleep(300);
    expect(c.received).toBe("");
    proxy.resume();
    await waitFor("echo after resume", () => c.received === "c:x");
  });

  test("cutAll closes every connection; setTarget sends new ones elsewhere", async () => {
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: await echoServer("d") });
    proxies.push(proxy);
    const c1 = client(proxy.port);
    const c2 = client(proxy.port);
    c1.socket.write("1");
    c2.socket.write("2");
    await waitFor("both echo", () => c1.received === "d:1" && c2.received === "d:2");
    expect(proxy.connections).toBe(2);
    proxy.cutAll();
    await waitFor("both closed", () => c1.closed && c2.closed);
    expect(proxy.connections).toBe(0);

    proxy.setTarget({ host: "127.0.0.1", port: await echoServer("e") });
    const c3 = client(proxy.port);
    c3.socket.write("3");
    await waitFor("echo from the new target", () => c3.received === "e:3");
  });

  test("frozen while connected, cutAll still closes the sockets", async () => {
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: await echoServer("f") });
    proxies.push(proxy);
    const c = client(proxy.port);
    c.socket.write("1");
    await waitFor("echo", () => c.received === "f:1");
    proxy.freeze();
    proxy.cutAll();
    await waitFor("closed", () => c.closed);
    expect(proxy.connections).toBe(0);
  });
});
