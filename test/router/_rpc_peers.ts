import type { Dict } from "../../src/wamp/messages.ts";
import type { MessageClient } from "../_harness/message_client.ts";

/** Joins realm1 announcing `features` for the caller and callee roles. */
export async function joinedWith(r: { connect(): MessageClient }, features: Dict): Promise<MessageClient> {
  const c = r.connect();
  const roles = { caller: { features }, callee: { features }, publisher: {}, subscriber: {} };
  const reply = await c.join("realm1", { roles });
  if (reply.type !== 2) throw new Error(`join failed: ${JSON.stringify(reply)}`);
  return c;
}
