// A temp data directory per test, removed afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "causeway-store-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
