// Preloaded by `bun test` (bunfig.toml): a sane default per-test timeout for every test file.
// Interop tests start a router process and real clients, so allow 20 s; a hung test still fails.
// Bun 1.4.5 applies this to the first file of a run only: test/run.ts also passes --timeout 20000.
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(20_000);

// Third-party clients in this process (wampy's CborSerializer) import cbor-x's package root,
// which loads the native cbor-extract add-on; under Bun that add-on mis-decodes non-ASCII
// strings. The router itself uses cbor-x's pure-JS entry (src/wamp/serializers/cbor.ts); this
// keeps the test clients on the same code path. Preloads run before any test file's imports.
process.env.CBOR_NATIVE_ACCELERATION_DISABLED = "true";
