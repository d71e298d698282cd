import { describe, expect, test } from "bun:test";
import { negotiateSubprotocol } from "../../src/transport/websocket.ts";
import { fakeSerializer } from "./_fakes.ts";

const json = { ...fakeSerializer(), name: "json", subprotocol: "wamp.2.json" };
const msgpack = { ...fakeSerializer(true), name: "msgpack", subprotocol: "wamp.2.msgpack" };
const cbor = { ...fakeSerializer(true), name: "cbor", subprotocol: "wamp.2.cbor", rawsocketId: 3 };
const supported = [json, msgpack, cbor];

describe("negotiateSubprotocol", () => {
  test("picks the first offered protocol in the client's order, not the server's", () => {
    expect(negotiateSubprotocol(["wamp.2.cbor", "wamp.2.json"], supported)).toBe(cbor);
    expect(negotiateSubprotocol(["wamp.2.msgpack", "wamp.2.json"], supported)).toBe(msgpack);
  });

  test("skips protocols it does not support", () => {
    expect(negotiateSubprotocol(["foo", "wamp.2.msgpack", "wamp.2.json"], supported)).toBe(msgpack);
  });

  test("trims the entries of a comma-separated header", () => {
    expect(negotiateSubprotocol([" wamp.2.json "], supported)).toBe(json);
  });

  test("returns undefined when nothing offered is supported", () => {
    expect(negotiateSubprotocol(["foo", "wamp.1.json"], supported)).toBeUndefined();
    expect(negotiateSubprotocol([], supported)).toBeUndefined();
  });
});
