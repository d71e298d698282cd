import { MessageType as T } from "../wamp/message_type.ts";
import type { Call, ErrorMessage, Register, Unregister, Yield } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import type { Counters } from "../util/counters.ts";
import type { PendingInvocation, Session } from "./session.ts";
import type { UriPolicy } from "./uri_policy.ts";
import { isReservedUri } from "../wamp/uri.ts";
import { errorReply } from "./replies.ts";

interface Registration {
  id: number;
  procedure: string;
  callee: Session;
}

export interface DealerOptions {
  uris: UriPolicy;
  nextId: () => number;
  counters: Counters;
}

/**
 * Routes calls: REGISTER/UNREGISTER keep the procedure table; CALL becomes an INVOCATION to the
 * one callee; YIELD/ERROR from the callee become RESULT/ERROR to the caller.
 *
 * Basic Profile only: one callee per procedure, exact URIs. Shared registrations and
 * pattern-based registrations are refused with a clear error until they are built
 * (never accepted and then mis-routed).
 */
export class Dealer {
  private readonly byProcedure = new Map<string, Registration>();
  private readonly byId = new Map<number, Registration>();

  constructor(private readonly opts: DealerOptions) {}

  get registrationCount(): number {
    return this.byId.size;
  }

  register(session: Session, msg: Register): void {
    const refuse = (error: string, text: string) =>
      session.send(errorReply(T.REGISTER, msg.request, error, text));
    const match = msg.options.match ?? "exact";
    if (match !== "exact") {
      return void refuse(Errors.INVALID_ARGUMENT, `pattern-based registration (match "${match}") is not supported by this router`);
    }
    const invoke = msg.options.invoke ?? "single";
    if (invoke !== "single") {
      return void refuse(Errors.INVALID_ARGUMENT, `shared registration (invoke "${invoke}") is not supported by this router`);
    }
    const uriProblem = this.opts.uris.check(msg.procedure, "procedure");
    if (uriProblem) return void refuse(Errors.INVALID_URI, uriProblem);
    if (!session.internal && isReservedUri(msg.procedure)) {
      return void refuse(Errors.INVALID_URI, `"${msg.procedure}" is in the reserved "wamp." namespace`);
    }
    if (this.byProcedure.has(msg.procedure)) {
      return void refuse(Errors.PROCEDURE_ALREADY_EXISTS, `procedure "${msg.procedure}" is already registered`);
    }
    const reg: Registration = { id: this.opts.nextId(), procedure: msg.procedure, callee: session };
    this.byProcedure.set(reg.procedure, reg);
    this.byId.set(reg.id, reg);
    session.registrations.add(reg.id);
    session.send({ type: T.REGISTERED, request: msg.request, registration: reg.id });
  }

  unregister(session: Session, msg: Unregister): void {
    const reg = this.byId.get(msg.registration);
    if (!reg || reg.callee !== session) {
      session.send(errorReply(T.UNREGISTER, msg.request, Errors.NO_SUCH_REGISTRATION, `no registration ${msg.registration} held by this session`));
      return;
    }
    this.remove(reg);
    session.send({ type: T.UNREGISTERED, request: msg.request });
  }

  call(caller: Session, msg: Call): void {
    const reg = this.byProcedure.get(msg.procedure);
    if (!reg) {
      const uriProblem = this.opts.uris.check(msg.procedure, "procedure");
      const [error, text] = uriProblem
        ? [Errors.INVALID_URI, uriProblem]
        : [Errors.NO_SUCH_PROCEDURE, `no callee registered for procedure "${msg.procedure}"`];
      caller.send(errorReply(T.CALL, msg.request, error, text));
      return;
    }
    const callee = reg.callee;
    if (callee.peer.overLimit) {
      // Flow control: the callee is not reading; queueing more work for it would only grow
      // memory. Fail now so the caller can retry elsewhere or later.
      this.opts.counters.inc("calls_refused_callee_overloaded");
      caller.send(errorReply(T.CALL, msg.request, Errors.UNAVAILABLE, `callee of "${msg.procedure}" is not keeping up with its messages`));
      return;
    }
    const invocation = callee.mintInvocationId();
    callee.invocations.set(invocation, { caller, callerRequest: msg.request, registration: reg.id, procedure: reg.procedure });
    caller.calls.set(msg.request, { callerRequest: msg.request, callee, invocation });
    this.opts.counters.inc("calls");
    // Router-internal callees (meta API) always learn who calls: procedures such as
    // wamp.session.add_testament act on the calling session.
    const details = callee.internal ? { caller: caller.id, caller_authid: caller.authid, caller_authrole: caller.authrole } : {};
    callee.send({
      type: T.INVOCATION,
      request: invocation,
      registration: reg.id,
      details,
      args: msg.args,
      kwargs: msg.kwargs,
      payload: msg.payload,
    });
  }

  yield(callee: Session, msg: Yield): void {
    const pending = this.settle(callee, msg.request);
    if (!pending) return;
    pending.caller.send({
      type: T.RESULT,
      request: pending.callerRequest,
      details: {},
      args: msg.args,
      kwargs: msg.kwargs,
      payload: msg.payload,
    });
  }

  /** ERROR from a callee answering an INVOCATION. */
  invocationError(callee: Session, msg: ErrorMessage): void {
    const pending = this.settle(callee, msg.request);
    if (!pending) return;
    pending.caller.send({
      type: T.ERROR,
      requestType: T.CALL,
      request: pending.callerRequest,
      details: msg.details,
      error: msg.error,
      args: msg.args,
      kwargs: msg.kwargs,
      payload: msg.payload,
    });
  }

  /**
   * Ends the pending invocation `request` of `callee`. Undefined when it is no longer tracked
   * (its caller left): such late answers are dropped quietly.
   */
  private settle(callee: Session, request: number): PendingInvocation | undefined {
    const pending = callee.invocations.get(request);
    if (!pending) return undefined;
    callee.invocations.delete(request);
    pending.caller.calls.delete(pending.callerRequest);
    return pending;
  }

  /** A session left: drop its registrations, fail calls waiting on it, forget its own calls. */
  sessionLeft(session: Session): void {
    for (const id of session.registrations) {
      const reg = this.byId.get(id);
      if (reg) this.remove(reg);
    }
    for (const [, pending] of session.invocations) {
      pending.caller.calls.delete(pending.callerRequest);
      pending.caller.send(errorReply(T.CALL, pending.callerRequest, Errors.CANCELED, `callee of "${pending.procedure}" left before answering`));
    }
    session.invocations.clear();
    // Calls this session made: their callees may still YIELD; those answers are dropped
    // because the invocation entries no longer point anywhere useful.
    for (const [, call] of session.calls) call.callee.invocations.delete(call.invocation);
    session.calls.clear();
  }

  private remove(reg: Registration): void {
    this.byProcedure.delete(reg.procedure);
    this.byId.delete(reg.id);
    reg.callee.registrations.delete(reg.id);
  }
}
