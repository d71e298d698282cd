// Adapter from wampy (npm `wampy` 8.x, WebSocket only) to the interop scenarios' InteropClient.
import { Wampy } from "wampy";
import { JsonSerializer } from "wampy/JsonSerializer.js";
import { MsgpackSerializer } from "wampy/MsgpackSerializer.js";
import { CborSerializer } from "wampy/CborSerializer.js";
import WebSocket from "ws";
import { ApplicationError, type InteropClient, type Payload, withTimeout } from "./_client.ts";

export type WampySerializer = "json" | "msgpack" | "cbor";

const serializers = {
  json: () => new JsonSerializer(),
  msgpack: () => new MsgpackSerializer(),
  cbor: () => new CborSerializer(),
};

interface WampyErrorLike {
  errorUri?: string;
  argsList?: unknown[];
  argsDict?: Record<string, unknown>;
}

function toApplicationError(err: unknown): unknown {
  const e = err as WampyErrorLike;
  if (err instanceof Error && typeof e.errorUri === "string") {
    return new ApplicationError(e.errorUri, e.argsList ?? [], e.argsDict ?? {});
  }
  return err;
}

/**
 * wampy's MessagePack serializer (msgpackr) decodes every uint64 as a BigInt, and the router
 * (rightly) sends IDs above 2^32 as uint64; IDs are at most 2^53, so Number() is exact.
 */
const id = (value: unknown): number => (typeof value === "bigint" ? Number(value) : (value as number) ?? 0);

const toPayload = (data: { argsList?: unknown[]; argsDict?: Record<string, unknown> }): Payload => ({
  args: data.argsList ?? [],
  kwargs: data.argsDict ?? {},
});

/** A wampy client (not yet connected) for `realm` over `ws`, without auto-reconnect. */
export function newWampy(url: string, serializer: WampySerializer, realm = "realm1"): Wampy {
  return new Wampy(url, {
    realm,
    autoReconnect: false,
    // wampy's types name the browser WebSocket constructor; `ws` is call-compatible.
    ws: WebSocket as unknown as NonNullable<ConstructorParameters<typeof Wampy>[1]>["ws"],
    serializer: serializers[serializer](),
  });
}

/**
 * The raw wampy clients of one test file, for tests that need wampy's own API (details,
 * options, cancel); `disconnectAll()` is for afterAll.
 */
export class RawWampyClients {
  private readonly clients: Wampy[] = [];

  async connect(url: string, serializer: WampySerializer = "json"): Promise<Wampy> {
    const client = newWampy(url, serializer);
    this.clients.push(client);
    await withTimeout(client.connect(), 5000, "wampy connect");
    return client;
  }

  async disconnectAll(): Promise<void> {
    for (const c of this.clients.splice(0)) await c.disconnect().catch(() => {});
  }
}

export async function connectWampy(url: string, serializer: WampySerializer, realm = "realm1"): Promise<InteropClient> {
  const client = newWampy(url, serializer, realm);
  // wampy does not tell whether the router answered our GOODBYE: note it on the way in.
  let goodbyeReceived = false;
  const internals = client as unknown as { _onGoodbyeMessage: () => Promise<void> };
  const onGoodbye = internals._onGoodbyeMessage.bind(client);
  internals._onGoodbyeMessage = () => {
    goodbyeReceived = true;
    return onGoodbye();
  };

  await client.connect();
  return {
    sessionId: id(client.getSessionId()),
    async register(procedure, handler) {
      await client.register(procedure, async ({ argsList, argsDict }) => {
        try {
          const out = await handler({ args: argsList ?? [], kwargs: argsDict ?? {} });
          return { argsList: out.args, argsDict: out.kwargs };
        } catch (err) {
          // wampy turns a thrown {error, argsList, argsDict} into the ERROR message.
          if (err instanceof ApplicationError) throw { error: err.uri, argsList: err.args, argsDict: err.kwargs };
          throw err;
        }
      });
    },
    async call(procedure, args = [], kwargs = {}) {
      try {
        return toPayload(await client.call(procedure, { argsList: args, argsDict: kwargs }));
      } catch (err) {
        throw toApplicationError(err);
      }
    },
    async subscribe(topic, onEvent) {
      const result = await client.subscribe(topic, (event) => onEvent(toPayload(event)));
      return result.subscriptionId;
    },
    async unsubscribe(subscription) {
      await client.unsubscribe(subscription as number);
    },
    async publish(topic, args, kwargs, options = {}) {
      // wampy sends PUBLISH with acknowledge: true and resolves on PUBLISHED whatever we ask;
      // it drops a falsy exclude_me (see wampy.test.ts).
      const result = await client.publish(topic, { argsList: args, argsDict: kwargs }, {
        ...(options.exclude_me === undefined ? {} : { exclude_me: options.exclude_me }),
      });
      return options.acknowledge ? id(result.publicationId) : undefined;
    },
    async close() {
      await client.disconnect();
      if (!goodbyeReceived) throw new Error("wampy: the router closed without answering GOODBYE");
    },
  };
}
