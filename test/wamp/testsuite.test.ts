// The WAMP spec's own test vectors (wamp-proto/wamp-proto testsuite/singlemessage): every
// serialization sample is decoded from each of its JSON, MessagePack and CBOR byte variants,
// compared with its expected attributes and re-encoded; every validation sample goes through
// fromArray and must fail (or pass) as the sample says.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { fromArray } from "../../src/wamp/codec.ts";
import { ProtocolViolation } from "../../src/wamp/errors.ts";
import type { Message } from "../../src/wamp/messages.ts";
import type { Serializer } from "../../src/wamp/serializer.ts";
import { cborSerializer, jsonSerializer, msgpackSerializer } from "../../src/wamp/serializers/mod.ts";

const ROOT = process.env.CAUSEWAY_TESTSUITE_DIR ??
  fileURLToPath(new URL("../../../shared/wamp-testsuite/", import.meta.url));

interface Variant { bytes?: string; bytes_hex?: string; note?: string }
interface Sample {
  description: string;
  serializers?: Record<string, Variant[]>;
  expected_attributes?: Record<string, unknown>;
  wmsg?: unknown[];
  expected_error?: { type?: string; contains?: string };
}
interface Vector { wamp_message_type: string; samples: Sample[] }

function listJson(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listJson(path);
    return name.endsWith(".json") ? [path] : [];
  });
}

const files = listJson(join(ROOT, "singlemessage"));
const vectors = files.map((path) => ({
  path: path.slice(ROOT.length),
  vector: JSON.parse(readFileSync(path, "utf8")) as Vector,
}));

const SERIALIZERS: Record<string, Serializer> = {
  json: jsonSerializer,
  msgpack: msgpackSerializer,
  cbor: cborSerializer,
}; // ubjson and flatbuffers: not supported by Causeway

/** The vectors' attribute names (Autobahn's) → our Message fields. */
const FIELD: Record<string, string> = {
  message_type: "type",
  request_id: "request",
  request_type: "requestType",
  registration_id: "registration",
  subscription_id: "subscription",
  publication_id: "publication",
  session_id: "session",
  method: "authmethod",
};

/**
 * Expected attributes → [our field, expected value] pairs; null (absent) becomes undefined.
 * `roles` is HELLO/WELCOME Details.roles; `payload` is hex.
 */
function expectations(attrs: Record<string, unknown>): [string, unknown][] {
  return Object.entries(attrs).map(([name, value]) => {
    if (value === null) return [FIELD[name] ?? name, undefined];
    if (name === "payload") return ["payload", (value as string)];
    return [FIELD[name] ?? name, value];
  });
}

/** The decoded message's value for one expectation, in the vectors' terms. */
function actualValue(msg: Message, attr: string, field: string): unknown {
  const m = msg as unknown as Record<string, unknown>;
  if (attr === "roles") return (m.details as Record<string, unknown>).roles;
  const v = m[field];
  return v instanceof Uint8Array ? v.toHex() : v;
}

function wire(name: string, v: Variant): Uint8Array | string {
  if (name === "json") return v.bytes ?? new TextDecoder().decode(Uint8Array.fromHex(v.bytes_hex!));
  return Uint8Array.fromHex(v.bytes_hex!);
}

function asText(data: Uint8Array | string): string {
  return typeof data === "string" ? data : data.toHex();
}

// Validation samples mean a binary (transparent) payload when they put a hex string in the
// Arguments position; that position depends on the message type.
const ARGUMENTS_AT: Record<number, number> = { 8: 5, 16: 4, 36: 4, 48: 4, 50: 3, 68: 4, 70: 3, 337: 3 };

function withBinaryPayload(wmsg: unknown[]): unknown[] {
  const at = ARGUMENTS_AT[wmsg[0] as number];
  const arg = at === undefined ? undefined : wmsg[at];
  if (typeof arg !== "string") return wmsg;
  const copy = [...wmsg];
  copy[at] = Uint8Array.fromHex(arg);
  return copy;
}

let serializationChecks = 0;
let validationChecks = 0;
const countSamples = (pred: (s: Sample) => boolean) =>
  vectors.reduce((n, { vector }) => n + vector.samples.filter(pred).length, 0);
const serializationSamples = countSamples((s) => s.serializers !== undefined);
const validationSamples = countSamples((s) => s.wmsg !== undefined);

for (const { path, vector } of vectors) {
  describe(`${path} (${vector.wamp_message_type}, ${vector.samples.length} samples)`, () => {
    vector.samples.forEach((sample, index) => {
      if (sample.serializers) {
        for (const [name, serializer] of Object.entries(SERIALIZERS)) {
          const variants = sample.serializers[name];
          if (!variants) continue;
          test(`#${index} ${sample.description}: ${name}, ${variants.length} variant(s)`, () => {
            const attrs = sample.expected_attributes!;
            const expected = expectations(attrs);
            const encodings = variants.map((v) => asText(wire(name, v)));
            for (const variant of variants) {
              const msg = serializer.decode(wire(name, variant));
              const names = Object.keys(attrs);
              const actual = expected.map(([field], i) => [field, actualValue(msg, names[i], field)]);
              expect(actual).toEqual(expected);
              // Byte-exact re-encoding must match one of the listed variants. For JSON that is
              // the compact one; every sample has it, so no decoded-value fallback is needed.
              expect(encodings).toContain(asText(serializer.encode(msg)));
            }
            serializationChecks++;
          });
        }
      } else if (sample.wmsg) {
        const error = sample.expected_error;
        const outcome = error ? `rejected (mentions "${error.contains}")` : "accepted";
        test(`#${index} ${sample.description}: ${outcome}`, () => {
          const run = () => fromArray(withBinaryPayload(sample.wmsg!));
          if (!error) {
            expect(run().type).toBe(sample.wmsg![0] as Message["type"]);
          } else {
            expect(run).toThrow(ProtocolViolation);
            expect(run).toThrow(error.contains ?? "");
          }
          validationChecks++;
        });
      }
    });
  });
}

describe("test vector coverage", () => {
  test(`found ${files.length} files, ${serializationSamples} serialization samples and ${validationSamples} validation samples`, () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    expect(serializationSamples).toBeGreaterThan(0);
    expect(validationSamples).toBeGreaterThan(0);
  });

  // Runs last in its file (Bun and the Deno shim run tests in registration order).
  test("every sample was exercised (serialization × json/msgpack/cbor, and validation)", () => {
    expect(serializationChecks).toBe(serializationSamples * 3);
    expect(validationChecks).toBe(validationSamples);
  });
});
