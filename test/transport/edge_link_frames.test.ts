import { describe, expect, test } from "bun:test";
import {
  decodeJsonPayload, decodeLinkFrame, EDGE_LINK_VERSION, EDGE_RAWSOCKET_SERIALIZER_ID, EDGE_SUBPROTOCOL,
  encodeJsonFrame, encodeLinkFrame, LinkFrameType, linkFrameTypeName, LinkProtocolError, parseCloseReason,
  parseLinkAbort, parseLinkHello, parseLinkWelcome,
} from "../../src/transport/edge_link_frames.ts";

describe("edge link frames", () => {
  test("the constants are the documented ones", () => {
    expect(EDGE_SUBPROTOCOL).toBe("causeway.edge.v1");
    expect(EDGE_RAWSOCKET_SERIALIZER_ID).toBe(15);
    expect(EDGE_LINK_VERSION).toBe(1);
  });

  test("type, channel id (big-endian uint32) and payload round-trip", () => {
    for (const channel of [0, 1, 255, 256, 65_537, 0x7fffffff, 0xffffffff]) {
      const payload = Uint8Array.of(9, 8, 7);
      const bytes = encodeLinkFrame(LinkFrameType.DATA, channel, payload);
      expect(bytes.byteLength).toBe(8);
      const f = decodeLinkFrame(bytes);
      expect(f.type).toBe(0x11);
      expect(f.channel).toBe(channel);
      expect([...f.payload]).toEqual([9, 8, 7]);
    }
    expect([...encodeLinkFrame(LinkFrameType.OPEN, 0x01020304)]).toEqual([0x10, 1, 2, 3, 4]);
  });

  test("an empty payload decodes to zero bytes", () => {
    const f = decodeLinkFrame(encodeLinkFrame(LinkFrameType.OPEN, 3));
    expect(f.payload.byteLength).toBe(0);
  });

  test("a frame shorter than its header is a protocol error naming the size", () => {
    expect(() => decodeLinkFrame(Uint8Array.of(0x11, 0, 0))).toThrow(/3 bytes is shorter than its 5-byte header/);
    expect(() => decodeLinkFrame(new Uint8Array(0))).toThrow(LinkProtocolError);
  });

  test("LINK_HELLO, LINK_WELCOME, LINK_ABORT and CLOSE JSON payloads round-trip", () => {
    const hello = { protocol: "causeway-edge", version: 1, node: "gw-17", serializer: "msgpack", maxMessageSize: 65536 };
    expect(parseLinkHello(decodeLinkFrame(encodeJsonFrame(LinkFrameType.LINK_HELLO, 0, hello)))).toEqual(hello);
    const welcome = { protocol: "causeway-edge", version: 1, node: "core-1", maxChannels: 64 };
    expect(parseLinkWelcome(decodeLinkFrame(encodeJsonFrame(LinkFrameType.LINK_WELCOME, 0, welcome))))
      .toEqual({ ...welcome, maxMessageSize: undefined });
    expect(parseLinkWelcome(decodeLinkFrame(encodeJsonFrame(LinkFrameType.LINK_WELCOME, 0, { ...welcome, maxMessageSize: 1024 }))).maxMessageSize)
      .toBe(1024);
    const abort = { reason: "causeway.edge.version_mismatch", message: "2 vs 1" };
    expect(parseLinkAbort(decodeLinkFrame(encodeJsonFrame(LinkFrameType.LINK_ABORT, 0, abort)))).toEqual(abort);
    expect(parseCloseReason(decodeLinkFrame(encodeJsonFrame(LinkFrameType.CLOSE, 5, { reason: "bye" })))).toBe("bye");
    expect(parseCloseReason(decodeLinkFrame(encodeLinkFrame(LinkFrameType.CLOSE, 5)))).toBe("closed");
  });

  test("bad JSON payloads are protocol errors naming the frame and the field", () => {
    const bad = decodeLinkFrame(encodeLinkFrame(LinkFrameType.LINK_HELLO, 0, new TextEncoder().encode("{nope")));
    expect(() => parseLinkHello(bad)).toThrow(/LINK_HELLO payload is not valid UTF-8 JSON/);
    const arr = decodeLinkFrame(encodeJsonFrame(LinkFrameType.LINK_HELLO, 0, [] as unknown as Record<string, unknown>));
    expect(() => decodeJsonPayload(arr)).toThrow(/LINK_HELLO payload must be a JSON object/);
    const noNode = decodeLinkFrame(encodeJsonFrame(LinkFrameType.LINK_HELLO, 0, { protocol: "causeway-edge", version: 1, serializer: "json", maxMessageSize: 1 }));
    expect(() => parseLinkHello(noNode)).toThrow(/LINK_HELLO.node must be a string/);
    const badVersion = decodeLinkFrame(encodeJsonFrame(LinkFrameType.LINK_WELCOME, 0, { protocol: "causeway-edge", version: "1", node: "c", maxChannels: 1 }));
    expect(() => parseLinkWelcome(badVersion)).toThrow(/LINK_WELCOME.version must be a non-negative integer/);
    const notUtf8 = decodeLinkFrame(encodeLinkFrame(LinkFrameType.LINK_ABORT, 0, Uint8Array.of(0xff, 0xfe)));
    expect(() => parseLinkAbort(notUtf8)).toThrow(/LINK_ABORT payload is not valid UTF-8 JSON/);
  });

  test("frame type names, unknown types in hex", () => {
    expect(linkFrameTypeName(0x12)).toBe("CLOSE");
    expect(linkFrameTypeName(0x7e)).toBe("unknown frame type 0x7e");
  });
});
