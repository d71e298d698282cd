// The WAMP meta API seen by autobahn-js against the router process: session and registration
// meta events delivered as ordinary EVENTs, the session procedures called by a real client,
// and a killed session that receives GOODBYE (autobahn reports its reason on close).
import { describe, expect, test } from "bun:test";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { firstArg, type RawAutobahn, RawAutobahnSessions } from "./_autobahn.ts";

type Kwargs = Record<string, unknown>;
interface RawSession {
  id: number;
  subscribe(topic: string, handler: (args: unknown[], kwargs: Kwargs) => void): PromiseLike<{ id: number }>;
  register(procedure: string, handler: () => unknown): PromiseLike<{ id: number }>;
  call(procedure: string, args?: unknown[], kwargs?: Kwargs): PromiseLike<unknown>;
}

const sessions = new RawAutobahnSessions();
const router = routerProcessForFile({}, () => sessions.closeAll());
/** Its `closed` resolves with the close details (GOODBYE.Reason and message) once the session ends. */
const connect = (): Promise<RawAutobahn<RawSession>> => sessions.connect<RawSession>(router.wsUrl);

/** Collects the events of `topic` until `n` arrived. */
async function collect(s: RawSession, topic: string, n: number) {
  const got: unknown[][] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  await s.subscribe(topic, (args) => {
    got.push(args);
    if (got.length === n) done();
  });
  return { got, all: () => withTimeout(all, 5000, `${n} event(s) on ${topic}`) };
}

describe("meta API with autobahn-js", () => {
  test("a subscriber of wamp.session.on_join receives the joining session's details", async () => {
    const watcher = await connect();
    const joins = await collect(watcher.session, "wamp.session.on_join", 1);
    const other = await connect();
    await joins.all();
    expect(joins.got[0][0]).toMatchObject({
      session: other.session.id, authrole: "anonymous", authmethod: "anonymous", transport: { type: "websocket", serializer: "json" },
    });
  });

  test("on_create then on_register arrive in order when a procedure is registered", async () => {
    const watcher = await connect();
    const creates = await collect(watcher.session, "wamp.registration.on_create", 1);
    const registers = await collect(watcher.session, "wamp.registration.on_register", 1);
    const callee = await connect();
    const reg = await callee.session.register("com.example.meta.echo", () => "ok");
    await creates.all();
    await registers.all();
    expect(creates.got[0]).toEqual([callee.session.id, expect.objectContaining({ id: reg.id, uri: "com.example.meta.echo", match: "exact", invoke: "single" })]);
    expect(registers.got[0]).toEqual([callee.session.id, reg.id]);
  });

  test("wamp.session.count, list and get answer a real caller", async () => {
    const a = await connect();
    const count = firstArg(await a.session.call("wamp.session.count")) as number;
    const list = firstArg(await a.session.call("wamp.session.list")) as number[];
    expect(list).toContain(a.session.id);
    expect(list.length).toBe(count);
    expect(firstArg(await a.session.call("wamp.session.get", [a.session.id]))).toMatchObject({ session: a.session.id, authrole: "anonymous" });
    const err = await Promise.resolve(a.session.call("wamp.session.get", [1])).then(() => undefined, (e: { error: string }) => e.error);
    expect(err).toBe("wamp.error.no_such_session");
  });

  test("a killed autobahn session receives GOODBYE with the reason and message", async () => {
    const admin = await connect();
    const victim = await connect();
    await admin.session.call("wamp.session.kill", [victim.session.id], { reason: "com.example.kicked", message: "bye" });
    expect(await withTimeout(victim.closed, 5000, "victim closed")).toMatchObject({ reason: "com.example.kicked", message: "bye" });
    const list = firstArg(await admin.session.call("wamp.session.list")) as number[];
    expect(list).not.toContain(victim.session.id);
  });
});
