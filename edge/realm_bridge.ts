import type { Realm, Router, Session } from "../src/router/mod.ts";
import { type Dict, Errors, type Event, type Invocation, type Payload, type Peer } from "../src/wamp/mod.ts";
import type { Clock, Counters, Logger } from "../src/util/mod.ts";
import { silentLogger } from "../src/util/mod.ts";
import { type BridgeFilter, filterCovers, filterIntersects, filterMatches, type MatchPolicy } from "./filters.ts";
import { type OverflowPolicy, PublicationBuffer } from "./publication_buffer.ts";
import { RemoteBindings } from "./remote_bindings.ts";
import { CoreInterest } from "./core_interest.ts";
import { type CallResult, type InvocationReply, type JoinOptions, SESSION_LOST, WampError, WampSession } from "./wamp_session.ts";
import { forwardChain, RecentIds } from "./loop_guard.ts";
import { joinOptions, type RemoteAuth } from "./remote_auth.ts";

/**
 * One bridged realm of an uplink: the local realm on this router and its counterpart on the
 * core, joined by two WAMP sessions — an internal session on the local router (always there,
 * from start() to stop()) and a remote session on the core (there while the uplink is up; the
 * uplink hands a fresh Peer to connect() after every reconnect).
 *
 * What crosses, per the realm's filters:
 * - export procedures: each local registration inside an export filter is registered on the
 *   core (same match and invoke policy) while it has a local callee; INVOCATION on the core →
 *   CALL here, results (progressive too) and errors back; INTERRUPT → CANCEL.
 * - import procedures: each import filter is registered here (same match) from start(); a call
 *   becomes a CALL on the core. While the uplink is down it fails at once with
 *   wamp.error.unavailable ["uplink <name> to <url> is down"]; a core error (no_such_procedure
 *   included) comes back as it is.
 * - import topics: while a local subscription intersects an import filter, the bridge
 *   subscribes on the core (that subscription's pattern if inside the filter, else the
 *   filter's); core EVENTs are published here.
 * - export topics: the bridge subscribes here to each export filter; an EVENT is published on
 *   the core only while someone there subscribes (core_interest.ts). While the uplink is down
 *   they wait in a bounded buffer, flushed in order right after the next connect().
 *
 * Loops and echoes: sessions internal to this router (this bridge, other bridges, the meta
 * API, the status procedure) never count as local callees or subscribers, so nothing the
 * bridge itself registers or subscribes is exported or imported again. Both sessions publish
 * with exclude_me from the same session that subscribes, so a topic bridged both ways does
 * not come back; and a core EVENT whose forward_for names a session of the local realm (it
 * left from here) is never published here again, so even a router that ignored exclude_me
 * could not start an echo loop. A publication id seen twice (overlapping filters) is
 * forwarded once.
 *
 * Identity: the bridge's local subscriptions and registrations always learn the local
 * publisher/caller (the router discloses them to internal sessions), and the bridge adds it
 * to forward_for on the core; the core's caller/publisher, when the core discloses it (exported
 * registrations ask for disclose_caller), is added to forward_for here.
 */

export interface RealmBridgeOptions {
  /** Uplink name (for errors and logs). */
  name: string;
  /** The core's URL (for error texts). */
  remoteUrl: string;
  router: Router;
  localRealm: string;
  remoteRealm: string;
  exportProcedures: BridgeFilter[];
  importProcedures: BridgeFilter[];
  exportTopics: BridgeFilter[];
  importTopics: BridgeFilter[];
  auth: RemoteAuth;
  buffer: { maxMessages: number; overflow: OverflowPolicy };
  /** transport's linkedPeers: the local internal session's peer pair. */
  linkPeers: () => [Peer, Peer];
  counters: Counters;
  /** For the sessions' GOODBYE wait on stop() (tests pass a manual clock). */
  clock?: Clock;
  logger?: Logger;
  /**
   * Called when the bridge itself finds the remote session over (the core sent GOODBYE or
   * ABORT, or the peer closed) after it was up — not after disconnected(). The uplink may use
   * it to reconnect a compat-mode connection or reopen a channel.
   */
  onRemoteLost?: (reason: string) => void;
}

export interface BridgeStatus {
  localRealm: string;
  remoteRealm: string;
  state: "down" | "joining" | "up";
  remoteSession?: number;
  exportedProcedures: string[];
  importedProcedures: string[];
  exportedTopics: string[];
  importedTopics: string[];
  bufferDepth: number;
  bufferDropped: number;
  forwarded: { calls: number; invocations: number; eventsOut: number; eventsIn: number };
  lastError?: string;
}

/**
 * The counter (in opts.counters) of publications the buffer dropped, per local realm. The
 * metrics themselves are built from status() (forwarded, bufferDropped); this name is for
 * callers that hold the Counters.
 */
export function bufferDroppedCounterName(localRealm: string): string {
  return `edge_buffer_dropped:${localRealm}`;
}

interface ExportSpec {
  uri: string;
  match: MatchPolicy;
  invoke: string;
}

interface TopicSpec {
  uri: string;
  match: MatchPolicy;
}

/** A local registration as the bridge tracks it: its pattern and its non-internal callees. */
interface LocalRegistration extends ExportSpec {
  callees: Set<number>;
  exported: boolean;
}

interface LocalSubscription extends TopicSpec {
  subscribers: Set<number>;
  /** Keys of the core subscriptions this one holds a reference on. */
  imports: string[];
}

const key = (match: string, uri: string) => `${match}\u0000${uri}`;

export class RealmBridge {
  private readonly log: Logger;
  private state: "down" | "joining" | "up" = "down";
  private started = false;
  private stopped = false;
  private local?: WampSession;
  private remote?: WampSession;
  private interest?: CoreInterest;
  private realm?: Realm;
  private unlisten?: () => void;
  private lastError?: string;
  private readonly buffer: PublicationBuffer;
  private readonly localRegs = new Map<number, LocalRegistration>();
  private readonly localSubs = new Map<number, LocalSubscription>();
  private readonly exports: RemoteBindings<ExportSpec>;
  private readonly imports: RemoteBindings<TopicSpec>;
  private readonly importedProcedures: string[] = [];
  private readonly exportedTopics: string[] = [];
  private readonly seenOut = new RecentIds(4096);
  private readonly seenIn = new RecentIds(4096);
  private readonly forwarded = { calls: 0, invocations: 0, eventsOut: 0, eventsIn: 0 };
  private readonly join: Omit<JoinOptions, "realm">;

  constructor(private readonly opts: RealmBridgeOptions) {
    this.log = (opts.logger ?? silentLogger).child({ uplink: opts.name, realm: opts.localRealm });
    this.buffer = new PublicationBuffer(opts.buffer.maxMessages, opts.buffer.overflow);
    this.join = joinOptions(opts.auth);
    this.exports = new RemoteBindings<ExportSpec>({
      create: (s, spec) => s.register(spec.uri, (inv, reply) => this.onCoreInvocation(spec, inv, reply), {
        match: spec.match, invoke: spec.invoke,
        // Keep the caller's identity across the hop, and let the edge run the call's timeout
        // (the local CALL carries it, so the local dealer interrupts the local callee).
        disclose_caller: true, forward_timeout: true,
      }),
      destroy: (s, id) => s.unregister(id),
      failed: (spec, err) => this.problem(`the core refused to register exported procedure "${spec.uri}" (${spec.match}): ${err.message}`),
    });
    this.imports = new RemoteBindings<TopicSpec>({
      create: (s, spec) => s.subscribe(spec.uri, (ev) => this.onCoreEvent(spec, ev), spec.match === "exact" ? {} : { match: spec.match }),
      destroy: (s, id) => s.unsubscribe(id),
      failed: (spec, err) => this.problem(`the core refused the subscription to imported topic "${spec.uri}" (${spec.match}): ${err.message}`),
    });
  }

  /** Joins the local realm (internal session), follows its registrations and subscriptions, registers the imports. */
  async start(): Promise<void> {
    if (this.started) throw new Error(`uplink ${this.opts.name}: the bridge of realm "${this.opts.localRealm}" is already started`);
    this.started = true;
    const realm = this.opts.router.realm(this.opts.localRealm);
    if (!realm) throw new Error(`uplink ${this.opts.name}: local realm "${this.opts.localRealm}" does not exist on this router`);
    this.realm = realm;
    const [mine, routerSide] = this.opts.linkPeers();
    this.opts.router.attach(routerSide, { internal: true });
    const local = new WampSession(mine, { clock: this.opts.clock });
    this.local = local;
    local.onClose = (reason) => {
      if (!this.stopped) this.log.warn("edge bridge: local session ended", { reason });
    };
    await local.join({ realm: this.opts.localRealm, authid: `causeway.edge.${this.opts.name}` });
    this.unlisten = realm.events.add({
      registrationCreated: (_s, d) => this.guard(() => this.localRegs.set(d.id, { uri: d.uri, match: d.match, invoke: d.invoke, callees: new Set(), exported: false })),
      registered: (s, id) => this.guard(() => this.calleeAdded(s, id)),
      unregistered: (s, id) => this.guard(() => this.calleeRemoved(s, id)),
      registrationDeleted: (_s, id) => this.guard(() => this.localRegs.delete(id)),
      subscriptionCreated: (_s, d) => this.guard(() => this.localSubs.set(d.id, { uri: d.uri, match: d.match, subscribers: new Set(), imports: [] })),
      subscribed: (s, id) => this.guard(() => this.subscriberAdded(s, id)),
      unsubscribed: (s, id) => this.guard(() => this.subscriberRemoved(s, id)),
      subscriptionDeleted: (_s, id) => this.guard(() => this.localSubs.delete(id)),
    });
    this.scanExisting(realm);
    await Promise.all([
      ...this.opts.importProcedures.map((f) => this.registerImport(local, f)),
      ...this.opts.exportTopics.map((f) => this.subscribeExport(local, f)),
    ]);
  }

  /**
   * Joins the core over `peer` (HELLO, authentication, WELCOME), then registers the exports,
   * subscribes the import interest, learns the core's interest, flushes the buffer, and only
   * then counts as up. Rejects with an Error naming the uplink, the realm and the core's
   * ABORT reason (authentication failed, no such realm, not authorized …).
   */
  async connect(peer: Peer): Promise<void> {
    if (!this.started || this.stopped) throw new Error(`uplink ${this.opts.name}: connect() before start() or after stop()`);
    if (this.remote) this.disconnected("replaced by a new connection");
    const s = new WampSession(peer, { clock: this.opts.clock });
    this.remote = s;
    this.state = "joining";
    s.onClose = (reason) => {
      if (this.remote !== s) return;
      const wasUp = this.state === "up";
      this.disconnected(`the core ended the session (${reason})`);
      if (wasUp) this.opts.onRemoteLost?.(reason);
    };
    const where = `uplink ${this.opts.name}: joining realm "${this.opts.remoteRealm}" on ${this.opts.remoteUrl} failed`;
    try {
      await s.join({ realm: this.opts.remoteRealm, ...this.join });
    } catch (err) {
      if (this.remote === s) {
        this.remote = undefined;
        this.state = "down";
        s.abandon("join failed");
      }
      const e = new Error(`${where}: ${(err as Error).message}`);
      this.lastError = e.message;
      this.log.warn("edge bridge: join failed", { error: e.message });
      throw e;
    }
    const lostWhileSettingUp = () => new Error(`${where}: the connection was lost while setting up the bridge`);
    if (this.remote !== s) throw lostWhileSettingUp();
    const interest = new CoreInterest(s.id);
    this.interest = interest;
    await Promise.all([this.exports.attach(s), this.imports.attach(s), interest.start(s)]);
    if (this.remote !== s) throw lostWhileSettingUp();
    if (interest.everywhere) this.log.info("edge bridge: " + interest.reason);
    this.flush(s, interest);
    this.state = "up";
    this.log.info("edge bridge up", { remoteRealm: this.opts.remoteRealm, session: s.id });
  }

  /** The remote peer is gone: imports fail fast, exported publications buffer. Idempotent. */
  disconnected(reason: string): void {
    const s = this.remote;
    if (!s && this.state === "down") return;
    this.remote = undefined;
    this.interest = undefined;
    const wasUp = this.state === "up";
    this.state = "down";
    this.exports.detach();
    this.imports.detach();
    // Calls still waiting on the core are answered now (unavailable), not when some timeout fires.
    s?.abandon(reason);
    if (wasUp) {
      this.lastError = reason;
      this.log.info("edge bridge down", { reason });
    }
  }

  /** Leaves both realms; the bridge cannot be started again. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unlisten?.();
    const remote = this.remote;
    this.remote = undefined;
    this.state = "down";
    this.exports.detach();
    this.imports.detach();
    await Promise.all([remote?.isOpen ? remote.leave() : remote?.abandon("stopped"), this.local?.leave()]);
  }

  status(): BridgeStatus {
    const st: BridgeStatus = {
      localRealm: this.opts.localRealm,
      remoteRealm: this.opts.remoteRealm,
      state: this.state,
      exportedProcedures: this.exports.established().map((e) => e.uri),
      importedProcedures: [...this.importedProcedures],
      exportedTopics: [...this.exportedTopics],
      importedTopics: this.imports.established().map((t) => t.uri),
      bufferDepth: this.buffer.depth,
      bufferDropped: this.buffer.dropped,
      forwarded: { ...this.forwarded },
    };
    if (this.remote?.isOpen) st.remoteSession = this.remote.id;
    if (this.lastError !== undefined) st.lastError = this.lastError;
    return st;
  }

  // ---- local realm tracking -------------------------------------------------------------

  private scanExisting(realm: Realm): void {
    const isClient = (id: number) => realm.sessions.get(id)?.internal === false;
    const regs = realm.dealer.list();
    for (const id of [...regs.exact, ...regs.prefix, ...regs.wildcard]) {
      const d = realm.dealer.get(id);
      if (!d) continue;
      const reg: LocalRegistration = { uri: d.uri, match: d.match, invoke: d.invoke, callees: new Set(), exported: false };
      this.localRegs.set(id, reg);
      for (const c of realm.dealer.callees(id) ?? []) if (isClient(c)) reg.callees.add(c);
      if (reg.callees.size > 0) this.exportIfWanted(reg);
    }
    const subs = realm.broker.list();
    for (const id of [...subs.exact, ...subs.prefix, ...subs.wildcard]) {
      const d = realm.broker.get(id);
      if (!d) continue;
      const sub: LocalSubscription = { uri: d.uri, match: d.match, subscribers: new Set(), imports: [] };
      this.localSubs.set(id, sub);
      for (const c of realm.broker.subscribers(id) ?? []) if (isClient(c)) sub.subscribers.add(c);
      if (sub.subscribers.size > 0) this.importInterest(sub);
    }
  }

  private calleeAdded(s: Session, id: number): void {
    if (s.internal) return; // loop guard: never re-export what a bridge (or the router) registered
    const reg = this.localRegs.get(id);
    if (!reg) return;
    reg.callees.add(s.id);
    if (reg.callees.size === 1) this.exportIfWanted(reg);
  }

  private calleeRemoved(s: Session, id: number): void {
    const reg = this.localRegs.get(id);
    if (!reg || !reg.callees.delete(s.id) || reg.callees.size > 0) return;
    if (reg.exported) {
      reg.exported = false;
      this.exports.remove(key(reg.match, reg.uri));
    }
  }

  private exportIfWanted(reg: LocalRegistration): void {
    if (reg.exported || !this.opts.exportProcedures.some((f) => filterCovers(f, reg.uri, reg.match))) return;
    reg.exported = true;
    this.exports.add(key(reg.match, reg.uri), { uri: reg.uri, match: reg.match, invoke: reg.invoke });
  }

  private subscriberAdded(s: Session, id: number): void {
    if (s.internal) return;
    const sub = this.localSubs.get(id);
    if (!sub) return;
    sub.subscribers.add(s.id);
    if (sub.subscribers.size === 1) this.importInterest(sub);
  }

  private subscriberRemoved(s: Session, id: number): void {
    const sub = this.localSubs.get(id);
    if (!sub || !sub.subscribers.delete(s.id) || sub.subscribers.size > 0) return;
    for (const k of sub.imports) this.imports.remove(k);
    sub.imports = [];
  }

  /** A local subscription now has a subscriber: ask the core for what it may want of the import filters. */
  private importInterest(sub: LocalSubscription): void {
    for (const f of this.opts.importTopics) {
      if (!filterIntersects(f, sub.uri, sub.match)) continue;
      const spec: TopicSpec = filterCovers(f, sub.uri, sub.match) ? { uri: sub.uri, match: sub.match } : { uri: f.uri, match: f.match };
      const k = key(spec.match, spec.uri);
      if (sub.imports.includes(k)) continue;
      sub.imports.push(k);
      this.imports.add(k, spec);
    }
  }

  // ---- procedures -------------------------------------------------------------------------

  private async registerImport(local: WampSession, f: BridgeFilter): Promise<void> {
    try {
      await local.register(f.uri, (inv, reply) => this.onLocalInvocation(f, inv, reply), {
        ...(f.match === "exact" ? {} : { match: f.match }),
        // Local callers' timeouts travel to the core with the call; the core's dealer runs them.
        forward_timeout: true,
      });
      this.importedProcedures.push(f.uri);
    } catch (err) {
      this.problem(`cannot register imported procedure "${f.uri}" (${f.match}) on the local realm: ${(err as Error).message}`);
    }
  }

  /** A local caller called an imported procedure: CALL it on the core. */
  private onLocalInvocation(f: BridgeFilter, inv: Invocation, reply: InvocationReply): void {
    const procedure = typeof inv.details.procedure === "string" ? inv.details.procedure : f.uri;
    const remote = this.remote;
    if (this.state !== "up" || !remote) {
      reply.error(Errors.UNAVAILABLE, { args: [this.downText()] });
      return;
    }
    this.forwarded.calls++;
    this.relayCall(remote, procedure, inv, reply, `the uplink went down during the call to "${procedure}"`);
  }

  /** The core invoked an exported procedure: CALL it on the local realm. */
  private onCoreInvocation(spec: ExportSpec, inv: Invocation, reply: InvocationReply): void {
    const procedure = typeof inv.details.procedure === "string" ? inv.details.procedure : spec.uri;
    const local = this.local;
    if (!local?.isOpen) {
      reply.error(Errors.UNAVAILABLE, { args: [`the edge's local realm "${this.opts.localRealm}" is not available`] });
      return;
    }
    this.forwarded.invocations++;
    this.relayCall(local, procedure, inv, reply, `the edge's local realm "${this.opts.localRealm}" went away during the call`);
  }

  /** Makes the INVOCATION a CALL on the other side: progress, cancel, result and error come back to `reply`. */
  private relayCall(s: WampSession, procedure: string, inv: Invocation, reply: InvocationReply, lostText: string): void {
    const h = s.callStart(procedure, payloadOf(inv), callOptions(inv.details), (p) => reply.progress(payloadOf(p)));
    reply.onInterrupt = (o) => h.cancel(o.mode === "kill" ? "kill" : "killnowait");
    h.result.then(
      (r) => reply.result(payloadOf(r)),
      (err) => reply.error(...this.relayError(err, lostText)),
    );
  }

  private relayError(err: unknown, lostText: string): [string, Payload, Dict] {
    if (err instanceof WampError && err.error !== SESSION_LOST) return [err.error, payloadOf(err), err.details];
    if (err instanceof WampError) return [Errors.UNAVAILABLE, { args: [lostText] }, {}];
    return ["wamp.error.runtime_error", { args: [String((err as Error)?.message ?? err)] }, {}];
  }

  private downText(): string {
    return `uplink ${this.opts.name} to ${this.opts.remoteUrl} is down`;
  }

  // ---- topics -----------------------------------------------------------------------------

  private async subscribeExport(local: WampSession, f: BridgeFilter): Promise<void> {
    try {
      await local.subscribe(f.uri, (ev) => this.onLocalEvent(f, ev), f.match === "exact" ? {} : { match: f.match });
      this.exportedTopics.push(f.uri);
    } catch (err) {
      this.problem(`cannot subscribe to exported topic "${f.uri}" (${f.match}) on the local realm: ${(err as Error).message}`);
    }
  }

  /** A local publication on an exported topic: to the core if it listens, to the buffer while down. */
  private onLocalEvent(f: BridgeFilter, ev: Event): void {
    // What this bridge published here came from the core: never send it back (the router
    // discloses the publisher to internal subscribers; exclude_me already keeps it away).
    if (ev.details.publisher !== undefined && ev.details.publisher === this.local?.id) return;
    if (this.seenOut.seen(ev.publication)) return;
    const topic = typeof ev.details.topic === "string" ? ev.details.topic : f.uri;
    const options = publishOptions(ev.details);
    const pub = { topic, payload: payloadOf(ev), options };
    const remote = this.remote;
    if (this.state === "up" && remote && this.interest) {
      if (this.interest.has(topic)) this.publishOut(remote, pub.topic, pub.payload, pub.options);
      return;
    }
    if (this.buffer.push(pub) > 0) this.opts.counters.inc(bufferDroppedCounterName(this.opts.localRealm));
  }

  private flush(remote: WampSession, interest: CoreInterest): void {
    for (const p of this.buffer.drain()) {
      if (interest.has(p.topic)) this.publishOut(remote, p.topic, p.payload, p.options);
    }
  }

  private publishOut(remote: WampSession, topic: string, payload: Payload, options: Dict): void {
    this.forwarded.eventsOut++;
    // Acknowledged, so a publication the core's RBAC refuses is reported instead of vanishing.
    remote.publish(topic, payload, { ...options, acknowledge: true }).catch((err) => {
      if (err instanceof WampError && err.error === SESSION_LOST) return;
      this.problem(`the core refused a publication to "${topic}": ${(err as Error).message}`);
    });
  }

  /** A core EVENT on an import subscription: published on the local realm. */
  private onCoreEvent(spec: TopicSpec, ev: Event): void {
    const topic = typeof ev.details.topic === "string" ? ev.details.topic : spec.uri;
    // The subscription may be the wider local pattern; only what the filters import crosses.
    if (!this.opts.importTopics.some((f) => filterMatches(f, topic))) return;
    if (this.seenIn.seen(ev.publication)) return;
    // Second loop guard (exclude_me is the first): a publication that left from here names a
    // session of the local realm in forward_for; it must never be published here again.
    if (this.startedHere(ev.details)) return;
    const local = this.local;
    if (!local?.isOpen) return;
    const options = publishOptions(ev.details);
    this.forwarded.eventsIn++;
    local.publish(topic, payloadOf(ev), options).catch(() => {});
  }

  // ---- helpers ----------------------------------------------------------------------------

  private startedHere(details: Dict): boolean {
    const hops = details.forward_for;
    if (!Array.isArray(hops) || !this.realm) return false;
    return hops.some((h) => typeof (h as { session?: unknown }).session === "number" && this.realm!.sessions.has((h as { session: number }).session));
  }

  private problem(text: string): void {
    this.lastError = text;
    this.log.warn(`edge bridge: ${text}`);
  }

  /** Realm listeners run inside the router and must not throw. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error("edge bridge: error handling a realm event", { error: String((err as Error)?.stack ?? err) });
    }
  }
}

/** CALL.Options for a forwarded invocation: progress, timeout and who it is on behalf of. */
function callOptions(details: Dict): Dict {
  const options: Dict = {};
  if (details.receive_progress === true) options.receive_progress = true;
  if (typeof details.timeout === "number" && details.timeout > 0) options.timeout = details.timeout;
  const chain = forwardChain(details, "caller");
  if (chain) options.forward_for = chain;
  return options;
}

/**
 * PUBLISH.Options for a forwarded event: exclude_me (the bridge's own subscription on that side
 * must not get it back) and who it is on behalf of.
 */
function publishOptions(details: Dict): Dict {
  const options: Dict = { exclude_me: true };
  const chain = forwardChain(details, "publisher");
  if (chain) options.forward_for = chain;
  return options;
}

function payloadOf(m: Payload | CallResult | WampError): Payload {
  const out: Payload = {};
  if (m.args !== undefined) out.args = m.args;
  if (m.kwargs !== undefined) out.kwargs = m.kwargs;
  if ("payload" in m && m.payload !== undefined) out.payload = m.payload;
  return out;
}
