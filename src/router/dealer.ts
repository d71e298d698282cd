import { MessageType as T } from "../wamp/message_type.ts";
import type { Call, Cancel, Dict, ErrorMessage, Register, Unregister, Yield } from "../wamp/messages.ts";
import { Errors, ProtocolViolation } from "../wamp/errors.ts";
import type { Clock } from "../util/clock.ts";
import type { Counters } from "../util/counters.ts";
import { type TrustLevels, trustLevelOf } from "./trust_levels.ts";
import type { Session } from "./session.ts";
import type { UriPolicy } from "./uri_policy.ts";
import type { RealmEvents, RegistrationDetails, RegistrationView } from "./realm_events.ts";
import type { MatchPolicy } from "./uri_matcher.ts";
import type { PendingCall } from "./pending_call.ts";
import type { Callee, Registration } from "./registration.ts";
import { Registry } from "./registry.ts";
import { pickCallee } from "./invocation_policy.ts";
import { callTimeoutMs, canCancel, copyPpt, invocationDetails } from "./invocation_details.ts";
import { errorReply } from "./replies.ts";

/** Spec "Progressive Call Invocations": the callee cannot take a progressive call. */
const FEATURE_NOT_SUPPORTED = "wamp.error.feature_not_supported";

export interface DealerOptions {
  uris: UriPolicy;
  nextId: () => number;
  counters: Counters;
  clock: Clock;
  events: RealmEvents;
  /** Realm "Call Timeouts" settings (ms, 0 = none). */
  defaultCallTimeoutMs?: number;
  maxCallTimeoutMs?: number;
  /** WAMP "Call Trust Levels" by caller authrole. */
  trustLevels?: TrustLevels;
}

/**
 * Routes calls: CALL becomes an INVOCATION to a callee chosen by the registration's
 * invocation policy; YIELD/ERROR come back as RESULT/ERROR; CANCEL and router-side timeouts
 * end calls early. Registrations themselves live in the Registry (also the meta API's view).
 * Per call: one UriMatcher lookup, Map operations, no scans over registrations.
 */
export class Dealer implements RegistrationView {
  readonly registrations: Registry;

  constructor(private readonly opts: DealerOptions) {
    this.registrations = new Registry({ uris: opts.uris, nextId: opts.nextId, clock: opts.clock, events: opts.events });
  }

  get registrationCount(): number {
    return this.registrations.size;
  }

  // RegistrationView (meta API): the registry answers.
  list(): Record<MatchPolicy, number[]> { return this.registrations.list(); }
  lookup(uri: string, match: MatchPolicy): number | undefined { return this.registrations.lookup(uri, match); }
  match(uri: string): number | undefined { return this.registrations.match(uri); }
  get(id: number): RegistrationDetails | undefined { return this.registrations.get(id); }
  callees(id: number): number[] | undefined { return this.registrations.callees(id); }
  revoke(id: number, session?: number, reason?: string): boolean { return this.registrations.revoke(id, session, reason); }

  register(session: Session, msg: Register): void {
    this.registrations.register(session, msg);
  }

  unregister(session: Session, msg: Unregister): void {
    this.registrations.unregister(session, msg);
  }

  /**
   * WAMP "Progressive Call Invocations": a CALL reusing the request id of this caller's call
   * whose invocation stream is still open continues it (the router's request-id check asks).
   */
  continuesCall(caller: Session, request: number): boolean {
    return caller.calls.get(request)?.streaming === true;
  }

  call(caller: Session, msg: Call): void {
    const open = caller.calls.get(msg.request);
    if (open?.streaming) return this.continueStream(open, msg);
    // Exact registrations first: one Map lookup, no match object for the common case.
    const reg = this.registrations.matcher.get(msg.procedure, "exact") ?? this.registrations.matcher.best(msg.procedure)?.value;
    if (!reg) {
      const problem = this.opts.uris.check(msg.procedure, "procedure");
      return problem ? this.refuse(caller, msg.request, Errors.INVALID_URI, problem) : this.refuse(caller, msg.request, Errors.NO_SUCH_PROCEDURE, `no callee registered for procedure "${msg.procedure}"`);
    }
    const progress = msg.options.progress === true;
    if (progress && !caller.hasFeature("caller", "progressive_call_invocations")) {
      throw new ProtocolViolation("CALL.Options.progress without announcing progressive_call_invocations");
    }
    if (reg.invoke === "jump_consistent_hash" && typeof msg.options.rkey !== "string") {
      return this.refuse(caller, msg.request, Errors.INVALID_ARGUMENT, `procedure "${reg.uri}" is a jump_consistent_hash registration: CALL.Options.rkey is required`);
    }
    const entry = this.pickAvailable(reg, msg, undefined);
    if (!entry) {
      // Flow control: no callee reads its messages fast enough; queueing more work would only
      // grow memory. Fail now so the caller can retry later.
      this.opts.counters.inc("calls_refused_callee_overloaded");
      return this.refuse(caller, msg.request, Errors.UNAVAILABLE, `callee of "${msg.procedure}" is not keeping up with its messages`);
    }
    if (progress && !(entry.session.hasFeature("callee", "progressive_call_invocations") && canCancel(entry.session))) {
      return this.refuse(caller, msg.request, FEATURE_NOT_SUPPORTED, `the callee of "${msg.procedure}" does not support progressive call invocations`);
    }
    const pc: PendingCall = {
      caller, callerRequest: msg.request, callee: entry.session, invocation: 0, registration: reg.id,
      procedure: msg.procedure, reg, entry, call: msg, killed: false, streaming: progress,
      receiveProgress: msg.options.receive_progress === true && entry.session.hasFeature("callee", "progressive_call_results"),
    };
    caller.calls.set(msg.request, pc);
    this.opts.counters.inc("calls");
    this.invoke(pc);
    this.startTimer(pc);
  }

  /** ERROR for a CALL the dealer will not route (a method, not a closure per call). */
  private refuse(caller: Session, request: number, error: string, text: string): void {
    caller.send(errorReply(T.CALL, request, error, text));
  }

  /** A callee that is not over its outbound bound, under the policy; undefined when none. */
  private pickAvailable(reg: Registration, msg: Call, tried: Session[] | undefined): Callee | undefined {
    let skip = tried;
    for (;;) {
      const entry = pickCallee(reg, msg, skip);
      if (!entry || !entry.session.peer.overLimit) return entry;
      skip = skip ? [...skip, entry.session] : [entry.session];
    }
  }

  /** Sends the INVOCATION for `pc` to its (current) callee under a fresh invocation id. */
  private invoke(pc: PendingCall): void {
    const callee = pc.callee;
    pc.invocation = callee.mintInvocationId();
    callee.invocations.set(pc.invocation, pc);
    pc.entry.inflight++;
    const msg = pc.call;
    callee.send({
      type: T.INVOCATION, request: pc.invocation, registration: pc.reg.id,
      details: invocationDetails(pc, this.forwardedTimeout(pc), trustLevelOf(pc.caller, this.opts.trustLevels)),
      args: msg.args, kwargs: msg.kwargs, payload: msg.payload,
    });
  }

  /** WAMP "Progressive Call Invocations": the next chunk goes to the same callee, same id. */
  private continueStream(pc: PendingCall, msg: Call): void {
    pc.streaming = msg.options.progress === true;
    const details: Dict = pc.streaming ? { progress: true } : {};
    copyPpt(msg.options, details);
    pc.callee.send({ type: T.INVOCATION, request: pc.invocation, registration: pc.reg.id, details, args: msg.args, kwargs: msg.kwargs, payload: msg.payload });
  }

  yield(callee: Session, msg: Yield): void {
    const pc = callee.invocations.get(msg.request);
    if (!pc) return; // caller left, call canceled or timed out: dropped quietly
    const details: Dict = {};
    if (msg.options.progress === true) {
      // WAMP "Progressive Call Results": only to a caller that asked for them.
      if (!pc.receiveProgress) return;
      details.progress = true;
    } else {
      this.settle(pc);
    }
    copyPpt(msg.options, details);
    pc.caller.send({ type: T.RESULT, request: pc.callerRequest, details, args: msg.args, kwargs: msg.kwargs, payload: msg.payload });
  }

  /** ERROR from a callee answering an INVOCATION. */
  invocationError(callee: Session, msg: ErrorMessage): void {
    const pc = callee.invocations.get(msg.request);
    if (!pc) return;
    // An internal callee (the edge bridge, speaking for a core that is unreachable) gives the
    // final answer: its unavailable, with the reason, reaches the caller as it is.
    if (msg.error === Errors.UNAVAILABLE && !pc.killed && !pc.streaming && pc.call.options.progress !== true && !callee.internal) {
      return this.reroute(pc);
    }
    this.settle(pc);
    pc.caller.send({
      type: T.ERROR, requestType: T.CALL, request: pc.callerRequest, details: msg.details,
      error: msg.error, args: msg.args, kwargs: msg.kwargs, payload: msg.payload,
    });
  }

  /**
   * WAMP "Call Re-Routing": the callee answered wamp.error.unavailable; try the next callee
   * the policy gives as if that one did not exist; none left → wamp.error.no_available_callee.
   */
  private reroute(pc: PendingCall): void {
    pc.callee.invocations.delete(pc.invocation);
    pc.entry.inflight--;
    (pc.tried ??= []).push(pc.callee);
    const next = pc.reg.callees.length > 1 ? this.pickAvailable(pc.reg, pc.call, pc.tried) : undefined;
    if (!next) {
      this.finish(pc);
      pc.caller.send(errorReply(T.CALL, pc.callerRequest, Errors.NO_AVAILABLE_CALLEE, `no callee of "${pc.procedure}" is available`));
      return;
    }
    pc.entry = next;
    pc.callee = next.session;
    pc.receiveProgress = pc.call.options.receive_progress === true && next.session.hasFeature("callee", "progressive_call_results");
    this.invoke(pc);
  }

  /**
   * WAMP "Call Canceling". skip: ERROR to the caller now, no INTERRUPT. kill: INTERRUPT, and
   * the callee's own answer ends the call. killnowait (our default: the spec names none; it is
   * also the mode of router timeouts): ERROR now and INTERRUPT. A callee that did not announce
   * call canceling is always handled as skip.
   */
  cancel(caller: Session, msg: Cancel): void {
    const pc = caller.calls.get(msg.request);
    if (!pc || pc.killed) return; // already answered (or already being killed)
    const asked = (msg.options.mode as string | undefined) ?? "killnowait";
    const mode = canCancel(pc.callee) ? asked : "skip";
    if (mode === "kill") {
      pc.killed = true;
      pc.streaming = false;
      pc.callee.send({ type: T.INTERRUPT, request: pc.invocation, options: { mode } });
      return;
    }
    this.settle(pc);
    caller.send(errorReply(T.CALL, pc.callerRequest, Errors.CANCELED, `call to "${pc.procedure}" canceled (mode ${mode})`));
    if (mode === "killnowait") pc.callee.send({ type: T.INTERRUPT, request: pc.invocation, options: { mode } });
  }

  /** A session left: its registrations go, calls waiting on it fail, its own calls are interrupted. */
  sessionLeft(session: Session): void {
    this.registrations.sessionLeft(session);
    for (const [, pc] of session.invocations) {
      this.finish(pc);
      pc.caller.send(errorReply(T.CALL, pc.callerRequest, Errors.CANCELED, `callee of "${pc.procedure}" left before answering`));
    }
    session.invocations.clear();
    // Spec "Caller Leaving During RPC Invocation": INTERRUPT killnowait to a callee that can
    // take it; any later answer is dropped.
    for (const [, pc] of session.calls) {
      this.settle(pc);
      if (canCancel(pc.callee)) pc.callee.send({ type: T.INTERRUPT, request: pc.invocation, options: { mode: "killnowait" } });
    }
    session.calls.clear();
  }

  /** Ends `pc` on both sides; later answers from the callee are dropped quietly. */
  private settle(pc: PendingCall): void {
    pc.callee.invocations.delete(pc.invocation);
    pc.entry.inflight--;
    this.finish(pc);
  }

  /** Caller side of ending a call: forget it and stop its timer. */
  private finish(pc: PendingCall): void {
    pc.caller.calls.delete(pc.callerRequest);
    pc.streaming = false;
    if (pc.timer) this.opts.clock.clearTimeout(pc.timer);
  }

  /**
   * WAMP "Call Timeouts", callee-initiated: a callee that registered with forward_timeout and
   * announced call_timeout gets the timeout in INVOCATION.Details and runs it itself.
   */
  private forwardedTimeout(pc: PendingCall): number | undefined {
    if (!pc.entry.forwardTimeout || !pc.callee.hasFeature("callee", "call_timeout")) return undefined;
    const ms = callTimeoutMs(pc.call, this.opts);
    return ms > 0 ? ms : undefined;
  }

  /**
   * WAMP "Call Timeouts", dealer-initiated: on expiry the caller gets wamp.error.timeout and
   * the callee INTERRUPT killnowait (when it announced call canceling; otherwise skip).
   */
  private startTimer(pc: PendingCall): void {
    if (this.forwardedTimeout(pc) !== undefined) return;
    const ms = callTimeoutMs(pc.call, this.opts);
    if (ms <= 0) return;
    pc.timer = this.opts.clock.setTimeout(() => {
      pc.timer = undefined;
      if (pc.caller.calls.get(pc.callerRequest) !== pc) return;
      this.opts.counters.inc("calls_timed_out");
      this.settle(pc);
      pc.caller.send(errorReply(T.CALL, pc.callerRequest, Errors.TIMEOUT, `call to "${pc.procedure}" timed out after ${ms} ms`));
      if (canCancel(pc.callee)) pc.callee.send({ type: T.INTERRUPT, request: pc.invocation, options: { mode: "killnowait", reason: Errors.TIMEOUT } });
    }, ms);
  }
}
