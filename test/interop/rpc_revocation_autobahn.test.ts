// Registration revocation seen by autobahn-js (which announces registration_revocation and
// resolves Registration.on_unregister with the reason) against the router process: an admin
// session revokes it through wamp.registration.remove, and calls then find no callee.
import { expect, test } from "bun:test";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { firstArg, RawAutobahnSessions } from "./_autobahn.ts";

interface Registration {
  id: number;
  on_unregister: PromiseLike<string | undefined>;
}
interface Session {
  id: number;
  register(procedure: string, endpoint: () => unknown): PromiseLike<Registration>;
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>): PromiseLike<unknown>;
}

const sessions = new RawAutobahnSessions();
const router = routerProcessForFile({}, () => sessions.closeAll());

test("autobahn-js learns of a revoked registration with the reason, and the procedure is gone", async () => {
  const callee = (await sessions.connect<Session>(router.wsUrl)).session;
  const admin = (await sessions.connect<Session>(router.wsUrl)).session;
  const reg = await callee.register("com.example.revoked.p", () => "still here");
  expect(firstArg(await admin.call("com.example.revoked.p"))).toBe("still here");
  await admin.call("wamp.registration.remove", [reg.id, callee.id], { reason: "maintenance" });
  expect(await withTimeout(Promise.resolve(reg.on_unregister), 5000, "on_unregister")).toBe("maintenance");
  expect(firstArg(await admin.call("wamp.registration.lookup", ["com.example.revoked.p"]))).toBeNull();
  let error: unknown;
  try {
    await admin.call("com.example.revoked.p");
  } catch (err) {
    error = err;
  }
  expect((error as { error: string }).error).toBe("wamp.error.no_such_procedure");
});
