// Advanced RPC seen by autobahn-js (npm) against the router process: progressive call results,
// prefix and wildcard registrations (Details.procedure), caller identification, shared
// registration, a router-enforced call timeout and a CANCEL in mode "kill", over WebSocket
// with JSON and MessagePack.
import { describe, expect, test } from "bun:test";
import { hangingEndpoint, routerProcessForFile, withTimeout } from "./_client.ts";
import { RawAutobahnSessions } from "./_autobahn.ts";

interface InvocationInfo {
  procedure?: string;
  progress?: ((args: unknown[]) => void) | null;
  caller?: number;
  caller_authid?: string;
  caller_authrole?: string;
}
type Endpoint = (args: unknown[], kwargs: Record<string, unknown>, details: InvocationInfo) => unknown;
interface CallPromise extends PromiseLike<unknown> {
  cancel(options?: object): void;
}
/** when.js promises (autobahn-js's deferreds) still take a progress handler as then's third argument. */
interface ProgressThen {
  then(ok: (v: unknown) => unknown, err: undefined, progress: (p: unknown) => void): PromiseLike<unknown>;
}
interface RawSession {
  id: number;
  register(procedure: string, endpoint: Endpoint, options?: object): PromiseLike<unknown>;
  call(procedure: string, args?: unknown[], kwargs?: object, options?: object): CallPromise;
}
const sessions = new RawAutobahnSessions();
const router = routerProcessForFile({}, () => sessions.closeAll());

async function connect(serializer: "json" | "msgpack"): Promise<RawSession> {
  return (await sessions.connect<RawSession>(router.wsUrl, serializer)).session;
}

/** The URI of a rejected call (autobahn-js rejects with an autobahn.Error). */
async function errorOf(p: PromiseLike<unknown>): Promise<string> {
  try {
    await withTimeout(Promise.resolve(p), 5000, "call");
  } catch (e) {
    return String((e as { error?: string }).error ?? (e as Error).message);
  }
  return "no error";
}

for (const serializer of ["json", "msgpack"] as const) {
  describe(`autobahn-js advanced RPC over WebSocket with ${serializer}`, () => {
    const t = `com.example.rpcadv.${serializer}`;

    test("progressive call results arrive in order before the final result", async () => {
      const callee = await connect(serializer);
      const caller = await connect(serializer);
      await callee.register(`${t}.count`, (args, _kw, details) => {
        const n = args[0] as number;
        for (let i = 1; i < n; i++) details.progress!([i]);
        return n;
      });
      const progress: unknown[] = [];
      const result = await withTimeout(Promise.resolve(
        (caller.call(`${t}.count`, [3], {}, { receive_progress: true }) as unknown as ProgressThen).then((v) => v, undefined, (p) => progress.push(p)),
      ), 5000, "progressive call");
      expect(progress).toEqual([1, 2]);
      expect(result).toBe(3);
    });

    test("prefix and wildcard registrations are called with the concrete procedure in the details", async () => {
      const callee = await connect(serializer);
      const caller = await connect(serializer);
      await callee.register(`${t}.pre`, (_a, _k, d) => `prefix ${d.procedure}`, { match: "prefix" });
      await callee.register(`${t}..get`, (_a, _k, d) => `wildcard ${d.procedure}`, { match: "wildcard" });
      expect(await caller.call(`${t}.pre.user.list`)).toBe(`prefix ${t}.pre.user.list`);
      expect(await caller.call(`${t}.room.get`)).toBe(`wildcard ${t}.room.get`);
    });

    test("disclose_me tells the callee who calls", async () => {
      const callee = await connect(serializer);
      const caller = await connect(serializer);
      await callee.register(`${t}.who`, (_a, _k, d) => [d.caller, d.caller_authrole, typeof d.caller_authid]);
      const who = await caller.call(`${t}.who`, [], {}, { disclose_me: true }) as unknown[];
      expect([Number(who[0]), who[1], who[2]]).toEqual([Number(caller.id), "anonymous", "string"]);
    });

    test("roundrobin shares a procedure between two callees", async () => {
      const a = await connect(serializer);
      const b = await connect(serializer);
      const caller = await connect(serializer);
      await a.register(`${t}.rr`, () => "a", { invoke: "roundrobin" });
      await b.register(`${t}.rr`, () => "b", { invoke: "roundrobin" });
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await caller.call(`${t}.rr`));
      expect(got).toEqual(["a", "b", "a", "b"]);
    });

    test("a call past its timeout fails with wamp.error.timeout", async () => {
      const callee = await connect(serializer);
      const caller = await connect(serializer);
      await callee.register(`${t}.never`, () => new Promise(() => {}));
      expect(await errorOf(caller.call(`${t}.never`, [], {}, { timeout: 200 }))).toBe("wamp.error.timeout");
    });

    test("CANCEL mode kill to a callee without call canceling fails the call with wamp.error.canceled", async () => {
      const callee = await connect(serializer);
      const caller = await connect(serializer);
      const hang = hangingEndpoint();
      await callee.register(`${t}.hang`, hang.endpoint);
      const call = caller.call(`${t}.hang`);
      await withTimeout(hang.invoked, 5000, "invocation");
      // autobahn-js forgets a call it cancels in skip/killnowait mode and then treats the
      // router's ERROR as a protocol violation; in "kill" mode it waits for that ERROR.
      call.cancel({ mode: "kill" });
      expect(await errorOf(call)).toBe("wamp.error.canceled");
      // Both sessions keep working.
      await callee.register(`${t}.alive`, () => "alive");
      expect(await caller.call(`${t}.alive`)).toBe("alive");
    });
  });
}
