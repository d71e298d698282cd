// The bridge against a core realm with security: cryptosign and ticket authentication of the
// edge, ABORT reasons surfacing from connect(), and the core's RBAC applying to what the edge
// may register, call, subscribe and publish.
import { afterEach, describe, expect, test } from "bun:test";
import { cryptosignPublicKey, deriveTicketCredential } from "../../src/auth/mod.ts";
import { createMemoryStore, createSecurityRepository, type SecurityRepository } from "../../src/store/mod.ts";
import type { GrantRecord } from "../../src/store/security_records.ts";
import { type ErrorMessage, type Event, type Invocation, MessageType as T, type Result, type Welcome } from "../../src/wamp/mod.ts";
import { linkedPeers } from "../../src/transport/mod.ts";
import { MessageClient } from "../_harness/message_client.ts";
import { bridged, type Pair, settle, until } from "./_realm_bridge_harness.ts";

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.stop();
  pair = undefined;
});

const KEY = "9f".repeat(32); // the edge's Ed25519 seed (hex)
const OTHER_KEY = "42".repeat(32);

/** A security repository whose core1 realm knows gw-17 (cryptosign key + ticket) and `app` (ticket). */
function coreSecurity(grants: Omit<GrantRecord, "id">[]): SecurityRepository {
  const repo = createSecurityRepository(createMemoryStore());
  repo.putRealm({ uri: "core1", isPrototype: false, authmethods: ["ticket", "cryptosign"], securityEnabled: true, allowConnections: true });
  repo.putUser("core1", {
    authid: "gw-17", groups: ["edges"], enabled: true, meta: {},
    credentials: { tickets: [deriveTicketCredential("gw-ticket", { iterations: 5 })], authorizedKeys: [cryptosignPublicKey(KEY)] },
  });
  repo.putUser("core1", {
    authid: "app", groups: ["apps"], enabled: true, meta: {},
    credentials: { tickets: [deriveTicketCredential("app-ticket", { iterations: 5 })] },
  });
  for (const g of grants) repo.putGrant("core1", { id: "", ...g });
  return repo;
}

const EDGE_GRANTS: Omit<GrantRecord, "id">[] = [
  { permissions: ["wamp.register", "wamp.unregister", "wamp.call", "wamp.cancel", "wamp.subscribe", "wamp.unsubscribe", "wamp.publish"], resource: { uri: "com.acme.site17.", match: "prefix" }, to: { kind: "group", name: "edges" } },
  { permissions: ["wamp.call", "wamp.subscribe", "wamp.publish", "wamp.register"], resource: { uri: "com.acme.", match: "prefix" }, to: { kind: "group", name: "apps" } },
];

/** A core application authenticated by ticket (the CHALLENGE answered by hand). */
async function appClient(p: Pair): Promise<MessageClient> {
  const [mine, theirs] = linkedPeers();
  p.core.attach(theirs);
  const c = new MessageClient(mine);
  c.send({ type: T.HELLO, realm: "core1", details: { authid: "app", authmethods: ["ticket"], roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } } });
  await c.nextOfType(T.CHALLENGE);
  c.send({ type: T.AUTHENTICATE, signature: "app-ticket", extra: {} });
  c.session = (await c.nextOfType<Welcome>(T.WELCOME)).session;
  return c;
}

describe("RealmBridge: authentication on the core", () => {
  test("cryptosign: the edge joins as its authid with the key's role; exports and imports work under its grants", async () => {
    pair = await bridged({
      auth: { method: "cryptosign", authid: "gw-17", privateKeyHex: KEY },
      exportProcedures: [{ uri: "com.acme.site17.", match: "prefix" }],
      importProcedures: [{ uri: "com.acme.site17.cmd.", match: "prefix" }],
    }, { security: coreSecurity(EDGE_GRANTS), auth: { backoff: { baseMs: 0 } } });
    await pair.up();
    const sid = pair.bridge.status().remoteSession!;
    const s = pair.core.realm("core1")!.sessions.get(sid)!;
    expect([s.authid, s.authrole, s.identity.authmethod]).toEqual(["gw-17", "edges", "cryptosign"]);
    expect(s.peer.details.transport).toBe("edge");

    const callee = await pair.edgeClient();
    await callee.register("com.acme.site17.temp");
    await until(() => pair!.bridge.status().exportedProcedures.length === 1, "exported under the grant");
    const app = await appClient(pair);
    const req = app.call("com.acme.site17.temp");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.details.forward_for).toEqual([{ session: app.session, authid: "app", authrole: "apps" }]);
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [1] });
    expect(((await app.replyTo(req)) as Result).args).toEqual([1]);

    await app.register("com.acme.site17.cmd.reboot");
    const r2 = callee.call("com.acme.site17.cmd.reboot");
    const inv2 = await app.nextOfType<Invocation>(T.INVOCATION);
    const local = pair.edge.realm("site")!.sessions.get(callee.session)!;
    expect(inv2.details.forward_for).toEqual([{ session: callee.session, authid: local.authid, authrole: "anonymous" }]);
    app.send({ type: T.YIELD, request: inv2.request, options: {}, args: ["rebooting"] });
    expect(((await callee.replyTo(r2)) as Result).args).toEqual(["rebooting"]);
  });

  test("ticket: joins with the ticket", async () => {
    pair = await bridged({ auth: { method: "ticket", authid: "gw-17", ticket: "gw-ticket" } }, { security: coreSecurity(EDGE_GRANTS), auth: { backoff: { baseMs: 0 } } });
    await pair.up();
    const s = pair.core.realm("core1")!.sessions.get(pair.bridge.status().remoteSession!)!;
    expect([s.authid, s.identity.authmethod]).toEqual(["gw-17", "ticket"]);
    expect(pair.bridge.status().state).toBe("up");
  });

  test("a wrong ticket, an unknown key or an unknown realm: connect() rejects with the ABORT reason", async () => {
    pair = await bridged({ auth: { method: "ticket", authid: "gw-17", ticket: "wrong" } }, { security: coreSecurity(EDGE_GRANTS), auth: { backoff: { baseMs: 0 } } });
    let err = await pair.bridge.connect(pair.link()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("uplink cloud: joining realm \"core1\"");
    expect((err as Error).message).toContain("wamp.error.authentication_failed");
    expect(pair.bridge.status().state).toBe("down");
    expect(pair.bridge.status().lastError).toContain("authentication_failed");
    await pair.stop();

    pair = await bridged({ auth: { method: "cryptosign", authid: "gw-17", privateKeyHex: OTHER_KEY } }, { security: coreSecurity(EDGE_GRANTS), auth: { backoff: { baseMs: 0 } } });
    err = await pair.bridge.connect(pair.link()).catch((e: Error) => e);
    expect((err as Error).message).toContain("wamp.error.authentication_failed");
    await pair.stop();

    pair = await bridged({ remoteRealm: "nowhere" });
    err = await pair.bridge.connect(pair.link()).catch((e: Error) => e);
    expect((err as Error).message).toContain("wamp.error.no_such_realm");
  });

  test("a malformed cryptosign key is refused when the bridge is built", async () => {
    const err = await bridged({ auth: { method: "cryptosign", authid: "x", privateKeyHex: "abc" } }).catch((e: Error) => e);
    expect((err as Error).message).toContain("64 hex characters");
  });
});

describe("RealmBridge: the core's RBAC applies to the edge", () => {
  test("exports, imports and publications outside the edge's grants are refused and reported", async () => {
    pair = await bridged({
      auth: { method: "cryptosign", authid: "gw-17", privateKeyHex: KEY },
      exportProcedures: [{ uri: "com.acme.", match: "prefix" }],
      importProcedures: [{ uri: "com.acme.", match: "prefix" }],
      exportTopics: [{ uri: "com.acme.", match: "prefix" }],
    }, { security: coreSecurity(EDGE_GRANTS), auth: { backoff: { baseMs: 0 } } });
    await pair.up();
    // meta API not granted to the edge: interest is assumed everywhere (reported)
    const local = await pair.edgeClient();
    await local.register("com.acme.billing.charge"); // outside com.acme.site17.
    await until(() => (pair!.bridge.status().lastError ?? "").includes("com.acme.billing.charge"), "export refused");
    expect(pair.bridge.status().lastError).toContain("not_authorized");
    expect(pair.core.realm("core1")!.dealer.lookup("com.acme.billing.charge", "exact")).toBeUndefined();

    const app = await appClient(pair);
    await app.register("com.acme.billing.refund");
    const denied = await local.replyTo(local.call("com.acme.billing.refund")) as ErrorMessage;
    expect(denied.error).toBe("wamp.error.not_authorized");

    await app.subscribe("com.acme.billing.audit");
    local.send({ type: T.PUBLISH, request: local.request(), options: {}, topic: "com.acme.billing.audit", args: [1] });
    await until(() => (pair!.bridge.status().lastError ?? "").includes("com.acme.billing.audit"), "publication refused");
    await settle();
    expect((await app.idle(5)).filter((m) => m.type === T.EVENT) as Event[]).toEqual([]);
  });
});
