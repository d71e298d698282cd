/**
 * A WAMP client session for the driver: HELLO -> WELCOME, request/reply helpers for the setup
 * phase (REGISTER, SUBSCRIBE), and a raw onMessage hook for the measured phase.
 */
import type { Codec } from "./codec.ts";
import { connect, type Connection, type Endpoint, type TransportName } from "./connection.ts";

export const T = {
  HELLO: 1, WELCOME: 2, ABORT: 3, GOODBYE: 6, ERROR: 8,
  PUBLISH: 16, PUBLISHED: 17, SUBSCRIBE: 32, SUBSCRIBED: 33, EVENT: 36,
  CALL: 48, RESULT: 50, REGISTER: 64, REGISTERED: 65, INVOCATION: 68, YIELD: 70,
} as const;

export interface Session {
  id: number;
  codec: Codec;
  conn: Connection;
  /** Encodes and queues a message. */
  send(msg: unknown[]): void;
  /** Queues an already encoded message. */
  sendFrame(frame: Uint8Array): void;
  /** Measured-phase hook; replaces the setup dispatcher when set. */
  onMessage: ((msg: unknown[]) => void) | undefined;
  /** Sends a request and resolves with the reply that carries the same request id. */
  request(msg: unknown[]): Promise<unknown[]>;
  register(procedure: string, match?: "exact" | "prefix" | "wildcard"): Promise<number>;
  subscribe(topic: string): Promise<number>;
  closed: Promise<string>;
  close(): void;
}

const ROLES = { caller: { features: { progressive_call_results: true } }, callee: { features: { progressive_call_results: true } }, publisher: {}, subscriber: {} };

export async function join(endpoint: Endpoint, transport: TransportName, codec: Codec, realm = "realm1"): Promise<Session> {
  const conn = await connect(endpoint, transport, codec);
  let nextRequest = 1;
  const waiters = new Map<number, (m: unknown[]) => void>();
  let welcome: ((m: unknown[]) => void) | undefined;
  let resolveClosed!: (why: string) => void;
  const closed = new Promise<string>((r) => (resolveClosed = r));
  const session: Session = {
    id: 0,
    codec,
    conn,
    send: (msg) => conn.send(codec.encode(msg)),
    sendFrame: (frame) => conn.send(frame),
    onMessage: undefined,
    request(msg) {
      return new Promise((resolve) => {
        waiters.set(msg[1] as number, resolve);
        session.send(msg);
      });
    },
    async register(procedure, match = "exact") {
      const reply = await session.request([T.REGISTER, nextRequest++, match === "exact" ? {} : { match }, procedure]);
      if (reply[0] !== T.REGISTERED) throw new Error(`REGISTER ${procedure} failed: ${JSON.stringify(reply)}`);
      return Number(reply[2]);
    },
    async subscribe(topic) {
      const reply = await session.request([T.SUBSCRIBE, nextRequest++, {}, topic]);
      if (reply[0] !== T.SUBSCRIBED) throw new Error(`SUBSCRIBE ${topic} failed: ${JSON.stringify(reply)}`);
      return Number(reply[2]);
    },
    closed,
    close() {
      session.send([T.GOODBYE, {}, "wamp.close.close_realm"]);
      conn.close();
    },
  };
  conn.onClose = (why) => resolveClosed(why);
  conn.onFrame = (frame) => {
    const msg = codec.decode(frame);
    if (session.onMessage) return session.onMessage(msg);
    if (msg[0] === T.WELCOME || msg[0] === T.ABORT) return welcome?.(msg);
    // Replies carry the request id at [1], except ERROR: [8, requestType, request, ...].
    const id = Number(msg[0] === T.ERROR ? msg[2] : msg[1]);
    const w = waiters.get(id);
    if (w) {
      waiters.delete(id);
      w(msg);
    }
  };
  const reply = await new Promise<unknown[]>((resolve, reject) => {
    welcome = resolve;
    closed.then((why) => reject(new Error(`connection closed before WELCOME (${why})`)));
    session.send([T.HELLO, realm, { roles: ROLES }]);
  });
  if (reply[0] !== T.WELCOME) throw new Error(`join refused: ${JSON.stringify(reply)}`);
  session.id = Number(reply[1]);
  return session;
}
