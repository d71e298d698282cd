// Child process for the kill -9 test: writes records into the SQLite store at argv[2] and
// prints "ack <i>" after each write returns (i.e. after it is acknowledged as durable).
import { openSqliteStore } from "../../src/store/mod.ts";
import { createSecurityRepository } from "../../src/store/mod.ts";

const dataDir = process.argv[2];
const count = Number(process.argv[3] ?? 100_000);
const repo = createSecurityRepository(openSqliteStore({ dataDir }));
for (let i = 0; i < count; i++) {
  repo.putUser("realm1", { authid: `u${i}`, groups: [], enabled: true, meta: { i }, credentials: {} });
  process.stdout.write(`ack ${i}\n`);
}
