import type { Dict } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import type { Realm } from "./realm.ts";
import type { Session } from "./session.ts";
import { subscriptionView } from "./meta_subscription_procedures.ts";
import { idArg, type MetaCall, MetaError, type MetaProcedures, reasonKwarg, stringArg } from "./meta_procedure.ts";

/** Spec "Session Meta API": default GOODBYE.Reason of the kill procedures. */
const KILLED = "wamp.close.killed";

/**
 * The session dict of wamp.session.get and wamp.session.on_join. `transport` is
 * implementation-defined; we give the transport kind, serializer and remote end.
 */
export function sessionInfo(s: Session): Dict {
  const d = s.peer.details;
  const transport: Dict = { type: d.transport, serializer: d.serializer };
  if (d.remoteAddress !== undefined) transport.remote_address = d.remoteAddress;
  if (d.remotePort !== undefined) transport.remote_port = d.remotePort;
  if (d.tls !== undefined) transport.tls = d.tls;
  const { authid, authrole, authmethod, authprovider } = s.identity;
  return { session: s.id, authid, authrole, authmethod, authprovider, transport };
}

/**
 * wamp.session.count|list|get|kill|kill_by_authid|kill_by_authrole|kill_all. Router-internal
 * sessions (this meta session, later gateway and edge) are neither listed, counted nor killable.
 * `quiet.on` is raised during kill_all: the spec says closing all sessions generates no session
 * meta events (no subscriber would remain but the caller).
 */
export function sessionProcedures(realm: Realm, quiet: { on: boolean }): MetaProcedures {
  const clients = (filter?: Set<string>): Session[] => {
    const out: Session[] = [];
    for (const s of realm.sessions.values()) {
      if (!s.internal && (!filter || filter.has(s.authrole))) out.push(s);
    }
    return out;
  };
  const kill = (targets: Session[], call: MetaCall): void => {
    const reason = reasonKwarg(call, KILLED);
    const message = call.kwargs.message;
    if (message !== undefined && message !== null && typeof message !== "string") {
      throw new MetaError(Errors.INVALID_ARGUMENT, "ArgumentsKw.message must be a string");
    }
    for (const s of targets) s.terminate(reason, message ?? undefined);
  };
  return {
    "wamp.session.count": (call) => ({ args: [clients(authroleFilter(call)).length] }),
    "wamp.session.list": (call) => ({ args: [clients(authroleFilter(call)).map((s) => s.id)] }),
    "wamp.session.get": (call) => ({ args: [sessionInfo(client(realm, idArg(call, 0, "session")))] }),
    "wamp.session.kill": (call) => {
      const id = idArg(call, 0, "session");
      // "Specifying the caller's own session will result in a wamp.error.no_such_session."
      if (id === call.caller) throw noSuchSession(id);
      kill([client(realm, id)], call);
      return undefined;
    },
    "wamp.session.kill_by_authid": (call) => {
      const authid = stringArg(call, 0, "authid");
      const targets = clients().filter((s) => s.authid === authid && s.id !== call.caller);
      kill(targets, call);
      return { args: [targets.map((s) => s.id)] };
    },
    "wamp.session.kill_by_authrole": (call) => {
      const authrole = stringArg(call, 0, "authrole");
      const targets = clients().filter((s) => s.authrole === authrole && s.id !== call.caller);
      kill(targets, call);
      return { args: [targets.length] };
    },
    "wamp.session.kill_all": (call) => {
      const targets = clients().filter((s) => s.id !== call.caller);
      reasonKwarg(call, KILLED); // validate before dropping anything
      // "Closing all sessions in the realm will not generate session meta events or testament
      // events": their testaments are dropped before they leave.
      const subscriptions = subscriptionView(realm);
      for (const s of targets) {
        subscriptions?.flushTestaments(s, "detached");
        subscriptions?.flushTestaments(s, "destroyed");
      }
      quiet.on = true;
      try {
        kill(targets, call);
      } finally {
        quiet.on = false;
      }
      return { args: [targets.length] };
    },
  };
}

/** The joined, non-internal session `id`, else wamp.error.no_such_session. */
function client(realm: Realm, id: number): Session {
  const s = realm.sessions.get(id);
  if (!s || s.internal) throw noSuchSession(id);
  return s;
}

function noSuchSession(id: number): MetaError {
  return new MetaError(Errors.NO_SUCH_SESSION, `no session ${id} on this realm`);
}

/** Optional Arguments[0] filter_authroles|list[string]. */
function authroleFilter(call: MetaCall): Set<string> | undefined {
  const v = call.args[0];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v) && v.every((r) => typeof r === "string")) return new Set(v as string[]);
  throw new MetaError(Errors.INVALID_ARGUMENT, "Arguments[0] (filter_authroles) must be a list of strings");
}
