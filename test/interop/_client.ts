// The small client surface the shared interop scenarios drive. Each third-party WAMP library
// (autobahn-js, wampy) gets an adapter to it, so one scenario set runs across every
// library × transport × serializer.
import { afterAll, beforeAll } from "bun:test";
import { type RouterProcess, type RouterProcessOptions, startRouterProcess } from "../_harness/router_process.ts";

export type Kwargs = Record<string, unknown>;

export interface Payload {
  args: unknown[];
  kwargs: Kwargs;
}

/** A WAMP application error: thrown by a procedure handler, or the rejection of a call. */
export class ApplicationError extends Error {
  constructor(readonly uri: string, readonly args: unknown[] = [], readonly kwargs: Kwargs = {}) {
    super(`${uri} ${JSON.stringify(args)} ${JSON.stringify(kwargs)}`);
    this.name = "ApplicationError";
  }
}

export interface PublishOptions {
  acknowledge?: boolean;
  exclude_me?: boolean;
}

export interface InteropClient {
  readonly sessionId: number;
  /** The handler's ApplicationError becomes the ERROR the caller receives. */
  register(procedure: string, handler: (call: Payload) => Payload | Promise<Payload>): Promise<void>;
  /** Rejects with ApplicationError for an ERROR reply. */
  call(procedure: string, args?: unknown[], kwargs?: Kwargs): Promise<Payload>;
  subscribe(topic: string, onEvent: (event: Payload) => void): Promise<unknown>;
  unsubscribe(subscription: unknown): Promise<void>;
  /** Resolves with the publication id when acknowledged, else undefined. */
  publish(topic: string, args: unknown[], kwargs: Kwargs, options?: PublishOptions): Promise<number | undefined>;
  /** Leaves the realm (GOODBYE and its reply) and closes the transport; rejects if not clean. */
  close(): Promise<void>;
}

export type Connect = () => Promise<InteropClient>;

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  // If the deadline wins, a later rejection of `promise` must not surface as an unhandled
  // rejection (Bun counts that as a failure of whatever test runs then).
  promise.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Collects events; `next()` awaits the next one with a deadline instead of sleeping. */
export class Inbox {
  readonly items: Payload[] = [];
  private waiters: Array<(p: Payload) => void> = [];
  private taken = 0;

  readonly push = (item: Payload): void => {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.taken++;
      this.items.push(item);
      waiter(item);
    } else {
      this.items.push(item);
    }
  };

  next(ms = 5_000, what = "event"): Promise<Payload> {
    if (this.taken < this.items.length) return Promise.resolve(this.items[this.taken++]);
    let waiter!: (p: Payload) => void;
    const arrived = new Promise<Payload>((resolve) => this.waiters.push(waiter = resolve));
    // A waiter that timed out must leave the queue, or it would swallow the next item.
    return withTimeout(arrived, ms, what).catch((err) => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
      throw err;
    });
  }
}

export const payload = (args: unknown[] = [], kwargs: Kwargs = {}): Payload => ({ args, kwargs });

/**
 * The router process of one test file: started in beforeAll, stopped in afterAll once `cleanup`
 * (closing the file's sessions) is done. The returned object reads the started process, so use
 * it inside tests and hooks only.
 */
export function routerProcessForFile(options: RouterProcessOptions = {}, cleanup?: () => unknown): RouterProcess {
  let started: RouterProcess | undefined;
  beforeAll(async () => {
    started = await startRouterProcess(options);
  });
  afterAll(async () => {
    await cleanup?.();
    await started?.stop();
  });
  return new Proxy({} as RouterProcess, {
    get(_, key) {
      if (!started) throw new Error(`router process not started yet (reading ${String(key)})`);
      const value = Reflect.get(started, key);
      return typeof value === "function" ? value.bind(started) : value;
    },
  });
}

/** A procedure endpoint that never answers, and a promise of its first invocation (await it with a deadline). */
export function hangingEndpoint(): { endpoint: () => Promise<never>; invoked: Promise<void> } {
  let invoked!: () => void;
  const started = new Promise<void>((r) => (invoked = r));
  return {
    endpoint: () => {
      invoked();
      return new Promise<never>(() => {});
    },
    invoked: started,
  };
}

/** InteropClients a test file keeps open until afterAll: `closeAll()` leaves with each, ignoring failures. */
export class InteropClients {
  private readonly clients: InteropClient[] = [];

  /** Resolves with the client once connected, noting it for closeAll. */
  async track(connecting: Promise<InteropClient>): Promise<InteropClient> {
    const client = await connecting;
    this.clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close().catch(() => {})));
  }
}
