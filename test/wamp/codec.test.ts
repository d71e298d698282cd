import { describe, expect, test } from "bun:test";
import { fromArray, toArray } from "../../src/wamp/codec.ts";
import { ProtocolViolation } from "../../src/wamp/errors.ts";
import type { Message } from "../../src/wamp/messages.ts";

const bytes = new Uint8Array([1, 2, 3]);

/** One message of every type, with its wire array. */
const ROUND_TRIPS: [Message, unknown[]][] = [
  [{ type: 1, realm: "realm1", details: { roles: { caller: {} } } }, [1, "realm1", { roles: { caller: {} } }]],
  [{ type: 2, session: 9129137332, details: { roles: { dealer: {} } } }, [2, 9129137332, { roles: { dealer: {} } }]],
  [{ type: 3, details: { message: "bye" }, reason: "wamp.error.no_such_realm" }, [3, { message: "bye" }, "wamp.error.no_such_realm"]],
  [{ type: 3, details: {}, reason: "wamp.error.x", args: ["why"] }, [3, {}, "wamp.error.x", ["why"]]],
  [{ type: 4, authmethod: "wampcra", extra: { challenge: "c" } }, [4, "wampcra", { challenge: "c" }]],
  [{ type: 5, signature: "sig", extra: {} }, [5, "sig", {}]],
  [{ type: 6, details: {}, reason: "wamp.close.normal" }, [6, {}, "wamp.close.normal"]],
  [{ type: 8, requestType: 48, request: 7, details: {}, error: "com.err", args: [1], kwargs: { a: 1 } }, [8, 48, 7, {}, "com.err", [1], { a: 1 }]],
  [{ type: 16, request: 1, options: {}, topic: "t" }, [16, 1, {}, "t"]],
  [{ type: 17, request: 1, publication: 2 ** 53 }, [17, 1, 2 ** 53]],
  [{ type: 32, request: 1, options: { match: "prefix" }, topic: "com." }, [32, 1, { match: "prefix" }, "com."]],
  [{ type: 33, request: 1, subscription: 5 }, [33, 1, 5]],
  [{ type: 34, request: 2, subscription: 5 }, [34, 2, 5]],
  [{ type: 35, request: 2 }, [35, 2]],
  [{ type: 35, request: 0, details: { subscription: 5, reason: "gone" } }, [35, 0, { subscription: 5, reason: "gone" }]],
  [{ type: 36, subscription: 5, publication: 6, details: {}, args: ["x"] }, [36, 5, 6, {}, ["x"]]],
  [{ type: 337, publication: 6 }, [337, 6]],
  [{ type: 337, publication: 6, details: {}, args: [1] }, [337, 6, {}, [1]]],
  [{ type: 48, request: 3, options: { timeout: 1000 }, procedure: "p", args: [1, 2] }, [48, 3, { timeout: 1000 }, "p", [1, 2]]],
  [{ type: 49, request: 3, options: { mode: "kill" } }, [49, 3, { mode: "kill" }]],
  [{ type: 50, request: 3, details: { progress: true }, args: [3] }, [50, 3, { progress: true }, [3]]],
  [{ type: 64, request: 4, options: { invoke: "roundrobin" }, procedure: "p" }, [64, 4, { invoke: "roundrobin" }, "p"]],
  [{ type: 65, request: 4, registration: 8 }, [65, 4, 8]],
  [{ type: 66, request: 5, registration: 8 }, [66, 5, 8]],
  [{ type: 67, request: 5 }, [67, 5]],
  [{ type: 67, request: 0, details: { registration: 8, reason: "moved" } }, [67, 0, { registration: 8, reason: "moved" }]],
  [{ type: 68, request: 9, registration: 8, details: { caller: 1 }, args: [], kwargs: { k: "v" } }, [68, 9, 8, { caller: 1 }, [], { k: "v" }]],
  [{ type: 69, request: 9, options: { mode: "killnowait" } }, [69, 9, { mode: "killnowait" }]],
  [{ type: 70, request: 9, options: {}, payload: bytes }, [70, 9, {}, bytes]],
];

describe("codec round trip", () => {
  for (const [msg, arr] of ROUND_TRIPS) {
    test(`${JSON.stringify(arr)} encodes and decodes`, () => {
      expect(toArray(msg)).toEqual(arr);
      expect(fromArray(arr)).toEqual(msg);
    });
  }

  test("every message type is covered", () => {
    const codes = new Set(ROUND_TRIPS.map(([m]) => m.type));
    expect(codes.size).toBe(25);
  });
});

describe("codec arguments and keyword arguments", () => {
  const call = { type: 48, request: 1, options: {}, procedure: "p" } as const;

  test("empty args and kwargs are both omitted", () => {
    expect(toArray({ ...call, args: [], kwargs: {} })).toEqual([48, 1, {}, "p"]);
  });

  test("empty trailing kwargs is omitted after non-empty args", () => {
    expect(toArray({ ...call, args: [1], kwargs: {} })).toEqual([48, 1, {}, "p", [1]]);
  });

  test("an empty args list stands in when only kwargs are present", () => {
    expect(toArray({ ...call, kwargs: { a: 1 } })).toEqual([48, 1, {}, "p", [], { a: 1 }]);
  });

  test("a binary payload goes in the Arguments position and excludes kwargs", () => {
    expect(toArray({ ...call, payload: bytes, kwargs: { a: 1 } })).toEqual([48, 1, {}, "p", bytes]);
  });

  test("a missing optional Details is written as {} when a payload follows it", () => {
    expect(toArray({ type: 337, publication: 1, args: [1] })).toEqual([337, 1, {}, [1]]);
  });

  test("decoding keeps empty args and kwargs as sent", () => {
    expect(fromArray([48, 1, {}, "p", [], {}])).toEqual({ ...call, args: [], kwargs: {} });
  });

  test("binary in the Arguments position decodes as payload", () => {
    expect(fromArray([36, 1, 2, { enc_algo: "cryptobox" }, bytes])).toEqual({
      type: 36, subscription: 1, publication: 2, details: { enc_algo: "cryptobox" }, payload: bytes,
    });
  });

  test("a binary payload may be followed by an empty kwargs dict only", () => {
    expect(fromArray([50, 1, {}, bytes, {}])).toEqual({ type: 50, request: 1, details: {}, payload: bytes });
    expect(() => fromArray([50, 1, {}, bytes, { a: 1 }])).toThrow("RESULT.ArgumentsKw must be empty with a binary payload");
  });

  test("ABORT takes args but not a binary payload", () => {
    expect(() => fromArray([3, {}, "wamp.error.x", bytes])).toThrow("ABORT.Arguments must be a list");
  });
});

describe("codec rejects malformed messages", () => {
  const cases: [string, unknown, string][] = [
    ["not a list", { type: 1 }, "must be a list"],
    ["an empty list", [], "must not be empty"],
    ["an unknown type", [99, 1], "unknown message type 99"],
    ["a non-numeric type", ["CALL", 1], "unknown message type CALL"],
    ["too few elements", [48, 1, {}], "CALL has too few elements (3, expected at least 4)"],
    ["too many elements", [48, 1, {}, "p", [], {}, 7], "CALL has too many elements (7, expected at most 6)"],
    ["too many elements without payload", [65, 1, 2, 3], "REGISTERED has too many elements"],
    ["a string id", [48, "1", {}, "p"], "CALL.Request must be an id"],
    ["a negative id", [65, 1, -2], "REGISTERED.Registration must be an id"],
    ["a fractional id", [65, 1, 1.5], "REGISTERED.Registration must be an id"],
    ["an id above 2^53", [17, 1, 2 ** 53 + 2], "PUBLISHED.Publication must be an id"],
    ["a list as dict", [48, 1, [], "p"], "CALL.Options must be a dict"],
    ["null as dict", [6, null, "wamp.close.normal"], "GOODBYE.Details must be a dict"],
    ["a byte array as dict", [6, bytes, "wamp.close.normal"], "GOODBYE.Details must be a dict"],
    ["a number as uri", [48, 1, {}, 5], "CALL.Procedure must be a string"],
    ["a number as string", [4, 1, {}], "CHALLENGE.AuthMethod must be a string"],
    ["a string as request type", [8, "48", 1, {}, "e"], "ERROR.REQUEST.Type must be a non-negative integer"],
    ["a dict as args", [48, 1, {}, "p", { a: 1 }], "CALL.Arguments must be a list"],
    ["a list as kwargs", [48, 1, {}, "p", [], []], "CALL.ArgumentsKw must be a dict"],
    ["a list as optional details", [67, 0, []], "UNREGISTERED.Details must be a dict"],
    ["HELLO without roles", [1, "realm1", {}], "HELLO.Details.roles must be a dict"],
    ["a boolean given as int", [16, 1, { acknowledge: 1 }, "t"], "PUBLISH.Options.acknowledge must be a boolean"],
    ["a bad match policy", [64, 1, { match: "regex" }, "p"], "REGISTER.Options.match must be one of exact, prefix, wildcard"],
    ["a bad invoke policy", [64, 1, { invoke: "all" }, "p"], "REGISTER.Options.invoke must be one of"],
    ["a fractional timeout", [48, 1, { timeout: 1.5 }, "p"], "CALL.Options.timeout must be a non-negative integer"],
    ["a bad cancel mode", [49, 1, { mode: "stop" }], "CANCEL.Options.mode must be one of skip, kill, killnowait"],
    ["a string caller id", [68, 1, 2, { caller: "x" }], "INVOCATION.Details.caller must be an id"],
    ["a forward_for hop without session", [16, 1, { forward_for: [{ authid: "a", authrole: "r" }] }, "t"], "PUBLISH.Options.forward_for"],
    ["an unknown ppt_scheme", [48, 1, { ppt_scheme: "rot13" }, "p", []], "CALL.Options.ppt_scheme"],
    ["ppt_scheme wamp without serializer", [48, 1, { ppt_scheme: "wamp" }, "p", []], "CALL.Options.ppt_serializer must be one of cbor, flatbuffers"],
    ["ppt_scheme wamp with an unknown cipher", [70, 1, { ppt_scheme: "wamp", ppt_serializer: "cbor", ppt_cipher: "rot13" }], "YIELD.Options.ppt_cipher"],
    ["an unknown enc_serializer", [8, 48, 1, { enc_serializer: "xml" }, "e"], "ERROR.Details.enc_serializer"],
    ["a non-string revocation reason", [35, 0, { reason: 5 }], "UNSUBSCRIBED.Details.reason must be a string"],
  ];
  for (const [what, arr, message] of cases) {
    test(`${what}: "${message}"`, () => {
      expect(() => fromArray(arr)).toThrow(ProtocolViolation);
      expect(() => fromArray(arr)).toThrow(message);
    });
  }

  test("toArray rejects an unknown message type", () => {
    expect(() => toArray({ type: 99 } as unknown as Message)).toThrow("unknown message type 99");
  });
});

describe("codec accepts extensions", () => {
  test("unknown Options/Details keys pass through untouched", () => {
    const arr = [16, 1, { _x_custom: [1, "a"], acknowledge: true }, "t"];
    expect(fromArray(arr)).toEqual({ type: 16, request: 1, options: { _x_custom: [1, "a"], acknowledge: true }, topic: "t" });
  });

  test("custom x_ identifiers are accepted for enc_algo, enc_serializer and ppt_scheme", () => {
    expect(() => fromArray([48, 1, { enc_algo: "x_mine", enc_serializer: "x_mine" }, "p", bytes])).not.toThrow();
    expect(() => fromArray([48, 1, { ppt_scheme: "x_mine", ppt_serializer: "custom" }, "p", [bytes]])).not.toThrow();
    expect(() => fromArray([48, 1, { ppt_scheme: "mqtt", ppt_serializer: "native" }, "p", [{}]])).not.toThrow();
  });

  test("id 0 (revocation) and 2^53 are valid ids", () => {
    expect(fromArray([67, 0, { registration: 2 ** 53 }])).toEqual({ type: 67, request: 0, details: { registration: 2 ** 53 } });
  });

  test("a dict without prototype is a dict", () => {
    const details = Object.create(null) as Record<string, unknown>;
    details.message = "m";
    expect(fromArray([6, details, "wamp.close.normal"]).type).toBe(6);
  });
});

describe("codec treats undefined dict values as absent", () => {
  test("an undefined option (wampy's msgpackr sends them) is not a type error", () => {
    expect(fromArray([1, "realm1", { roles: { caller: {} }, authid: undefined }]).type).toBe(1);
    expect(fromArray([16, 1, { acknowledge: undefined }, "t"]).type).toBe(16);
  });

  test("null is not absent: WAMP itself never uses null", () => {
    expect(() => fromArray([16, 1, { acknowledge: null }, "t"])).toThrow("PUBLISH.Options.acknowledge must be a boolean");
  });
});
