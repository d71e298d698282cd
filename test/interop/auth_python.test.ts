// Authentication seen by Debian's python3-autobahn 22.7 (test/interop/py/auth_peer.py) against
// a router process with security enabled on realm1: wampcra (salted), cryptosign (PyNaCl) and
// SCRAM through autobahn's own AuthScram. That client speaks the draft of WAMP-SCRAM (authmethod
// "scram", KDF "argon2id-13", WELCOME.authextra.scram_server_signature), which the router serves
// beside the spec's "wamp-scram"; it needs python3-argon2 (installed by .ci/run).
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { ed25519 } from "@noble/curves/ed25519.js";
import { routerProcessForFile } from "./_client.ts";
import { loopbackSources, securedRealmConfig } from "./_security.ts";
import { PYTHON, startPythonScript } from "./_python.ts";

const seed = "07".repeat(32);
const pubkey = Buffer.from(ed25519.getPublicKey(Buffer.from(seed, "hex"))).toString("hex");
const hasArgon2 = spawnSync(PYTHON, ["-c", "import argon2, passlib.utils"]).status === 0;

const METHODS = ["wampcra", "cryptosign", "wamp-scram"];
const router = routerProcessForFile(securedRealmConfig({
  authmethods: METHODS,
  users: [{ authid: "alice", password: "s3cret", authorizedKeys: [pubkey], authrole: "operator" }],
  sources: loopbackSources(METHODS),
}));

async function authenticate(method: string, secret: string): Promise<Record<string, unknown>> {
  const peer = startPythonScript("auth_peer.py", [router.wsUrl, method, "alice", secret]);
  const left = await peer.waitFor("left", 20_000).catch((e) => {
    throw new Error(`${e}\n${peer.output.join("\n")}`);
  });
  await peer.exit(5000);
  const welcome = peer.results.find((r) => "welcome" in r);
  return welcome ? welcome : left;
}

const welcome = (authmethod: string) => ({ welcome: { authid: "alice", authrole: "operator", authmethod, authprovider: "static" } });
const failed = { left: "wamp.error.authentication_failed" };

test("python3-autobahn authenticates with salted wampcra, and fails with a wrong password", async () => {
  expect(await authenticate("wampcra", "s3cret")).toEqual(welcome("wampcra"));
  expect(await authenticate("wampcra", "wrong")).toEqual(failed);
}, 30_000);

test("python3-autobahn authenticates with cryptosign, and fails with another key", async () => {
  expect(await authenticate("cryptosign", seed)).toEqual(welcome("cryptosign"));
  expect(await authenticate("cryptosign", "01".repeat(32))).toEqual(failed);
}, 30_000);

test("python3-autobahn's AuthScram (argon2id) authenticates and verifies the server signature", async () => {
  // .ci/run installs python3-argon2; a machine without it fails here instead of skipping silently.
  if (!hasArgon2) throw new Error("python3-argon2 (and passlib) are required: apt-get install python3-argon2");
  expect(await authenticate("scram", "s3cret")).toEqual(welcome("scram"));
  expect(await authenticate("scram", "wrong")).toEqual(failed);
}, 30_000);
