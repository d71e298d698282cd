import { describe, expect, test } from "bun:test";
import { ProtocolViolation } from "../../../src/wamp/errors.ts";
import type { Message } from "../../../src/wamp/messages.ts";
import { jsonSerializer as json } from "../../../src/wamp/serializers/json.ts";

const bytes = Uint8Array.fromHex("10e3ff9053075c526f5fc06d4fe37cdb");
const B64 = "\\u0000EOP/kFMHXFJvX8BtT+N82w=="; // the spec's example, as JSON text

describe("json serializer", () => {
  test("announces wamp.2.json, RawSocket id 1, text frames", () => {
    expect([json.name, json.subprotocol, json.rawsocketId, json.binary]).toEqual(["json", "wamp.2.json", 1, false]);
  });

  test("encodes compactly to a string", () => {
    expect(json.encode({ type: 48, request: 1, options: {}, procedure: "p", args: [2 ** 53] })).toBe('[48,1,{},"p",[9007199254740992]]');
  });

  test("a binary payload travels as \\0 + base64 (spec: binary support in JSON)", () => {
    const msg: Message = { type: 70, request: 1, options: {}, payload: bytes };
    expect(json.encode(msg)).toBe(`[70,1,{},"${B64}"]`);
    expect(json.decode(`[70,1,{},"${B64}"]`)).toEqual(msg);
  });

  test("byte arrays nested in args and kwargs round trip", () => {
    const msg: Message = { type: 16, request: 1, options: {}, topic: "t", args: [1, [bytes], { b: bytes }], kwargs: { k: bytes } };
    const text = json.encode(msg) as string;
    expect(text).toBe(`[16,1,{},"t",[1,["${B64}"],{"b":"${B64}"}],{"k":"${B64}"}]`);
    expect(json.decode(text)).toEqual(msg);
  });

  test("encoding binary does not modify the message it is given", () => {
    const args = [bytes];
    json.encode({ type: 50, request: 1, details: {}, args });
    expect(args[0]).toBe(bytes);
  });

  test("decodes UTF-8 bytes as well as strings", () => {
    const text = '[6,{"message":"schüss"},"wamp.close.normal"]';
    const expected = { type: 6, details: { message: "schüss" }, reason: "wamp.close.normal" };
    expect(json.decode(new TextEncoder().encode(text))).toEqual(expected);
    expect(json.decode(text)).toEqual(expected);
  });

  const garbage: [string, Uint8Array | string][] = [
    ["invalid JSON", "[48,"],
    ["an empty frame", ""],
    ["invalid UTF-8", new Uint8Array([0x5b, 0xff, 0x5d])],
    ["an object instead of a list", '{"type":1}'],
    ["a wrongly typed element", '[17,1,"2"]'],
    ["bad base64 after \\u0000", '[70,1,{},"\\u0000!!"]'],
  ];
  for (const [what, data] of garbage) {
    test(`${what} is a protocol violation`, () => {
      expect(() => json.decode(data)).toThrow(ProtocolViolation);
    });
  }
});
