// An in-memory router with security (memory store), realm1 and the admin realm seeded as at
// boot, and the admin API; clients join the admin realm as internal (trusted) sessions, or
// over a peer with a loopback address to exercise the seeded trust source.
import { createRouter, type Router } from "../../src/router/mod.ts";
import { linkedPeers } from "../../src/transport/local_peer.ts";
import { createMemoryStore, createSecurityRepository, type SecurityRepository, type Store } from "../../src/store/mod.ts";
import { createTicketIssuer, derivePasswordCredentials, deriveTicketCredential } from "../../src/auth/mod.ts";
import { routedRealms, seedAdminRealm } from "../../src/admin_realm_seed.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Dict, Message } from "../../src/wamp/messages.ts";
import { MessageClient } from "../_harness/message_client.ts";

export const ADMIN = "causeway.admin";
/** Cheap KDF parameters: these tests are about the API, not the KDFs. */
export const cheap = { pbkdf2Iterations: 10, craIterations: 10, scramKdf: "pbkdf2" as const, scramIterations: 10 };

export interface AdminFixture {
  router: Router;
  store: Store;
  repo: SecurityRepository;
  /** A trusted internal client on the admin realm (authid "ops"). */
  admin: MessageClient;
  connect(remoteAddress?: string): MessageClient;
}

export async function adminFixture(store: Store = createMemoryStore()): Promise<AdminFixture> {
  const repo = createSecurityRepository(store);
  const config = { adminRealm: ADMIN, realms: [{ name: "realm1" }] } as const;
  repo.putRealm({ uri: "realm1", isPrototype: false, authmethods: ["anonymous", "wampcra", "ticket"], securityEnabled: true, allowConnections: true });
  seedAdminRealm(repo, config as never);
  const ticketIssuer = createTicketIssuer();
  const router = createRouter({
    realms: routedRealms(config as never, repo),
    security: repo,
    linkPeers: () => linkedPeers(),
    auth: { ticketIssuer },
    admin: { realm: ADMIN, derivePassword: (pw, o) => derivePasswordCredentials(pw, { ...cheap, ...o }), deriveTicket: (t) => deriveTicketCredential(t, { iterations: 5 }), ticketIssuer },
  });
  const connect = (remoteAddress?: string) => {
    const [c, r] = linkedPeers(remoteAddress ? { details: { remoteAddress } } : {});
    router.attach(r);
    return new MessageClient(c);
  };
  const [c, r] = linkedPeers();
  router.attach(r, { internal: true });
  const admin = new MessageClient(c);
  const w = await admin.join(ADMIN, { authid: "ops" });
  if (w.type !== T.WELCOME) throw new Error(JSON.stringify(w));
  await new Promise((res) => setTimeout(res, 5)); // the admin session registers its procedures
  return { router, store, repo, admin, connect };
}

/** Calls and returns RESULT.Arguments[0], or throws `uri: message` from an ERROR. */
export async function call(c: MessageClient, procedure: string, ...args: unknown[]): Promise<unknown> {
  const reply = await callRaw(c, procedure, args);
  if (reply.type === T.ERROR) throw new Error(`${reply.error}: ${reply.args?.[0]}`);
  if (reply.type !== T.RESULT) throw new Error(JSON.stringify(reply));
  return reply.args?.[0];
}

export function callRaw(c: MessageClient, procedure: string, args: unknown[], kwargs?: Dict): Promise<Message> {
  return c.replyTo(c.call(procedure, args, kwargs));
}

/** The ERROR of a call that must fail: [uri, message]. */
export async function failure(c: MessageClient, procedure: string, ...args: unknown[]): Promise<[string, string]> {
  const reply = await callRaw(c, procedure, args);
  if (reply.type !== T.ERROR) throw new Error(`expected ERROR, got ${JSON.stringify(reply)}`);
  return [reply.error, String(reply.args?.[0])];
}
