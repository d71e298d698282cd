import type { Dict } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import type { Realm } from "./realm.ts";
import type { Session } from "./session.ts";
import type { TestamentScope } from "./realm_events.ts";
import { kwarg, type MetaCall, MetaError, type MetaProcedures, stringArg } from "./meta_procedure.ts";
import { subscriptionView } from "./meta_subscription_procedures.ts";

/**
 * Spec "Session Testament": wamp.session.add_testament(topic, args, kwargs) with ArgumentsKw
 * publish_options and scope, and wamp.session.flush_testaments with ArgumentsKw scope. Both act
 * on the calling session (INVOCATION.Details.caller). The broker keeps and publishes them.
 */
export function testamentProcedures(realm: Realm): MetaProcedures {
  const view = subscriptionView(realm);
  if (!view || typeof view.addTestament !== "function") return {};
  const caller = (call: MetaCall): Session => {
    const s = realm.sessions.get(call.caller);
    if (!s) throw new MetaError(Errors.NO_SUCH_SESSION, "the calling session is gone");
    return s;
  };
  return {
    "wamp.session.add_testament": (call) => {
      const topic = stringArg(call, 0, "topic");
      const args = call.args[1] ?? undefined;
      const kwargs = call.args[2] ?? undefined;
      if (args !== undefined && !Array.isArray(args)) throw new MetaError(Errors.INVALID_ARGUMENT, "Arguments[1] (args) must be a list");
      if (kwargs !== undefined && !isDict(kwargs)) throw new MetaError(Errors.INVALID_ARGUMENT, "Arguments[2] (kwargs) must be a dict");
      const options = call.kwargs.publish_options ?? {};
      if (!isDict(options)) throw new MetaError(Errors.INVALID_ARGUMENT, "ArgumentsKw.publish_options must be a dict");
      const scope = scopeKwarg(call);
      view.addTestament(caller(call), { topic, args: args as unknown[] | undefined, kwargs: kwargs as Dict | undefined, options, scope });
      return undefined;
    },
    "wamp.session.flush_testaments": (call) => {
      view.flushTestaments(caller(call), scopeKwarg(call));
      return undefined;
    },
  };
}

/** ArgumentsKw.scope: "detached" or "destroyed"; the spec's default is "destroyed". */
function scopeKwarg(call: MetaCall): TestamentScope {
  const scope = kwarg(call, "scope", "string") ?? "destroyed";
  if (scope === "destroyed" || scope === "detached") return scope;
  throw new MetaError(Errors.INVALID_ARGUMENT, `ArgumentsKw.scope must be "destroyed" or "detached"`);
}

function isDict(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
