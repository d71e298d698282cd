/** Error and close reason URIs used by the router (WAMP spec, "Predefined URIs"). */
export const Errors = {
  // Interaction
  INVALID_URI: "wamp.error.invalid_uri",
  NO_SUCH_PROCEDURE: "wamp.error.no_such_procedure",
  PROCEDURE_ALREADY_EXISTS: "wamp.error.procedure_already_exists",
  NO_SUCH_REGISTRATION: "wamp.error.no_such_registration",
  NO_SUCH_SUBSCRIPTION: "wamp.error.no_such_subscription",
  INVALID_ARGUMENT: "wamp.error.invalid_argument",
  CANCELED: "wamp.error.canceled",
  TIMEOUT: "wamp.error.timeout",
  UNAVAILABLE: "wamp.error.unavailable",
  NO_AVAILABLE_CALLEE: "wamp.error.no_available_callee",
  // Session close
  SYSTEM_SHUTDOWN: "wamp.close.system_shutdown",
  CLOSE_REALM: "wamp.close.close_realm",
  CLOSE_NORMAL: "wamp.close.normal",
  GOODBYE_AND_OUT: "wamp.close.goodbye_and_out",
  // Abort / authorization
  PROTOCOL_VIOLATION: "wamp.error.protocol_violation",
  NO_SUCH_REALM: "wamp.error.no_such_realm",
  NO_SUCH_ROLE: "wamp.error.no_such_role",
  NO_SUCH_SESSION: "wamp.error.no_such_session",
  NOT_AUTHORIZED: "wamp.error.not_authorized",
  AUTHORIZATION_FAILED: "wamp.error.authorization_failed",
  AUTHENTICATION_FAILED: "wamp.error.authentication_failed",
  NO_AUTH_METHOD: "wamp.error.no_auth_method",
  /** Causeway-specific: the peer fell too far behind reading its messages. */
  SLOW_CONSUMER: "causeway.close.slow_consumer",
  /** Causeway-specific: a message exceeded the transport's maximum length. */
  MESSAGE_TOO_LARGE: "causeway.error.message_too_large",
} as const;

/**
 * Thrown by decoders and session code when a peer breaks the protocol. The peer boundary turns
 * it into ABORT wamp.error.protocol_violation with this message, then closes the transport.
 */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolViolation";
  }
}
