// Preloaded by `bun test` (bunfig.toml): a sane default per-test timeout for every test file.
// Interop tests start a router process and real clients, so allow 20 s; a hung test still fails.
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(20_000);
