// Adapter from autobahn-js (npm `autobahn` 22.x) to the interop scenarios' InteropClient.
// autobahn-js is CommonJS without type declarations: the slice it uses is typed here.
import autobahnModule from "autobahn";
import { ApplicationError, type InteropClient, type Kwargs, type Payload, withTimeout } from "./_client.ts";

interface AutobahnSerializer {
  SERIALIZER_ID: string;
}
interface AutobahnResultLike {
  args: unknown[];
  kwargs: Kwargs;
}
interface AutobahnErrorLike extends AutobahnResultLike {
  error: string;
}
interface AutobahnSession {
  id: number;
  register(procedure: string, endpoint: (args: unknown[], kwargs: Kwargs) => unknown): PromiseLike<unknown>;
  call(procedure: string, args?: unknown[], kwargs?: Kwargs): PromiseLike<unknown>;
  subscribe(topic: string, handler: (args: unknown[], kwargs: Kwargs) => void): PromiseLike<unknown>;
  unsubscribe(subscription: unknown): PromiseLike<unknown>;
  publish(topic: string, args: unknown[], kwargs: Kwargs, options: object): PromiseLike<{ id: number } | undefined>;
}
interface CloseDetails {
  reason: string | null;
  message: string | null;
}
interface AutobahnConnection {
  onopen: (session: AutobahnSession) => void;
  onclose: (reason: string, details: CloseDetails) => boolean;
  open(): void;
  close(): void;
}
interface Autobahn {
  Connection: new (options: object) => AutobahnConnection;
  Result: new (args: unknown[], kwargs: Kwargs) => AutobahnResultLike;
  Error: new (uri: string, args: unknown[], kwargs: Kwargs) => AutobahnErrorLike;
  serializer: {
    JSONSerializer: new () => AutobahnSerializer;
    MsgpackSerializer?: new () => AutobahnSerializer;
    CBORSerializer?: new () => AutobahnSerializer;
  };
}

export const autobahn = autobahnModule as unknown as Autobahn;

export type AutobahnTransport =
  | { type: "websocket"; url: string; serializer: "json" | "msgpack" | "cbor" }
  | { type: "rawsocket"; host: string; port: number };

function serializerFor(name: "json" | "msgpack" | "cbor"): AutobahnSerializer {
  const ctor = {
    json: autobahn.serializer.JSONSerializer,
    msgpack: autobahn.serializer.MsgpackSerializer,
    cbor: autobahn.serializer.CBORSerializer,
  }[name];
  if (!ctor) throw new Error(`autobahn-js could not load its ${name} serializer`);
  return new ctor();
}

function toPayload(result: unknown): Payload {
  // autobahn returns a lone positional result bare, and a Result for anything else.
  if (result instanceof autobahn.Result) return { args: result.args ?? [], kwargs: result.kwargs ?? {} };
  return { args: result === undefined ? [] : [result], kwargs: {} };
}

function toApplicationError(err: unknown): unknown {
  if (err instanceof autobahn.Error) return new ApplicationError(err.error, err.args ?? [], err.kwargs ?? {});
  return err;
}

/** Opens a connection and joins `realm`; rejects on any close before the session opened. */
export function connectAutobahn(transport: AutobahnTransport, realm = "realm1"): Promise<InteropClient> {
  const transportOptions = transport.type === "websocket"
    ? { type: "websocket", url: transport.url, serializers: [serializerFor(transport.serializer)] }
    : { type: "rawsocket", host: transport.host, port: transport.port };
  const connection = new autobahn.Connection({
    realm,
    transports: [transportOptions],
    max_retries: 0,
    retry_if_unreachable: false,
    // The error scenario throws from a handler on purpose: keep autobahn from logging it.
    on_user_error: () => {},
  });
  let closed: ((reason: string, details: CloseDetails) => void) | undefined;
  return new Promise<InteropClient>((resolve, reject) => {
    connection.onclose = (reason, details) => {
      if (closed) closed(reason, details);
      else reject(new Error(`autobahn connection closed before joining: ${reason} ${JSON.stringify(details)}`));
      return true; // never reconnect
    };
    connection.onopen = (session) => {
      resolve({
        sessionId: session.id,
        async register(procedure, handler) {
          await session.register(procedure, async (args, kwargs) => {
            try {
              const out = await handler({ args: args ?? [], kwargs: kwargs ?? {} });
              return new autobahn.Result(out.args, out.kwargs);
            } catch (err) {
              if (err instanceof ApplicationError) throw new autobahn.Error(err.uri, err.args, err.kwargs);
              throw err;
            }
          });
        },
        async call(procedure, args = [], kwargs = {}) {
          try {
            return toPayload(await session.call(procedure, args, kwargs));
          } catch (err) {
            throw toApplicationError(err);
          }
        },
        subscribe: (topic, onEvent) =>
          Promise.resolve(session.subscribe(topic, (args, kwargs) => onEvent({ args: args ?? [], kwargs: kwargs ?? {} }))),
        async unsubscribe(subscription) {
          await session.unsubscribe(subscription);
        },
        async publish(topic, args, kwargs, options = {}) {
          const publication = await session.publish(topic, args, kwargs, options);
          return publication?.id;
        },
        close: () =>
          new Promise<void>((done, fail) => {
            closed = (reason, details) => {
              // A clean leave: our GOODBYE answered by the router's GOODBYE, then a clean close.
              if (reason === "closed" && details.reason === "wamp.close.goodbye_and_out") done();
              else fail(new Error(`autobahn session did not close cleanly: ${reason} ${JSON.stringify(details)}`));
            };
            connection.close();
          }),
      });
    };
    connection.open();
  });
}

/** The connection object of a raw autobahn-js session (see RawAutobahnSessions). */
export interface RawAutobahnConnection<S = unknown> {
  onopen: (session: S) => void;
  onclose: (reason: string, details: RawCloseDetails) => boolean;
  open(): void;
  close(): void;
  readonly isOpen: boolean;
}
export interface RawCloseDetails {
  reason?: string;
  message?: string;
}
/** A joined autobahn-js session used directly, without the InteropClient adapter. */
export interface RawAutobahn<S> {
  session: S;
  connection: RawAutobahnConnection<S>;
  /** Resolves with the close details (GOODBYE.Reason and message) once the connection closed. */
  closed: Promise<RawCloseDetails>;
}

/**
 * The raw autobahn-js sessions of one test file, for tests that need autobahn's own API
 * (options, details, progress, cancel). Each `S` is the slice of autobahn's session the test
 * file types. `closeAll()` (for afterAll) leaves cleanly before the router stops: autobahn logs
 * shutdown GOODBYEs loudly.
 */
export class RawAutobahnSessions {
  private readonly all: RawAutobahn<unknown>[] = [];

  /** Joins "realm1" over WebSocket (max_retries 0); rejects on a close before joining or after 5 s. */
  connect<S>(url: string, serializer: "json" | "msgpack" | "cbor" = "json"): Promise<RawAutobahn<S>> {
    const connection = new autobahn.Connection({
      realm: "realm1",
      transports: [{ type: "websocket", url, serializers: [serializerFor(serializer)] }],
      max_retries: 0,
      retry_if_unreachable: false,
    }) as unknown as RawAutobahnConnection<S>;
    let closedWith!: (details: RawCloseDetails) => void;
    const closed = new Promise<RawCloseDetails>((r) => (closedWith = r));
    const client: RawAutobahn<S> = { session: undefined as S, connection, closed };
    this.all.push(client as RawAutobahn<unknown>);
    return withTimeout(
      new Promise<RawAutobahn<S>>((resolve, reject) => {
        connection.onopen = (session) => {
          client.session = session;
          resolve(client);
        };
        connection.onclose = (reason, details) => {
          reject(new Error(`closed: ${reason}`));
          closedWith(details ?? {});
          return true; // never reconnect
        };
        connection.open();
      }),
      5000,
      "autobahn join",
    );
  }

  /** Closes every connection still open and waits for all of them to be closed. */
  async closeAll(): Promise<void> {
    const all = this.all.splice(0);
    for (const c of all) if (c.connection.isOpen) c.connection.close();
    await Promise.all(all.map((c) => withTimeout(c.closed, 5000, "autobahn close")));
  }
}

/** autobahn returns a lone positional result bare, and a Result for anything else. */
export function firstArg(result: unknown): unknown {
  return result instanceof autobahn.Result ? result.args[0] : result;
}
