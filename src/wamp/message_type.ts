/**
 * WAMP message codes. Direction (who may send it):
 *
 * | code | name           | client → router | router → client |
 * |------|----------------|-----------------|-----------------|
 * | 1    | HELLO          | yes             |                 |
 * | 2    | WELCOME        |                 | yes             |
 * | 3    | ABORT          | yes             | yes             |
 * | 4    | CHALLENGE      |                 | yes             |
 * | 5    | AUTHENTICATE   | yes             |                 |
 * | 6    | GOODBYE        | yes             | yes             |
 * | 8    | ERROR          | yes (callee)    | yes             |
 * | 16   | PUBLISH        | yes             |                 |
 * | 17   | PUBLISHED      |                 | yes             |
 * | 32   | SUBSCRIBE      | yes             |                 |
 * | 33   | SUBSCRIBED     |                 | yes             |
 * | 34   | UNSUBSCRIBE    | yes             |                 |
 * | 35   | UNSUBSCRIBED   |                 | yes             |
 * | 36   | EVENT          |                 | yes             |
 * | 48   | CALL           | yes             |                 |
 * | 49   | CANCEL         | yes             |                 |
 * | 50   | RESULT         |                 | yes             |
 * | 64   | REGISTER       | yes             |                 |
 * | 65   | REGISTERED     |                 | yes             |
 * | 66   | UNREGISTER     | yes             |                 |
 * | 67   | UNREGISTERED   |                 | yes             |
 * | 68   | INVOCATION     |                 | yes             |
 * | 69   | INTERRUPT      |                 | yes             |
 * | 70   | YIELD          | yes             |                 |
 * | 337  | EVENT_RECEIVED | yes             |                 |
 */
export const MessageType = {
  HELLO: 1,
  WELCOME: 2,
  ABORT: 3,
  CHALLENGE: 4,
  AUTHENTICATE: 5,
  GOODBYE: 6,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  UNSUBSCRIBE: 34,
  UNSUBSCRIBED: 35,
  EVENT: 36,
  CALL: 48,
  CANCEL: 49,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  UNREGISTER: 66,
  UNREGISTERED: 67,
  INVOCATION: 68,
  INTERRUPT: 69,
  YIELD: 70,
  EVENT_RECEIVED: 337,
} as const;

export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

const names = new Map<number, string>(Object.entries(MessageType).map(([k, v]) => [v, k]));

/** "CALL" for 48; "message type 99" for an unknown code (used in error texts). */
export function messageTypeName(code: number): string {
  return names.get(code) ?? `message type ${code}`;
}
