// Adapter from autobahn-js (npm `autobahn` 22.x) to the interop scenarios' InteropClient.
// autobahn-js is CommonJS without type declarations: the slice it uses is typed here.
import autobahnModule from "autobahn";
import { ApplicationError, type InteropClient, type Kwargs, type Payload } from "./_client.ts";

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
