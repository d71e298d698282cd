// Run with: deno run -A test/runtime/_deno_ws_server.ts
// Starts the Deno runtime adapter's WebSocket listener on 127.0.0.1:0 with a WAMP echo, prints
// `{"runtime": "deno", "port": N}` on one line, and stops on SIGTERM or when stdin closes.
import { detectRuntime } from "../../src/runtime/detect.ts";
import { serveEcho } from "./_echo.ts";

const runtime = await detectRuntime(); // must pick the Deno adapter
const listening = await serveEcho(runtime);
console.log(JSON.stringify({ runtime: runtime.name, port: listening.port }));
const stop = async () => {
  await listening.close();
  runtime.exit(0);
};
runtime.onSignal("SIGTERM", () => void stop());
// The parent test closes our stdin when it is done (also if it dies).
(async () => {
  for await (const _ of (globalThis as unknown as { Deno: { stdin: { readable: AsyncIterable<Uint8Array> } } }).Deno.stdin.readable) { /* drain */ }
  await stop();
})();
