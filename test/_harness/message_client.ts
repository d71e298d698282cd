import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Dict, Message } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";

/**
 * A bare test client over any Peer: sends raw WAMP messages and awaits the ones that come
 * back, so tests assert on the exact messages the router produces.
 */
export class MessageClient {
  readonly received: Message[] = [];
  private waiters: { pred: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  closed = false;
  private closeWaiters: (() => void)[] = [];
  private nextRequest = 1;
  session = 0;

  constructor(readonly peer: Peer) {
    peer.onMessage = (msg) => {
      const i = this.waiters.findIndex((w) => w.pred(msg));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(msg);
      else this.received.push(msg);
    };
    peer.onClose = () => {
      this.closed = true;
      for (const w of this.closeWaiters.splice(0)) w();
    };
  }

  request(): number {
    return this.nextRequest++;
  }

  send(msg: Message): void {
    this.peer.send(msg);
  }

  /** The next message (already received or future) matching `pred`, or throws after `ms`. */
  next<M extends Message = Message>(pred: (m: Message) => boolean = () => true, ms = 2000): Promise<M> {
    const i = this.received.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0] as M);
    return new Promise<M>((resolve, reject) => {
      const w = { pred, resolve: resolve as (m: Message) => void };
      this.waiters.push(w);
      setTimeout(() => {
        const j = this.waiters.indexOf(w);
        if (j >= 0) {
          this.waiters.splice(j, 1);
          reject(new Error(`no matching message within ${ms} ms; received: ${JSON.stringify(this.received)}`));
        }
      }, ms);
    });
  }

  nextOfType<M extends Message>(type: number, ms?: number): Promise<M> {
    return this.next<M>((m) => m.type === type, ms);
  }

  waitClosed(ms = 2000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.closeWaiters.push(resolve);
      setTimeout(() => reject(new Error(`peer not closed within ${ms} ms`)), ms);
    });
  }

  /** Resolves after `ms` with whatever arrived that nobody awaited (for "nothing came" checks). */
  async idle(ms = 50): Promise<Message[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.received.splice(0);
  }

  async join(realm = "realm1", details: Dict = {}): Promise<Message> {
    this.send({
      type: T.HELLO,
      realm,
      details: { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} }, ...details },
    });
    const reply = await this.next((m) => m.type === T.WELCOME || m.type === T.ABORT);
    if (reply.type === T.WELCOME) this.session = reply.session;
    return reply;
  }

  async register(procedure: string, options: Dict = {}): Promise<number> {
    const request = this.request();
    this.send({ type: T.REGISTER, request, options, procedure });
    const reply = await this.next((m) => "request" in m && m.request === request);
    if (reply.type !== T.REGISTERED) throw new Error(`register failed: ${JSON.stringify(reply)}`);
    return reply.registration;
  }

  async subscribe(topic: string, options: Dict = {}): Promise<number> {
    const request = this.request();
    this.send({ type: T.SUBSCRIBE, request, options, topic });
    const reply = await this.next((m) => "request" in m && m.request === request);
    if (reply.type !== T.SUBSCRIBED) throw new Error(`subscribe failed: ${JSON.stringify(reply)}`);
    return reply.subscription;
  }

  /** Sends a CALL and returns its request id (answer with `next`). */
  call(procedure: string, args?: unknown[], kwargs?: Dict, options: Dict = {}): number {
    const request = this.request();
    this.send({ type: T.CALL, request, options, procedure, args, kwargs });
    return request;
  }

  /** The reply (RESULT/ERROR/PUBLISHED/...) to request `request`. */
  replyTo(request: number, ms?: number): Promise<Message> {
    return this.next((m) => "request" in m && m.request === request && m.type !== T.INVOCATION, ms);
  }
}
