import { MessageType as T } from "../wamp/message_type.ts";
import type { Register, Unregister } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import { isReservedUri, isValidPattern } from "../wamp/uri.ts";
import type { Clock } from "../util/clock.ts";
import type { Session } from "./session.ts";
import type { UriPolicy } from "./uri_policy.ts";
import type { RealmEvents, RegistrationDetails, RegistrationView } from "./realm_events.ts";
import { type MatchPolicy, UriMatcher } from "./uri_matcher.ts";
import { type InvocationPolicy, Registration } from "./registration.ts";
import { errorReply } from "./replies.ts";

export interface RegistryOptions {
  uris: UriPolicy;
  nextId: () => number;
  clock: Clock;
  events: RealmEvents;
}

/**
 * The procedure table: registrations by (uri, match) in a UriMatcher and by id, each with its
 * callees. Fires the realm's registration events in the meta API's order
 * (registrationCreated → registered; unregistered → registrationDeleted) and implements the
 * RegistrationView the meta API reads.
 */
export class Registry implements RegistrationView {
  readonly matcher = new UriMatcher<Registration>();
  private readonly byId = new Map<number, Registration>();

  constructor(private readonly opts: RegistryOptions) {}

  get size(): number {
    return this.byId.size;
  }

  byRegistrationId(id: number): Registration | undefined {
    return this.byId.get(id);
  }

  register(session: Session, msg: Register): void {
    const refuse = (error: string, text: string) => void session.send(errorReply(T.REGISTER, msg.request, error, text));
    const match = (msg.options.match ?? "exact") as MatchPolicy;
    const invoke = (msg.options.invoke ?? "single") as InvocationPolicy;
    const uri = msg.procedure;
    // WAMP "Pattern-based Registration": prefix/wildcard patterns allow empty components.
    const problem = match === "exact"
      ? this.opts.uris.check(uri, "procedure")
      : isValidPattern(uri, match, this.opts.uris.mode === "strict") && uri !== "" ? undefined : `"${uri}" is not a valid ${match} pattern (${this.opts.uris.mode} rules)`;
    if (problem) return refuse(Errors.INVALID_URI, problem);
    if (!session.internal && isReservedUri(uri)) {
      return refuse(Errors.INVALID_URI, `"${uri}" is in the reserved "wamp." namespace`);
    }
    let reg = this.matcher.get(uri, match);
    if (reg) {
      // WAMP "Shared Registration": every callee of a procedure must ask for the same policy.
      if (reg.invoke !== invoke) {
        return refuse(Errors.PROCEDURE_ALREADY_EXISTS, `procedure "${uri}" (match ${match}) is registered with invoke "${reg.invoke}"; this REGISTER asked for invoke "${invoke}"`);
      }
      if (invoke === "single") return refuse(Errors.PROCEDURE_ALREADY_EXISTS, `procedure "${uri}" is already registered`);
      if (reg.entryOf(session)) return refuse(Errors.PROCEDURE_ALREADY_EXISTS, `this session already registered "${uri}" (match ${match})`);
    }
    const created = !reg;
    if (!reg) {
      reg = new Registration(this.opts.nextId(), uri, match, invoke, this.opts.clock.now());
      this.matcher.set(uri, match, reg);
      this.byId.set(reg.id, reg);
    }
    reg.add({
      session,
      discloseCaller: msg.options.disclose_caller === true,
      forwardTimeout: msg.options.forward_timeout === true,
      inflight: 0,
    });
    session.registrations.add(reg.id);
    session.send({ type: T.REGISTERED, request: msg.request, registration: reg.id });
    if (created) this.opts.events.registrationCreated(session, reg.details());
    this.opts.events.registered(session, reg.id);
  }

  unregister(session: Session, msg: Unregister): void {
    const reg = this.byId.get(msg.registration);
    if (!reg || !session.registrations.has(reg.id)) {
      session.send(errorReply(T.UNREGISTER, msg.request, Errors.NO_SUCH_REGISTRATION, `no registration ${msg.registration} held by this session`));
      return;
    }
    session.send({ type: T.UNREGISTERED, request: msg.request });
    this.removeCallee(reg, session);
  }

  /** A session left: it leaves every registration it was on (with the realm events). */
  sessionLeft(session: Session): void {
    for (const id of session.registrations) {
      const reg = this.byId.get(id);
      if (reg) this.removeCallee(reg, session);
    }
    session.registrations.clear();
  }

  private removeCallee(reg: Registration, session: Session): void {
    if (!reg.remove(session)) return;
    session.registrations.delete(reg.id);
    this.opts.events.unregistered(session, reg.id);
    if (reg.callees.length === 0) {
      this.matcher.delete(reg.uri, reg.match);
      this.byId.delete(reg.id);
      this.opts.events.registrationDeleted(session, reg.id);
    }
  }

  // --- RegistrationView (meta API) ---

  list(): Record<MatchPolicy, number[]> {
    const out: Record<MatchPolicy, number[]> = { exact: [], prefix: [], wildcard: [] };
    for (const m of this.matcher.entries()) out[m.match].push(m.value.id);
    return out;
  }

  lookup(uri: string, match: MatchPolicy): number | undefined {
    return this.matcher.get(uri, match)?.id;
  }

  match(uri: string): number | undefined {
    return this.matcher.best(uri)?.value.id;
  }

  get(id: number): RegistrationDetails | undefined {
    return this.byId.get(id)?.details();
  }

  callees(id: number): number[] | undefined {
    return this.byId.get(id)?.callees.map((c) => c.session.id);
  }

  /**
   * WAMP "Registration Revocation": UNREGISTERED [67, 0, {registration, reason}] goes only to
   * callees that announced registration_revocation; the others learn it from the meta events.
   */
  revoke(id: number, session?: number, reason?: string): boolean {
    const reg = this.byId.get(id);
    if (!reg) return false;
    const removed = reg.callees.filter((c) => session === undefined || c.session.id === session).map((c) => c.session);
    if (removed.length === 0) return false;
    for (const s of removed) {
      if (s.hasFeature("callee", "registration_revocation")) {
        s.send({ type: T.UNREGISTERED, request: 0, details: reason === undefined ? { registration: id } : { registration: id, reason } });
      }
      this.removeCallee(reg, s);
    }
    return true;
  }
}
