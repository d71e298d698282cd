import type { ServeWebSocketOptions } from "./runtime.ts";

/**
 * The HTTP side of a WAMP WebSocket endpoint, shared by the Bun and Deno adapters: which
 * requests upgrade (and with which subprotocol) and what the others get back.
 */
export type UpgradeDecision =
  | { upgrade: true; protocol: string }
  | { upgrade: false; response: Response | Promise<Response> };

export function decideUpgrade(req: Request, opts: ServeWebSocketOptions): UpgradeDecision {
  const url = new URL(req.url);
  if (url.pathname !== opts.path) {
    return {
      upgrade: false,
      response: opts.onRequest ? opts.onRequest(req) : textResponse(404, `Not found: ${url.pathname}\n`),
    };
  }
  if ((req.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
    const text = `${opts.path} is a WAMP WebSocket endpoint: connect with a WebSocket client ` +
      `offering ${speaks(opts, "one of these subprotocols: ")}.\n`;
    return { upgrade: false, response: textResponse(426, text, { upgrade: "websocket" }) };
  }
  const offered = offeredProtocols(req.headers.get("sec-websocket-protocol"));
  const protocol = opts.selectProtocol(offered);
  if (protocol === undefined) {
    const text = `No supported WAMP subprotocol offered (offered: ` +
      `${offered.length ? offered.join(", ") : "none"}). This router speaks ` +
      `${speaks(opts, "")}.\n`;
    try {
      opts.onRefused?.(text.trim());
    } catch { /* a logging hook must not break the response */ }
    return { upgrade: false, response: textResponse(400, text) };
  }
  return { upgrade: true, protocol };
}

function speaks(opts: ServeWebSocketOptions, lead: string): string {
  return opts.protocols?.length ? lead + opts.protocols.join(", ") : "a WAMP subprotocol (wamp.2.*)";
}

/** Sec-WebSocket-Protocol request header → entries, in the client's order. */
export function offeredProtocols(header: string | null): string[] {
  if (!header) return [];
  return header.split(",").map((p) => p.trim()).filter((p) => p !== "");
}

export function textResponse(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

export const noop = () => {};
