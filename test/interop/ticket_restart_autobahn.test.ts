// Router-issued tickets outlive a restart: a router process with a durable store issues a
// ticket through the CLI (`mod.ts admin call bondy.ticket.issue`, as the CLI's trusted authid
// "admin", which realm1 also lists), is restarted, and autobahn-js (npm) logs in with that
// ticket on realm1; tickets are then revoked through the CLI (bondy.ticket.revoke and
// revoke_all), and the next logins are refused with ABORT wamp.error.authentication_failed —
// after another restart too. The signing key
// never appears in the router's logs.
import { afterAll, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, type RouterProcess, startRouterProcess } from "../_harness/router_process.ts";
import { withTimeout } from "./_client.ts";
import { autobahn } from "./_autobahn.ts";

interface AbConnection {
  onopen: (session: unknown, details: Record<string, unknown>) => void;
  onclose: (reason: string, details: { reason?: string; message?: string }) => boolean;
  open(): void;
  close(): void;
}
const ab = autobahn as unknown as { Connection: new (o: object) => AbConnection };

const dataDir = mkdtempSync(join(tmpdir(), "causeway-ticket-restart-"));
const config = {
  listeners: [{ name: "ws", transport: "websocket", host: "127.0.0.1", port: 0 }],
  store: { dataDir },
  realms: [{ name: "realm1", security: { enabled: true, authmethods: ["ticket"], users: [{ authid: "admin", groups: ["ops"] }] } }],
};
let router: RouterProcess | undefined;
afterAll(async () => {
  await router?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function restart(): Promise<void> {
  await router?.stop();
  router = await startRouterProcess({ config, env: { CAUSEWAY_DATA_DIR: dataDir } });
}

/** `bun mod.ts admin call <procedure> '<json args>'` against the running router. */
function adminCall(procedure: string, args: unknown[]): Promise<unknown> {
  const bun = join(REPO_ROOT, "node_modules", ".bin", "bun");
  const child = spawn(bun, ["mod.ts", "admin", "call", procedure, JSON.stringify(args), "--url", router!.wsUrl], { cwd: REPO_ROOT });
  let out = "", err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return withTimeout(new Promise((resolve, reject) => child.on("close", (code) => {
    if (code !== 0) return reject(new Error(`admin call ${procedure} failed (${code}): ${err}`));
    resolve(out.trim() === "" ? undefined : JSON.parse(out));
  })), 30_000, `admin call ${procedure}`);
}

type Outcome = { joined: true; details: Record<string, unknown> } | { joined: false; reason?: string };

function loginWithTicket(ticket: string): Promise<Outcome> {
  const connection = new ab.Connection({
    realm: "realm1",
    transports: [{ type: "websocket", url: router!.wsUrl }],
    authmethods: ["ticket"], authid: "admin", max_retries: 0, retry_if_unreachable: false,
    onchallenge: (_s: unknown, method: string) => {
      expect(method).toBe("ticket");
      return ticket;
    },
  });
  return withTimeout(new Promise<Outcome>((resolve) => {
    connection.onopen = (_session, details) => {
      resolve({ joined: true, details });
      connection.close();
    };
    connection.onclose = (_reason, details) => {
      resolve({ joined: false, reason: details?.reason });
      return true;
    };
    connection.open();
  }), 10_000, "autobahn ticket login");
}

const refused = { joined: false, reason: "wamp.error.authentication_failed" };

test("a router-issued ticket works after a restart; revoked (revoke, revoke_all) through the CLI it is refused, also after another restart", async () => {
  await restart();
  const issued = await adminCall("bondy.ticket.issue", ["realm1", { expiry_time_secs: 600 }]) as { ticket: string; id: string };
  expect(issued.ticket.split(".")).toHaveLength(3);

  await restart();
  expect(await loginWithTicket(issued.ticket))
    .toMatchObject({ joined: true, details: { authid: "admin", authmethod: "ticket", authrole: "ops" } });

  const second = await adminCall("bondy.ticket.issue", ["realm1", {}]) as { ticket: string };
  await adminCall("bondy.ticket.revoke", ["realm1", issued.ticket]);
  expect(await loginWithTicket(issued.ticket)).toEqual(refused);
  expect(await loginWithTicket(second.ticket)).toMatchObject({ joined: true });
  // revoke_all: every ticket of that authid on realm1 issued so far.
  expect(await adminCall("bondy.ticket.revoke_all", ["realm1", "admin"])).toEqual({ revoked: 1 });
  expect(await loginWithTicket(second.ticket)).toEqual(refused);

  await restart();
  expect(await loginWithTicket(issued.ticket)).toEqual(refused);
  expect(await loginWithTicket(second.ticket)).toEqual(refused);
  // A ticket issued after the revoke_all works.
  const third = await adminCall("bondy.ticket.issue", ["realm1", {}]) as { ticket: string };
  expect(await loginWithTicket(third.ticket)).toMatchObject({ joined: true });
  // The signing key is a secret: no log line carries it (nor its name's value).
  expect(router!.logs.join("\n")).not.toContain("secretKey");
}, 90_000);
