import { describe, expect, test } from "bun:test";
import { ProtocolViolation } from "../../../src/wamp/errors.ts";
import type { Message } from "../../../src/wamp/messages.ts";
import { cborSerializer as cbor } from "../../../src/wamp/serializers/cbor.ts";

const hex = (data: Uint8Array | string) => (data as Uint8Array).toHex();
const decodeHex = (h: string) => cbor.decode(Uint8Array.fromHex(h));

describe("cbor serializer", () => {
  test("announces wamp.2.cbor, RawSocket id 3, binary frames", () => {
    expect([cbor.name, cbor.subprotocol, cbor.rawsocketId, cbor.binary]).toEqual(["cbor", "wamp.2.cbor", 3, true]);
  });

  test("integers beyond 32 bits go out as 64-bit integers, not float64", () => {
    expect(hex(cbor.encode({ type: 17, request: 1, publication: 2 ** 53 }))).toBe("8311011b0020000000000000");
    const msg: Message = { type: 50, request: 1, details: {}, args: [5512315355, -(2 ** 40), 1.5] };
    expect(hex(cbor.encode(msg))).toBe("84183201a0831b00000001488f41db3b000000ffffffffff" + "fb3ff8000000000000");
    expect(cbor.decode(cbor.encode(msg))).toEqual(msg);
  });

  test("encoding does not modify the message it is given", () => {
    const details = { publisher: 2 ** 40 };
    cbor.encode({ type: 36, subscription: 1, publication: 2, details, args: [] });
    expect(typeof details.publisher).toBe("number");
  });

  test("a 64-bit integer above 2^53 is a protocol violation", () => {
    expect(() => decodeHex("8311011b0020000000000001")).toThrow(ProtocolViolation);
  });

  test("binary payload round trips as a byte string", () => {
    const msg: Message = { type: 68, request: 1, registration: 2, details: {}, payload: new Uint8Array([0, 255]) };
    const wire = cbor.encode(msg) as Uint8Array;
    expect(hex(wire)).toBe("85184401" + "02a0" + "4200ff");
    expect(cbor.decode(wire)).toEqual(msg);
  });

  const garbage: [string, Uint8Array | string][] = [
    ["a text frame", "[1]"],
    ["empty input", new Uint8Array()],
    ["a break outside a container", Uint8Array.fromHex("ff")],
    ["a truncated array", Uint8Array.fromHex("8311")],
    ["trailing bytes", Uint8Array.fromHex("8211010101")],
    ["an unsigned int instead of a list", Uint8Array.fromHex("01")],
    ["a wrongly typed element", Uint8Array.fromHex("83110161")],
  ];
  for (const [what, data] of garbage) {
    test(`${what} is a protocol violation`, () => {
      expect(() => cbor.decode(data)).toThrow(ProtocolViolation);
    });
  }
});

describe("cbor serializer and undefined", () => {
  test("undefined dict values are dropped and undefined list items become null, as in JSON", () => {
    const msg = { type: 2, session: 1, details: { roles: {}, authprovider: undefined } } as Message;
    expect(hex(cbor.encode(msg))).toBe("830201" + "a165726f6c6573a0");
    const yielded: Message = { type: 70, request: 1, options: {}, args: [undefined, 1] };
    expect(hex(cbor.encode(yielded))).toBe("84184601a082f601");
  });
});

describe("cbor serializer and text", () => {
  test("non-ASCII strings round-trip (the native cbor-extract add-on got these wrong under Bun)", () => {
    const msg: Message = { type: 16, request: 1, options: {}, topic: "a.b", args: ["ü€ wörld", "日本語", "✓".repeat(100)] };
    expect(cbor.decode(cbor.encode(msg))).toEqual(msg);
  });
});
