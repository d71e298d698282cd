// A raw HTTP/1.1 exchange over node:net: lets a test send exactly the upgrade headers it wants
// (fetch implementations rewrite Connection/Upgrade).
import * as net from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function rawHttp(port: number, path: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let data = "";
    const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.on("connect", () => socket.write(lines.join("\r\n") + "\r\n\r\n"));
    socket.on("error", reject);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      data += chunk;
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [statusLine, ...headerLines] = data.slice(0, end).split("\r\n");
      const h: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(":");
        h[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const body = data.slice(end + 4);
      const len = Number(h["content-length"] ?? NaN);
      if (Number.isFinite(len) && Buffer.byteLength(body) < len) return;
      socket.destroy();
      resolve({ status: Number(statusLine.split(" ")[1]), headers: h, body });
    });
  });
}

export const upgradeHeaders = (protocols?: string): Record<string, string> => ({
  Upgrade: "websocket",
  Connection: "Upgrade",
  "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version": "13",
  ...(protocols === undefined ? {} : { "Sec-WebSocket-Protocol": protocols }),
});

/** Opens a standard WebSocket and resolves with it once open (or rejects on close/error). */
export function openWebSocket(url: string, protocols: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error("websocket error"));
    ws.onclose = (ev) => reject(new Error(`closed ${ev.code}`));
  });
}
