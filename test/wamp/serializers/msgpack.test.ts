import { describe, expect, test } from "bun:test";
import { ProtocolViolation } from "../../../src/wamp/errors.ts";
import type { Message } from "../../../src/wamp/messages.ts";
import { msgpackSerializer as msgpack } from "../../../src/wamp/serializers/msgpack.ts";

const hex = (data: Uint8Array | string) => (data as Uint8Array).toHex();
const decodeHex = (h: string) => msgpack.decode(Uint8Array.fromHex(h));

describe("msgpack serializer", () => {
  test("announces wamp.2.msgpack, RawSocket id 2, binary frames", () => {
    expect([msgpack.name, msgpack.subprotocol, msgpack.rawsocketId, msgpack.binary]).toEqual(["msgpack", "wamp.2.msgpack", 2, true]);
  });

  test("2^53 goes out as uint64, not float64", () => {
    expect(hex(msgpack.encode({ type: 17, request: 1, publication: 2 ** 53 }))).toBe("931101cf0020000000000000");
  });

  test("integers between 2^32 and 2^53 go out as uint64/int64 in args too; floats stay floats", () => {
    const msg: Message = { type: 50, request: 1, details: {}, args: [1_700_000_000_000, -(2 ** 40), 1.5] };
    expect(hex(msgpack.encode(msg))).toBe("9432018093cf0000018bcfe56800d3ffffff0000000000cb3ff8000000000000");
    expect(msgpack.decode(msgpack.encode(msg))).toEqual(msg);
  });

  test("encoding does not modify the message it is given", () => {
    const args = [2 ** 40, { at: 2 ** 41 }];
    msgpack.encode({ type: 36, subscription: 1, publication: 2, details: {}, args });
    expect(args).toEqual([2 ** 40, { at: 2 ** 41 }]);
    expect(typeof (args[1] as { at: unknown }).at).toBe("number");
  });

  test("uint64 and int64 values decode as numbers", () => {
    // [17, 1, uint64 5512315355] and [50, 1, {}, [int64 -2^40]]
    expect(decodeHex("931101cf00000001488f41db")).toEqual({ type: 17, request: 1, publication: 5512315355 });
    expect(decodeHex("9432018091d3ffffff0000000000")).toEqual({ type: 50, request: 1, details: {}, args: [-(2 ** 40)] });
  });

  test("a uint64 above 2^53 is a protocol violation", () => {
    expect(() => decodeHex("931101cf0020000000000001")).toThrow(ProtocolViolation);
    expect(() => decodeHex("931101cf0020000000000001")).toThrow("out of range");
  });

  test("wampy's msgpackr frames decode: undefined as ext type 0, large integers as float64", () => {
    // msgpackr pack([48, 1, {}, "p", [undefined, 5512315355, 2 ** 53]])
    const msg = decodeHex("953001de0000a17093d40000cb41f488f41db00000cb4340000000000000");
    expect(msg).toEqual({ type: 48, request: 1, options: {}, procedure: "p", args: [undefined, 5512315355, 2 ** 53] });
    expect((msg as { args: unknown[] }).args.length).toBe(3);
  });

  test("binary payload round trips as MessagePack bin", () => {
    const msg: Message = { type: 16, request: 1, options: { enc_algo: "cryptobox" }, topic: "t", payload: new Uint8Array([0, 255]) };
    const wire = msgpack.encode(msg) as Uint8Array;
    expect(hex(wire)).toBe("951001" + "81a8656e635f616c676fa963727970746f626f78" + "a174" + "c40200ff");
    expect(msgpack.decode(wire)).toEqual(msg);
  });

  const garbage: [string, Uint8Array | string][] = [
    ["a text frame", "[1]"],
    ["empty input", new Uint8Array()],
    ["a reserved byte", Uint8Array.fromHex("c1")],
    ["a truncated array", Uint8Array.fromHex("9311")],
    ["trailing bytes", Uint8Array.fromHex("92110101")],
    ["a map instead of a list", Uint8Array.fromHex("810101")],
    ["a wrongly typed element", Uint8Array.fromHex("9311a161")],
  ];
  for (const [what, data] of garbage) {
    test(`${what} is a protocol violation`, () => {
      expect(() => msgpack.decode(data)).toThrow(ProtocolViolation);
    });
  }
});

describe("msgpack serializer and undefined", () => {
  test("undefined dict values are dropped and undefined list items become nil, as in JSON", () => {
    const msg = { type: 2, session: 1, details: { roles: {}, authprovider: undefined } } as Message;
    expect(hex(msgpack.encode(msg))).toBe("930201" + "81a5726f6c657380");
    const yielded: Message = { type: 70, request: 1, options: {}, args: [undefined, 1] };
    expect(msgpack.decode(msgpack.encode(yielded))).toEqual({ type: 70, request: 1, options: {}, args: [null, 1] });
  });
});
