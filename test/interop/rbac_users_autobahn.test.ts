// RBAC for authenticated users seen by autobahn-js (ticket authentication): a grant to a
// nested group reaches its members only, a grant to "all" reaches every user.
import { expect, test } from "bun:test";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { loopbackSources, securedRealmConfig } from "./_security.ts";
import { autobahn, firstArg } from "./_autobahn.ts";

interface Session {
  register(procedure: string, endpoint: () => unknown): PromiseLike<unknown>;
  call(procedure: string): PromiseLike<unknown>;
}
interface Conn {
  onopen: (s: Session) => void;
  onclose: (reason: string, details?: { reason?: string }) => boolean;
  open(): void;
  close(): void;
  readonly isOpen: boolean;
}

const open: Conn[] = [];
const router = routerProcessForFile(
  securedRealmConfig({
    authmethods: ["ticket"],
    users: [
      { authid: "olga", tickets: ["olga-ticket"], groups: ["ops"] },
      { authid: "bob", tickets: ["bob-ticket"] },
    ],
    // ops belongs to staff: olga is in staff through ops.
    groups: [{ name: "staff" }, { name: "ops", groups: ["staff"] }],
    sources: loopbackSources(["ticket"]),
    grants: [
      { permissions: ["wamp.register"], uri: "any", to: "all" },
      { permissions: ["wamp.call"], uri: "com.example.staff.", match: "prefix", to: { group: "staff" } },
    ],
  }),
  async () => {
    for (const c of open.splice(0)) if (c.isOpen) c.close();
    await new Promise((r) => setTimeout(r, 100));
  },
);

function join(authid: string, ticket: string): Promise<Session> {
  const connection = new (autobahn as unknown as { Connection: new (o: object) => Conn }).Connection({
    realm: "realm1",
    transports: [{ type: "websocket", url: router.wsUrl }],
    authmethods: ["ticket"],
    authid,
    onchallenge: () => ticket,
    max_retries: 0,
    retry_if_unreachable: false,
  });
  open.push(connection);
  return withTimeout(new Promise<Session>((resolve, reject) => {
    connection.onopen = resolve;
    connection.onclose = (reason, details) => {
      reject(new Error(`closed: ${reason} ${details?.reason ?? ""}`));
      return true;
    };
    connection.open();
  }), 5000, `join as ${authid}`);
}

test("autobahn-js: a member of a nested group may call, another user gets not_authorized", async () => {
  const olga = await join("olga", "olga-ticket");
  const bob = await join("bob", "bob-ticket");
  await bob.register("com.example.staff.report", () => "report");
  expect(firstArg(await olga.call("com.example.staff.report"))).toBe("report");
  let error: { error?: string; kwargs?: Record<string, unknown> } | undefined;
  try {
    await withTimeout(Promise.resolve(bob.call("com.example.staff.report")), 5000, "call");
  } catch (err) {
    error = err as typeof error;
  }
  expect(error?.error).toBe("wamp.error.not_authorized");
  expect(error?.kwargs).toEqual({ permission: "wamp.call", uri: "com.example.staff.report" });
});
