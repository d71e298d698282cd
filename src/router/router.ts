import { MessageType as T, messageTypeName } from "../wamp/message_type.ts";
import type { Dict, Message } from "../wamp/messages.ts";
import type { Peer } from "../wamp/peer.ts";
import { Errors, ProtocolViolation } from "../wamp/errors.ts";
import { createIdSequence, globalId } from "../wamp/ids.ts";
import { type AuthChallenge, type AuthIdentity, createAnonymousAuthenticator, createAuthService } from "../auth/mod.ts";
import { systemClock, type TimerHandle } from "../util/clock.ts";
import { Counters } from "../util/counters.ts";
import { silentLogger } from "../util/log.ts";
import { Realm } from "./realm.ts";
import { Session } from "./session.ts";
import { processHello, welcome } from "./handshake.ts";
import { routerRoles } from "./features.ts";
import { startMetaApi } from "./meta_api.ts";
import { abort, errorReply } from "./replies.ts";
import { LimitErrors, sessionBucket, type TokenBucket } from "./session_limits.ts";
import { RealmSecurity } from "./authorize.ts";
import { createRbac } from "../rbac/mod.ts";
import { startAdminApi } from "./admin_api.ts";
import type { AttachOptions, RealmConfig, Router, RouterOptions } from "./router_types.ts";

export type { AttachOptions, RealmConfig, Router, RouterOptions } from "./router_types.ts";

/** Per-connection state: before HELLO, joined, or gone. */
interface Connection {
  peer: Peer;
  internal: boolean;
  session?: Session;
  /** We sent GOODBYE and wait for the client's reply. */
  closing: boolean;
  /** A CHALLENGE was sent; the next message must be its AUTHENTICATE. */
  challenge?: { pending: AuthChallenge; realm: Realm; roles: Dict; session: number; timer: TimerHandle };
  /** Closes the connection unless HELLO arrives in time (limits.helloTimeoutMs). */
  helloTimer?: TimerHandle;
  /** The session's request rate limit (limits.requestsPerSecond), if any. */
  bucket?: TokenBucket;
}

export function createRouter(opts: RouterOptions): Router {
  const log = opts.logger ?? silentLogger;
  const counters = opts.counters ?? new Counters();
  const agent = opts.agent ?? "causeway";
  const clock = opts.clock ?? systemClock;
  const routerIds = createIdSequence();
  const ids = { router: () => routerIds(), global: globalId };
  const realms = new Map<string, Realm>();
  // RBAC (src/rbac) authorizes messages and, through its sources, narrows the HELLO's methods.
  const rbac = opts.security ? createRbac(opts.security) : undefined;
  const auth = opts.security ? createAuthService({ allowedAuthmethods: rbac?.allowedAuthmethods, ...opts.auth, security: opts.security, clock, logger: log }) : undefined;
  const connections = new Set<Connection>();
  const sessionIds = new Set<number>();
  const roles = routerRoles();

  function newSessionId(): number {
    let id = globalId();
    while (sessionIds.has(id)) id = globalId();
    sessionIds.add(id);
    return id;
  }

  function endSession(conn: Connection, why: string): void {
    const s = conn.session;
    if (!s) return;
    conn.session = undefined;
    s.closed = true;
    sessionIds.delete(s.id);
    if (s.internal) internalSessions--;
    realms.get(s.realm)?.leave(s);
    log.info("session left", { session: s.id, realm: s.realm, authid: s.authid, why });
  }

  function violation(conn: Connection, text: string): void {
    counters.inc("protocol_violations");
    log.warn("protocol violation", { session: conn.session?.id, remote: conn.peer.details.remoteAddress, reason: text });
    conn.peer.send(abort(Errors.PROTOCOL_VIOLATION, text));
    endSession(conn, "protocol violation");
    conn.peer.close(1002, "protocol violation");
  }

  /** limits.maxSessions: refuses a client's HELLO when the node already has that many sessions. */
  function overSessionLimit(conn: Connection, realm: string): boolean {
    const max = opts.limits?.maxSessions ?? 0;
    if (conn.internal || max <= 0 || router.sessionCount < max) return false;
    counters.inc("sessions_refused_limit");
    log.warn("session refused: too many sessions", { realm, remote: conn.peer.details.remoteAddress, maxSessions: max });
    refuse(conn, abort(LimitErrors.TOO_MANY_SESSIONS, `this router already has its maximum of ${max} sessions; try again later`), realm, 0);
    return true;
  }

  function onHello(conn: Connection, msg: Message): void {
    if (conn.helloTimer) clock.clearTimeout(conn.helloTimer);
    conn.helloTimer = undefined;
    if (msg.type === T.HELLO && overSessionLimit(conn, msg.realm)) return;
    if (msg.type !== T.HELLO) {
      return violation(conn, `expected HELLO as the first message, got ${messageTypeName(msg.type)}`);
    }
    // Chosen now (WAMP-CRA signs it into its challenge), claimed only when the session joins.
    const sid = globalId();
    const outcome = processHello(msg, realms, conn.internal, {
      auth, session: sid, remoteAddress: conn.peer.details.remoteAddress, tls: conn.peer.details.tls === true,
    });
    if (outcome.ok === "challenge") {
      // WAMP "Authentication": the next message must be the AUTHENTICATE answering this CHALLENGE.
      const timer = clock.setTimeout(() => {
        if (!conn.challenge) return;
        conn.challenge = undefined;
        refuse(conn, abort(Errors.AUTHENTICATION_FAILED, "authentication timed out"), msg.realm, 0);
      }, opts.auth?.authenticateTimeoutMs ?? 30_000);
      conn.challenge = { pending: outcome.pending, realm: outcome.realm, roles: outcome.roles, session: sid, timer };
      conn.peer.send(outcome.reply);
      return;
    }
    if (!outcome.ok) {
      if (outcome.violation) counters.inc("protocol_violations");
      return refuse(conn, outcome.reply, msg.realm, outcome.delayMs ?? 0);
    }
    join(conn, outcome.realm, outcome.identity, outcome.roles, sid);
  }

  function onAuthenticate(conn: Connection, msg: Message): void {
    const ch = conn.challenge!;
    conn.challenge = undefined;
    clock.clearTimeout(ch.timer);
    if (msg.type !== T.AUTHENTICATE) {
      return violation(conn, `expected AUTHENTICATE after CHALLENGE, got ${messageTypeName(msg.type)}`);
    }
    const r = ch.pending.authenticate(msg.signature, msg.extra);
    if (r.kind === "abort") return refuse(conn, abort(r.reason, r.message), ch.realm.name, r.delayMs);
    join(conn, ch.realm, r.identity, ch.roles, ch.session);
  }

  /** ABORT the handshake; after repeated authentication failures only after a delay (backoff). */
  function refuse(conn: Connection, reply: Message, realm: string, delayMs: number): void {
    counters.inc("sessions_refused");
    log.info("session refused", { realm, remote: conn.peer.details.remoteAddress, reason: (reply as { reason?: string }).reason });
    conn.closing = true;
    const send = () => {
      conn.peer.send(reply);
      conn.peer.close(1000, "aborted");
    };
    if (delayMs > 0) clock.setTimeout(send, delayMs);
    else send();
  }

  function join(conn: Connection, realm: Realm, identity: AuthIdentity, helloRoles: Dict, sid: number): void {
    // Checked again: sessions may have joined while this one was authenticating.
    if (overSessionLimit(conn, realm.name)) return;
    let id = sid;
    if (sessionIds.has(id)) id = newSessionId();
    else sessionIds.add(id);
    const session = new Session(id, realm.name, conn.peer, identity, helloRoles, conn.internal);
    conn.session = session;
    if (session.internal) internalSessions++;
    else conn.bucket = sessionBucket(opts.limits, clock);
    session.terminate = (reason, message) => {
      if (conn.session !== session) return;
      conn.closing = true;
      conn.peer.send({ type: T.GOODBYE, details: message ? { message } : {}, reason });
      endSession(conn, `terminated: ${reason}`);
      conn.peer.close(1000, "terminated");
    };
    conn.peer.send(welcome(session.id, session.realm, session.identity, roles, agent));
    realm.join(session);
    counters.inc("sessions_joined");
    log.info("session joined", {
      session: session.id, realm: session.realm, authid: session.authid, authrole: session.authrole,
      transport: conn.peer.details.transport, serializer: conn.peer.details.serializer,
      remote: conn.peer.details.remoteAddress,
    });
  }

  function onSessionMessage(conn: Connection, session: Session, msg: Message): void {
    const realm = realms.get(session.realm)!;
    switch (msg.type) {
      case T.CALL: case T.PUBLISH: case T.SUBSCRIBE: case T.UNSUBSCRIBE: case T.REGISTER: case T.UNREGISTER:
        // WAMP "Progressive Call Invocations": further CALLs of an open invocation stream reuse
        // its request id; only those are exempt from the sequence check.
        if (!session.acceptRequestId(msg.request) && !(msg.type === T.CALL && realm.dealer.continuesCall(session, msg.request))) {
          return violation(conn, `${messageTypeName(msg.type)} request id ${msg.request} does not follow the previous request id ${session.previousRequestId} (session-scope request ids are sequential)`);
        }
        // limits.requestsPerSecond: over it, requests get ERROR rate_limited; a PUBLISH nobody
        // waits an answer for is dropped (and counted). The session stays open either way.
        if (conn.bucket && !conn.bucket.take()) {
          counters.inc("requests_rate_limited");
          if (msg.type === T.PUBLISH && msg.options.acknowledge !== true) {
            counters.inc("publications_dropped_rate_limited");
            log.debug("dropped rate-limited publication", { session: session.id, topic: msg.topic });
            return;
          }
          conn.peer.send(errorReply(msg.type, msg.request, LimitErrors.RATE_LIMITED, `this session sends more than ${opts.limits?.requestsPerSecond} requests per second; slow down and retry`));
          return;
        }
        break;
      case T.YIELD: case T.ERROR:
        if (msg.type === T.ERROR && msg.requestType !== T.INVOCATION) {
          return violation(conn, `ERROR from a client may only answer an INVOCATION, not ${messageTypeName(msg.requestType)}`);
        }
        // WAMP "Protocol Errors": a YIELD for an INVOCATION that was never sent. (One that was
        // sent but is no longer pending, e.g. its caller left, is dropped by the dealer.)
        if (!session.wasInvocationIssued(msg.request)) {
          return violation(conn, `${messageTypeName(msg.type)} for INVOCATION ${msg.request}, which this router never sent`);
        }
        break;
    }
    // RBAC (issue 4): only realms with security enabled look anything up; internal sessions are trusted.
    if (realm.security?.enabled && !session.internal && !realm.security.permits(session, msg)) return;
    switch (msg.type) {
      case T.CALL: return realm.dealer.call(session, msg);
      case T.YIELD: return realm.dealer.yield(session, msg);
      case T.PUBLISH: return realm.broker.publish(session, msg);
      case T.SUBSCRIBE: return realm.broker.subscribe(session, msg);
      case T.UNSUBSCRIBE: return realm.broker.unsubscribe(session, msg);
      case T.REGISTER: return realm.dealer.register(session, msg);
      case T.UNREGISTER: return realm.dealer.unregister(session, msg);
      case T.ERROR: return realm.dealer.invocationError(session, msg);
      case T.GOODBYE:
        // A reply to our own GOODBYE ends the exchange; otherwise answer it. Either way the
        // session is over and the connection could carry a new HELLO.
        if (!conn.closing) conn.peer.send({ type: T.GOODBYE, details: {}, reason: Errors.GOODBYE_AND_OUT });
        endSession(conn, `goodbye: ${msg.reason}`);
        if (conn.closing) conn.peer.close(1000, "goodbye");
        return;
      case T.ABORT:
        endSession(conn, `abort: ${msg.reason}`);
        conn.peer.close(1000, "aborted");
        return;
      case T.CANCEL: return realm.dealer.cancel(session, msg);
      case T.EVENT_RECEIVED:
        // Advanced features this router does not announce; a well-behaved client never sends
        // them here. Ignored (not fatal) so a client probing for them keeps its session.
        log.debug("ignored unannounced feature message", { session: session.id, type: messageTypeName(msg.type) });
        return;
      default:
        return violation(conn, `${messageTypeName(msg.type)} is not a message a client may send in an established session`);
    }
  }

  let shuttingDown = false;
  let internalSessions = 0;

  function attach(peer: Peer, attachOpts: AttachOptions = {}): void {
    if (shuttingDown) {
      peer.send(abort(Errors.SYSTEM_SHUTDOWN, "router is shutting down"));
      peer.close(1001, "router shutdown");
      return;
    }
    const conn: Connection = { peer, internal: attachOpts.internal === true, closing: false };
    connections.add(conn);
    const helloMs = opts.limits?.helloTimeoutMs ?? 0;
    if (!conn.internal && helloMs > 0) {
      conn.helloTimer = clock.setTimeout(() => {
        conn.helloTimer = undefined;
        if (conn.session || conn.challenge || conn.closing) return;
        counters.inc("hello_timeouts");
        log.info("closed connection without HELLO", { remote: peer.details.remoteAddress, helloTimeoutMs: helloMs });
        conn.closing = true;
        peer.send(abort(LimitErrors.HELLO_TIMEOUT, `no HELLO within ${helloMs} ms`));
        peer.close(1000, "hello timeout");
      }, helloMs);
    }
    peer.onMessage = (msg) => {
      try {
        if (conn.session) onSessionMessage(conn, conn.session, msg);
        else if (conn.challenge) onAuthenticate(conn, msg);
        else if (!conn.closing) onHello(conn, msg);
      } catch (err) {
        if (err instanceof ProtocolViolation) return violation(conn, err.message);
        // A router bug must cost at most this one connection, never the process.
        counters.inc("internal_errors");
        log.error("internal error handling message", { session: conn.session?.id, error: String((err as Error)?.stack ?? err) });
        violation(conn, "internal router error while handling the message");
      }
    };
    peer.onClose = () => {
      if (conn.helloTimer) clock.clearTimeout(conn.helloTimer);
      if (conn.challenge) clock.clearTimeout(conn.challenge.timer);
      conn.challenge = undefined;
      endSession(conn, "transport closed");
      connections.delete(conn);
    };
  }

  /**
   * One routed realm, configured or created at runtime: its dealer and broker, its RBAC, and
   * (given linkPeers) its WAMP meta API session, which attaches at once.
   */
  function installRealm(rc: RealmConfig): Realm {
    const authenticators = rc.anonymous === false ? [] : [createAnonymousAuthenticator()];
    const realm = new Realm({ ...rc, authenticators }, { ids, counters, clock });
    if (rbac) realm.security = new RealmSecurity(realm, rbac, counters, log);
    realms.set(rc.name, realm);
    if (opts.linkPeers) startMetaApi(realm, opts.linkPeers, (peer) => attach(peer, { internal: true }));
    return realm;
  }
  for (const rc of opts.realms) installRealm(rc);

  const router: Router = {
    attach,
    realm: (name) => realms.get(name),
    realmNames: () => [...realms.keys()],
    createRealm(rc) {
      if (realms.has(rc.name)) throw new Error(`realm "${rc.name}" already exists`);
      const realm = installRealm(rc);
      log.info("realm created", { realm: rc.name });
      return realm;
    },
    deleteRealm(name, reason = "wamp.close.killed") {
      const realm = realms.get(name);
      if (!realm) return false;
      // Sessions first (their leave() still finds the realm), then the realm itself.
      for (const s of [...realm.sessions.values()]) s.terminate(reason, "the realm was deleted");
      realms.delete(name);
      log.info("realm deleted", { realm: name });
      return true;
    },
    get sessionCount() {
      return sessionIds.size - internalSessions;
    },
    counters,
    shutdown(reason = Errors.SYSTEM_SHUTDOWN) {
      shuttingDown = true;
      for (const conn of connections) {
        conn.closing = true;
        if (conn.session) {
          conn.peer.send({ type: T.GOODBYE, details: { message: "router is shutting down" }, reason });
          endSession(conn, "router shutdown");
        }
        conn.peer.close(1001, "router shutdown");
      }
    },
  };
  if (opts.admin) {
    if (!opts.security || !opts.linkPeers || !realms.has(opts.admin.realm)) {
      throw new Error(`the admin API needs security, linkPeers and the admin realm "${opts.admin.realm}" among the realms`);
    }
    startAdminApi(router, opts.security, opts.admin, opts.linkPeers, (peer) => attach(peer, { internal: true }), log);
  }
  return router;
}
