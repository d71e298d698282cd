// The README's first example, run exactly as a user would (with the URL pointed at a router
// started on port 0): if the README drifts from what the router does, this fails.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../_harness/router_process.ts";
import { routerProcessForFile } from "./_client.ts";

const router = routerProcessForFile();

/** The ```js block of the README that the README says to save as hello.mjs. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const block = readme.split("```js\n").slice(1).map((b) => b.slice(0, b.indexOf("```"))).find((b) => b.includes("hello.mjs"));
  if (!block) throw new Error("README has no ```js block for hello.mjs");
  return block;
}

test("the README's hello.mjs example makes a call and receives its event", () => {
  const code = readmeExample();
  expect(code).toContain("ws://127.0.0.1:8080/ws");
  // Inside the repo so that `import "autobahn"` resolves from node_modules, as for a user.
  const dir = join(REPO_ROOT, ".tmp", `readme-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "hello.mjs");
  writeFileSync(file, code.replace("ws://127.0.0.1:8080/ws", router.wsUrl));
  try {
    const bun = join(REPO_ROOT, "node_modules", ".bin", "bun");
    const r = spawnSync(bun, [file], { cwd: REPO_ROOT, encoding: "utf8", timeout: 15_000 });
    expect(r.stdout).toContain("2 + 3 = 5");
    expect(r.stdout).toContain("event: hello, world");
    expect(r.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
