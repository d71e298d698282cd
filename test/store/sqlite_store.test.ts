// What only the durable store has to prove: reopening, kill -9, corrupt and unwritable files.
import { afterEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSecurityRepository, openSqliteStore, STORE_FILE } from "../../src/store/mod.ts";
import { REPO_ROOT } from "../_harness/router_process.ts";
import { tempDir } from "./_temp_dir.ts";

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function dir(): string {
  const d = tempDir();
  cleanups.push(d.remove);
  return d.path;
}

describe("sqlite store", () => {
  test("creates the data directory and causeway.db in it", () => {
    const dataDir = join(dir(), "nested", "data");
    const s = openSqliteStore({ dataDir });
    s.close();
    expect(existsSync(join(dataDir, STORE_FILE))).toBe(true);
  });

  test("keeps what was written across close and reopen", () => {
    const dataDir = dir();
    const a = openSqliteStore({ dataDir });
    a.put("k/1", { v: 1 });
    a.batch([{ op: "put", key: "k/2", value: "two" }]);
    a.close();
    const b = openSqliteStore({ dataDir });
    expect(b.list("k/")).toEqual([{ key: "k/1", value: { v: 1 } }, { key: "k/2", value: "two" }]);
    b.close();
  });

  test("runs in WAL mode", () => {
    const dataDir = dir();
    openSqliteStore({ dataDir }).close();
    expect(existsSync(join(dataDir, STORE_FILE))).toBe(true);
    const s = openSqliteStore({ dataDir });
    s.put("x", 1); // the WAL file exists while a connection writes
    expect(existsSync(join(dataDir, `${STORE_FILE}-wal`))).toBe(true);
    s.close();
  });

  test("a second opener of the same store gets a clear error while the first holds it", () => {
    const dataDir = dir();
    const first = openSqliteStore({ dataDir });
    expect(() => openSqliteStore({ dataDir })).toThrow("another process is using it");
    first.close();
    openSqliteStore({ dataDir }).close();
  });

  test("a corrupt file is a clear error naming the path and the fix", () => {
    const dataDir = dir();
    writeFileSync(join(dataDir, STORE_FILE), "this is not a database, just some text that is long enough ".repeat(100));
    expect(() => openSqliteStore({ dataDir })).toThrow(`Cannot open the store ${join(dataDir, STORE_FILE)}: the file is corrupt`);
    expect(() => openSqliteStore({ dataDir })).toThrow("move it aside");
  });

  test("an unwritable data directory is a clear error naming it and the fix", () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    const parent = dir();
    const dataDir = join(parent, "ro");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o500);
    cleanups.unshift(() => chmodSync(dataDir, 0o700));
    expect(() => openSqliteStore({ dataDir })).toThrow(`Cannot open the store in ${dataDir}`);
    expect(() => openSqliteStore({ dataDir })).toThrow("CAUSEWAY_DATA_DIR");
  });

  test("a data directory that cannot be created is a clear error", () => {
    const file = join(dir(), "file");
    writeFileSync(file, "");
    expect(() => openSqliteStore({ dataDir: join(file, "data") })).toThrow("cannot be created or is not writable");
  });

  test("kill -9 during writes loses no acknowledged record", async () => {
    const dataDir = dir();
    const bun = join(REPO_ROOT, "node_modules", ".bin", "bun");
    const child = spawn(bun, [join(REPO_ROOT, "test/store/_writer.ts"), dataDir, "1000000"], { stdio: ["ignore", "pipe", "inherit"] });
    let acked = -1;
    let buffer = "";
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    await new Promise<void>((resolve) => {
      child.stdout!.on("data", (chunk: Uint8Array) => {
        buffer += new TextDecoder().decode(chunk);
        const lines = buffer.split("\n");
        buffer = lines.pop()!;
        for (const line of lines) acked = Number(line.slice(4));
        // Kill in the middle of the stream of writes, not at a quiet moment.
        if (acked >= 300) resolve();
      });
    });
    child.kill("SIGKILL");
    await exited;
    expect(acked).toBeGreaterThanOrEqual(300);
    const store = openSqliteStore({ dataDir });
    const repo = createSecurityRepository(store);
    for (let i = 0; i <= acked; i++) expect(repo.user("realm1", `u${i}`)?.meta).toEqual({ i });
    store.close();
  }, 30_000);
});
