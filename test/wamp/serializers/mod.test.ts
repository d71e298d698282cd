import { describe, expect, test } from "bun:test";
import type { Message } from "../../../src/wamp/messages.ts";
import {
  serializerByRawsocketId, serializerBySubprotocol, serializers,
} from "../../../src/wamp/serializers/mod.ts";

describe("serializer registry", () => {
  test("lists json, msgpack and cbor in preference order", () => {
    expect(serializers.map((s) => s.name)).toEqual(["json", "msgpack", "cbor"]);
  });

  test("finds a serializer by WebSocket subprotocol and RawSocket id", () => {
    expect(serializerBySubprotocol("wamp.2.cbor")?.name).toBe("cbor");
    expect(serializerBySubprotocol("wamp.2.ubjson")).toBeUndefined();
    expect(serializerByRawsocketId(2)?.name).toBe("msgpack");
    expect(serializerByRawsocketId(4)).toBeUndefined();
  });

  test("every serializer decodes what it encodes", () => {
    const msg: Message = { type: 36, subscription: 5512315355, publication: 2 ** 53, details: { publisher: 7 }, args: ["x"], kwargs: { n: 1 } };
    for (const s of serializers) expect(s.decode(s.encode(msg))).toEqual(msg);
  });
});
