// Authentication seen by autobahn-js (npm) against a router process whose realm1 has security
// enabled and users seeded from the config's `security` section: anonymous, ticket, wampcra
// (salted: the router derives the salted key at boot; unsalted with `wampcraSalted: false`) and
// cryptosign (autobahn's auth_cryptosign with tweetnacl). Wrong secrets end in ABORT wamp.error.authentication_failed.
import { expect, test } from "bun:test";
import nacl from "tweetnacl";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { loopbackSources, securedRealmConfig } from "./_security.ts";
import { autobahn } from "./_autobahn.ts";

interface AbSession {
  id: number;
  call(procedure: string, args?: unknown[]): PromiseLike<unknown>;
}
interface AbConnection {
  onopen: (session: AbSession, details: Record<string, unknown>) => void;
  onclose: (reason: string, details: { reason?: string; message?: string }) => boolean;
  open(): void;
  close(): void;
  readonly isOpen: boolean;
}
interface AbAuth {
  auth_cra: { derive_key(secret: string, salt: string, iterations: number, keylen: number): string; sign(key: string, challenge: string): string };
  auth_cryptosign: { sign_challenge(pkey: nacl.SignKeyPair, extra: Record<string, unknown>): string; public_key(pkey: nacl.SignKeyPair): string };
}
const ab = autobahn as unknown as AbAuth & { Connection: new (o: object) => AbConnection };

const key = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(9));
const pubkey = Buffer.from(key.publicKey).toString("hex");

const router = routerProcessForFile(securedRealmConfig({
  authmethods: ["anonymous", "ticket", "wampcra", "cryptosign"],
  users: [
    { authid: "alice", password: "s3cret", tickets: ["tkt-1"], authorizedKeys: [pubkey], groups: ["staff"] },
    // Unsalted WAMP-CRA: the client signs with the secret itself.
    { authid: "ulla", password: "plain-s3cret", wampcraSalted: false, groups: ["staff"] },
  ],
  sources: [
    ...loopbackSources(["anonymous", "ticket", "wampcra", "cryptosign"]),
    ...loopbackSources(["anonymous"], "anonymous"),
  ],
}));

type Outcome = { joined: true; details: Record<string, unknown> } | { joined: false; reason?: string; message?: string };

function join(opts: Record<string, unknown>): Promise<Outcome> {
  const connection = new ab.Connection({
    realm: "realm1",
    transports: [{ type: "websocket", url: router.wsUrl }],
    max_retries: 0,
    retry_if_unreachable: false,
    ...opts,
  });
  return withTimeout(
    new Promise<Outcome>((resolve) => {
      connection.onopen = (session, details) => {
        resolve({ joined: true, details: { ...details, session: session.id } });
        connection.close();
      };
      connection.onclose = (_reason, details) => {
        resolve({ joined: false, reason: details?.reason, message: details?.message });
        return true;
      };
      connection.open();
    }),
    10_000,
    "autobahn auth",
  );
}

const failed = { joined: false, reason: "wamp.error.authentication_failed", message: "authentication failed" };

test("autobahn-js joins anonymously on the secured realm", async () => {
  expect(await join({})).toMatchObject({ joined: true, details: { authmethod: "anonymous", authrole: "anonymous" } });
});

test("autobahn-js authenticates with a static ticket, and fails with a wrong one", async () => {
  const ok = await join({ authmethods: ["ticket"], authid: "alice", onchallenge: () => "tkt-1" });
  expect(ok).toMatchObject({ joined: true, details: { authid: "alice", authrole: "staff", authmethod: "ticket", authprovider: "static" } });
  expect(await join({ authmethods: ["ticket"], authid: "alice", onchallenge: () => "nope" })).toEqual(failed);
});

test("autobahn-js authenticates with salted WAMP-CRA (derive_key from the challenge's salt)", async () => {
  const onchallenge = (secret: string) => (_s: unknown, method: string, extra: Record<string, unknown>) => {
    expect(method).toBe("wampcra");
    const k = ab.auth_cra.derive_key(secret, extra.salt as string, extra.iterations as number, extra.keylen as number);
    return ab.auth_cra.sign(k, extra.challenge as string);
  };
  expect(await join({ authmethods: ["wampcra"], authid: "alice", onchallenge: onchallenge("s3cret") }))
    .toMatchObject({ joined: true, details: { authid: "alice", authmethod: "wampcra" } });
  expect(await join({ authmethods: ["wampcra"], authid: "alice", onchallenge: onchallenge("wrong") })).toEqual(failed);
});

test("autobahn-js authenticates with unsalted WAMP-CRA (auth_cra.sign with the secret, no derive_key)", async () => {
  const onchallenge = (secret: string) => (_s: unknown, method: string, extra: Record<string, unknown>) => {
    expect(method).toBe("wampcra");
    expect(extra.salt).toBeUndefined();
    return ab.auth_cra.sign(secret, extra.challenge as string);
  };
  expect(await join({ authmethods: ["wampcra"], authid: "ulla", onchallenge: onchallenge("plain-s3cret") }))
    .toMatchObject({ joined: true, details: { authid: "ulla", authmethod: "wampcra", authrole: "staff" } });
  expect(await join({ authmethods: ["wampcra"], authid: "ulla", onchallenge: onchallenge("wrong") })).toEqual(failed);
});

test("autobahn-js authenticates with cryptosign (auth_cryptosign.sign_challenge, 96-byte form)", async () => {
  const onchallenge = (_s: unknown, method: string, extra: Record<string, unknown>) => {
    expect(method).toBe("cryptosign");
    return ab.auth_cryptosign.sign_challenge(key, extra);
  };
  expect(await join({ authmethods: ["cryptosign"], authid: "alice", authextra: { pubkey: ab.auth_cryptosign.public_key(key) }, onchallenge }))
    .toMatchObject({ joined: true, details: { authid: "alice", authmethod: "cryptosign", authrole: "staff" } });
  const other = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(1));
  expect(await join({
    authmethods: ["cryptosign"], authid: "alice", authextra: { pubkey: ab.auth_cryptosign.public_key(other) },
    onchallenge: (_s: unknown, _m: string, extra: Record<string, unknown>) => ab.auth_cryptosign.sign_challenge(other, extra),
  })).toEqual(failed);
});
