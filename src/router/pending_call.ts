import type { Call } from "../wamp/messages.ts";
import type { TimerHandle } from "../util/clock.ts";
import type { Session } from "./session.ts";
import type { Callee, Registration } from "./registration.ts";

/**
 * One call in flight. The same object sits in the caller's `calls` (by CALL request id) and
 * the callee's `invocations` (by INVOCATION request id), so either side's end cleans up both
 * without a search.
 */
export interface PendingCall {
  caller: Session;
  callerRequest: number;
  callee: Session;
  invocation: number;
  registration: number;
  /** The URI the caller called (for a pattern registration, not the pattern). */
  procedure: string;
  reg: Registration;
  entry: Callee;
  /** The (first) CALL: WAMP "Call Re-Routing" sends it again to another callee. */
  call: Call;
  /** WAMP "Call Timeouts": the router's timer, cleared when the call ends. */
  timer?: TimerHandle;
  /** WAMP "Call Canceling" mode "kill": INTERRUPT sent, the callee's answer ends the call. */
  killed: boolean;
  /** WAMP "Progressive Call Results": the caller asked for them and the callee was told. */
  receiveProgress: boolean;
  /** WAMP "Progressive Call Invocations": more CALLs with this request id will follow. */
  streaming: boolean;
  /** Callees that answered wamp.error.unavailable ("Call Re-Routing"). */
  tried?: Session[];
}
