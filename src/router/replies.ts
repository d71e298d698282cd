import { MessageType as T } from "../wamp/message_type.ts";
import type { Abort, ErrorMessage } from "../wamp/messages.ts";

/** ERROR in reply to a request, with a human-readable reason as the first argument. */
export function errorReply(requestType: number, request: number, error: string, text: string): ErrorMessage {
  return { type: T.ERROR, requestType, request, details: {}, error, args: [text] };
}

/** ABORT with the reason URI and a message in Details, as clients display it. */
export function abort(reason: string, message: string): Abort {
  return { type: T.ABORT, details: { message }, reason };
}
