// RBAC seen by autobahn-js (npm) against a router process whose realm has security enabled,
// seeded from the config's `security` section: anonymous sessions may register under
// com.example.rbac., call one procedure and publish to one topic; everything else is ERROR
// wamp.error.not_authorized naming the permission and the URI.
import { expect, test } from "bun:test";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { loopbackSources, securedRealmConfig } from "./_security.ts";
import { autobahn, firstArg, RawAutobahnSessions } from "./_autobahn.ts";

interface Session {
  id: number;
  register(procedure: string, endpoint: () => unknown): PromiseLike<unknown>;
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): PromiseLike<unknown>;
  publish(topic: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): PromiseLike<unknown>;
  subscribe(topic: string, handler: () => void): PromiseLike<unknown>;
}

interface WampError {
  error: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

const sessions = new RawAutobahnSessions();
const router = routerProcessForFile(
  securedRealmConfig({
    authmethods: ["anonymous"],
    sources: loopbackSources(["anonymous"], "anonymous"),
    grants: [
      { permissions: ["wamp.register"], uri: "com.example.rbac.", match: "prefix", to: "anonymous" },
      { permissions: ["wamp.call"], uri: "com.example.rbac.open", to: "anonymous" },
      { permissions: ["wamp.publish"], uri: "com.example.rbac..news", match: "wildcard", to: "anonymous" },
    ],
  }, {
    realms: [{
      // Anonymous only from 10.0.0.0/8: the test client (loopback) has no source here.
      name: "realm.rbac.closed",
      security: {
        enabled: true,
        authmethods: ["anonymous"],
        sources: [{ cidr: "10.0.0.0/8", authmethods: ["anonymous"], to: "anonymous" }],
      },
    }],
  }),
  () => sessions.closeAll(),
);

async function rejection(p: PromiseLike<unknown>): Promise<WampError> {
  try {
    await withTimeout(Promise.resolve(p), 5000, "request");
  } catch (err) {
    return err as WampError;
  }
  throw new Error("expected the request to be refused");
}

test("autobahn-js: an anonymous session may call the granted procedure and is refused the other", async () => {
  const { session } = await sessions.connect<Session>(router.wsUrl);
  await session.register("com.example.rbac.open", () => "opened");
  await session.register("com.example.rbac.closed", () => "never");
  expect(firstArg(await session.call("com.example.rbac.open"))).toBe("opened");

  const denied = await rejection(session.call("com.example.rbac.closed"));
  expect(denied.error).toBe("wamp.error.not_authorized");
  expect(denied.args).toEqual(['permission wamp.call on "com.example.rbac.closed" is not granted to anonymous']);
  expect(denied.kwargs).toEqual({ permission: "wamp.call", uri: "com.example.rbac.closed" });
});

test("autobahn-js: REGISTER outside the granted prefix, SUBSCRIBE and unauthorized PUBLISH are refused", async () => {
  const { session } = await sessions.connect<Session>(router.wsUrl);
  const reg = await rejection(session.register("com.other.p", () => 1));
  expect(reg.error).toBe("wamp.error.not_authorized");
  expect(reg.kwargs).toEqual({ permission: "wamp.register", uri: "com.other.p" });
  const sub = await rejection(session.subscribe("com.example.rbac.x.news", () => {}));
  expect(sub.kwargs).toEqual({ permission: "wamp.subscribe", uri: "com.example.rbac.x.news" });
  // Granted by the wildcard pattern: acknowledged.
  await withTimeout(Promise.resolve(session.publish("com.example.rbac.x.news", [1], {}, { acknowledge: true })), 5000, "publish");
  const pub = await rejection(session.publish("com.example.rbac.x.y.news", [1], {}, { acknowledge: true }));
  expect(pub.kwargs).toEqual({ permission: "wamp.publish", uri: "com.example.rbac.x.y.news" });
  // The meta API is subject to grants like any procedure.
  const meta = await rejection(session.call("wamp.session.count"));
  expect(meta.kwargs).toEqual({ permission: "wamp.call", uri: "wamp.session.count" });
});

test("autobahn-js: a HELLO from an address no source allows is refused with ABORT", async () => {
  const connection = new (autobahn as unknown as { Connection: new (o: object) => RawConn }).Connection({
    realm: "realm.rbac.closed",
    transports: [{ type: "websocket", url: router.wsUrl }],
    max_retries: 0,
    retry_if_unreachable: false,
  });
  const outcome = await withTimeout(new Promise<string>((resolve) => {
    connection.onopen = () => {
      resolve("joined");
      connection.close();
    };
    connection.onclose = (_reason, details) => {
      resolve(details?.reason ?? "closed");
      return true;
    };
    connection.open();
  }), 5000, "join attempt");
  expect(outcome).toMatch(/^wamp\.error\./);
});

interface RawConn {
  onopen: () => void;
  onclose: (reason: string, details?: { reason?: string; message?: string }) => boolean;
  open(): void;
  close(): void;
}
