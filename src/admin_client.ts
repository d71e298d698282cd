import { connectRawSocket, connectWebSocket, type TcpConnect } from "./transport/mod.ts";
import { jsonSerializer } from "./wamp/serializers/mod.ts";
import { MessageType as T } from "./wamp/message_type.ts";
import type { Dict, Message } from "./wamp/messages.ts";
import type { Peer } from "./wamp/peer.ts";

/** How the admin CLI reaches a running router. */
export interface AdminConnection {
  /** ws://host:port/path, or rawsocket://host:port (also tcp://). */
  url: string;
  realm: string;
  authid: string;
  /** WAMP-CRA with this password (salted or not, as the router's CHALLENGE says). */
  password?: string;
  /** The ticket method with this ticket. */
  ticket?: string;
  timeoutMs?: number;
}

/** A failed call or login: the WAMP error/ABORT URI and its message. */
export class AdminCallError extends Error {
  constructor(readonly uri: string, message: string) {
    super(message);
  }
}

/**
 * The smallest WAMP client the admin CLI needs: HELLO (trust, wampcra or ticket), one CALL,
 * GOODBYE. Built on the repo's own transports (no third-party client); JSON serializer.
 */
export async function adminCall(
  conn: AdminConnection, procedure: string, args: unknown[], kwargs: Dict, tcp: TcpConnect,
): Promise<{ args: unknown[]; kwargs: Dict }> {
  const timeoutMs = conn.timeoutMs ?? 30_000;
  const peer = await open(conn.url, tcp);
  const inbox = queue(peer);
  try {
    const authmethods = conn.ticket !== undefined ? ["ticket"] : conn.password !== undefined ? ["wampcra"] : ["trust"];
    peer.send({ type: T.HELLO, realm: conn.realm, details: { authid: conn.authid, authmethods, roles: { caller: {} } } });
    let m = await inbox.next(timeoutMs);
    if (m.type === T.CHALLENGE) {
      const signature = conn.ticket ?? await craSignature(conn.password ?? "", m.extra);
      peer.send({ type: T.AUTHENTICATE, signature, extra: {} });
      m = await inbox.next(timeoutMs);
    }
    if (m.type === T.ABORT) throw new AdminCallError(m.reason, String(m.details.message ?? "login refused"));
    if (m.type !== T.WELCOME) throw new AdminCallError("wamp.error.protocol_violation", `unexpected reply to HELLO (type ${m.type})`);
    peer.send({ type: T.CALL, request: 1, options: {}, procedure, args, kwargs });
    const r = await inbox.next(timeoutMs);
    if (r.type === T.ERROR) throw new AdminCallError(r.error, typeof r.args?.[0] === "string" ? r.args[0] : JSON.stringify(r.args ?? []));
    if (r.type !== T.RESULT) throw new AdminCallError("wamp.error.protocol_violation", `unexpected reply to CALL (type ${r.type})`);
    peer.send({ type: T.GOODBYE, details: {}, reason: "wamp.close.close_realm" });
    await inbox.next(1000).catch(() => undefined);
    return { args: r.args ?? [], kwargs: r.kwargs ?? {} };
  } finally {
    peer.close(1000, "done");
  }
}

async function open(url: string, tcp: TcpConnect): Promise<Peer> {
  const u = new URL(url);
  if (u.protocol === "ws:" || u.protocol === "wss:") return await connectWebSocket(url, jsonSerializer);
  if (u.protocol === "rawsocket:" || u.protocol === "tcp:") {
    return await connectRawSocket(u.hostname.replace(/^\[|\]$/g, ""), Number(u.port || 8081), jsonSerializer, { connect: tcp });
  }
  throw new Error(`--url must be ws://, wss://, rawsocket:// or tcp://, not ${url}`);
}

function queue(peer: Peer): { next(ms: number): Promise<Message> } {
  const got: Message[] = [];
  let waiting: ((m: Message | undefined) => void) | undefined;
  let closed = false;
  peer.onMessage = (m) => (waiting ? (waiting(m), waiting = undefined) : got.push(m));
  peer.onClose = () => {
    closed = true;
    waiting?.(undefined);
  };
  return {
    next: (ms) => new Promise((resolve, reject) => {
      if (got.length > 0) return resolve(got.shift()!);
      if (closed) return reject(new AdminCallError("wamp.error.network_failure", "the router closed the connection"));
      const timer = setTimeout(() => reject(new AdminCallError("wamp.error.timeout", `no reply within ${ms} ms`)), ms);
      waiting = (m) => {
        clearTimeout(timer);
        if (m) resolve(m);
        else reject(new AdminCallError("wamp.error.network_failure", "the router closed the connection"));
      };
    }),
  };
}

/**
 * WAMP-CRA: HMAC-SHA256 over the challenge, keyed by the password, or (salted) by the base64
 * of PBKDF2-SHA256(password, salt, iterations, keylen) as the router's CHALLENGE specifies.
 * WebCrypto, so no crypto library is needed outside src/auth.
 */
export async function craSignature(password: string, extra: Dict): Promise<string> {
  const enc = new TextEncoder();
  let key = password;
  if (typeof extra.salt === "string") {
    const base = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: enc.encode(extra.salt), iterations: Number(extra.iterations ?? 1000) },
      base, 8 * Number(extra.keylen ?? 32),
    );
    key = b64(new Uint8Array(bits));
  }
  const hmac = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return b64(new Uint8Array(await crypto.subtle.sign("HMAC", hmac, enc.encode(String(extra.challenge ?? "")))));
}

function b64(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}
