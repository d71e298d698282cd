// The real router process keeps its security state across restarts, and refuses a corrupt store
// with a clear message and exit code instead of a crash.
import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSecurityRepository, openSqliteStore, STORE_FILE } from "../../src/store/mod.ts";
import { REPO_ROOT, startRouterProcess } from "../_harness/router_process.ts";
import { tempDir } from "./_temp_dir.ts";

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const config = {
  realms: [{
    name: "realm1",
    security: {
      enabled: true,
      authmethods: ["ticket", "wampcra"],
      users: [{ authid: "alice", password: "correct horse", tickets: ["tkt-1"], groups: ["ops"] }],
      groups: [{ name: "ops" }],
      grants: [{ permissions: ["wamp.call"], uri: "com.example.", match: "prefix", to: { group: "ops" } }],
    },
  }],
};

function readRepo(dataDir: string) {
  const store = openSqliteStore({ dataDir });
  const repo = createSecurityRepository(store);
  return { repo, close: () => store.close() };
}

describe("security state in the router process", () => {
  for (const runtime of ["bun", "deno"] as const) {
    test(`a config user, and a user added beside the config, survive stop and restart (${runtime} router)`, async () => {
      const dir = tempDir();
      cleanups.push(dir.remove);
      const env = { CAUSEWAY_DATA_DIR: dir.path };

      const first = await startRouterProcess({ config, env, runtime });
      expect(await first.stop()).toBe(0);
      expect(first.logs.join("\n").includes("correct horse")).toBe(false);
      expect(first.logs.join("\n").includes("tkt-1")).toBe(false);
      const a = readRepo(dir.path);
      const seeded = a.repo.user("realm1", "alice")!;
      expect(seeded.groups).toEqual(["ops"]);
      expect(Object.keys(seeded.credentials.password ?? {}).sort()).toEqual(["cra", "pbkdf2", "scram"]);
      expect(seeded.credentials.tickets?.length).toBe(1);
      // What the admin API would do while the router is down: add a user beside the config.
      a.repo.putUser("realm1", { authid: "bob", groups: [], enabled: true, meta: {}, credentials: {} });
      a.close();

      const second = await startRouterProcess({ config, env, runtime });
      expect(await second.stop()).toBe(0);
      const b = readRepo(dir.path);
      // Same config: the seed keeps alice's derived credentials (same salts), and bob stays.
      expect(b.repo.user("realm1", "alice")).toEqual(seeded);
      expect(b.repo.user("realm1", "bob")).toBeDefined();
      expect(b.repo.realm("realm1")!.securityEnabled).toBe(true);
      expect(b.repo.grants("realm1").map((g) => g.id)).toEqual(["config-0"]);
      b.close();
    }, 60_000);
  }

  test("a corrupt store file stops the start with a message naming the file and the fix", () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const file = join(dir.path, STORE_FILE);
    writeFileSync(file, "not a database ".repeat(500));
    const bun = join(REPO_ROOT, "node_modules", ".bin", "bun");
    const run = spawnSync(bun, ["mod.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", CAUSEWAY_DATA_DIR: dir.path, CAUSEWAY_LISTEN_WS: "127.0.0.1:0", CAUSEWAY_LISTEN_RAWSOCKET: "127.0.0.1:0" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`causeway: Cannot open the store ${file}: the file is corrupt`);
    expect(run.stderr).toContain("move it aside");
    expect(existsSync(file)).toBe(true); // never overwritten or deleted
  }, 30_000);
});
