// Advanced RPC seen by Debian's python3-autobahn against the router process: roundrobin across
// three callees, call re-routing on wamp.error.unavailable, a router-enforced call timeout
// (the callee is interrupted) and a caller's CANCEL (killnowait by default).
import { describe, expect, test } from "bun:test";
import { routerProcessForFile } from "./_client.ts";
import { type PythonPeer, startPythonScript } from "./_python.ts";

const router = routerProcessForFile();

for (const serializer of ["json", "msgpack"] as const) {
  describe(`python3-autobahn advanced RPC over WebSocket with ${serializer}`, () => {
    test("roundrobin across three callees, reroute, call timeout and cancel", async () => {
      const tag = `rpcadv_${serializer}`;
      const callees: PythonPeer[] = [];
      // One by one, so registration order (and so roundrobin order) is 0, 1, 2.
      for (const i of [0, 1, 2]) {
        const c = startPythonScript("rpc_peer.py", ["callee", router.wsUrl, serializer, tag, String(i)]);
        callees.push(c);
        await c.waitFor("ready", 10_000);
      }
      const caller = startPythonScript("rpc_peer.py", ["caller", router.wsUrl, serializer, tag]);
      const out = await caller.waitFor("rr", 12_000);
      expect(out.rr).toEqual([0, 1, 2, 0, 1, 2]);
      // invoke "first": callee 0 answers unavailable, so the router re-routes to callee 1.
      expect(out.rerouted).toBe(1);
      expect(out.timeout).toBe("wamp.error.timeout");
      // python3-autobahn resolves a canceled call as CancelledError on its side; the router's
      // ERROR wamp.error.canceled must not break the session (the next call still works).
      expect(out.canceled).toBe("CancelledError");
      expect([0, 1, 2]).toContain(out.after_cancel as number);
      // Callee 0 was interrupted twice: by the timeout and by the cancel (INTERRUPT killnowait).
      const interrupted = await callees[0].waitFor("interrupted", 5_000);
      expect(interrupted.interrupted).toBeGreaterThanOrEqual(1);
      expect(await caller.exit(10_000)).toBe(0);
      for (const c of callees) expect(await c.exit(10_000)).toBe(0);
      expect(callees[0].results.filter((r) => "interrupted" in r).length).toBe(2);
    }, 40_000);
  });
}
