/**
 * Every scenario in the order bench/run.ts runs them, and the matrix of serializers x
 * transports that the core RPC and fan-out scenarios also run on.
 */
import { SERIALIZERS, type SerializerName } from "../driver/codec.ts";
import { TRANSPORTS, type TransportName } from "../driver/connection.ts";
import { fanout, mixed } from "./pubsub.ts";
import { rpcPattern, rpcProgressive, rpcSequential, rpcThroughput } from "./rpc.ts";
import type { Scenario } from "./scenario.ts";

export const SCENARIOS: readonly Scenario[] = [
  rpcThroughput(1),
  rpcThroughput(2),
  rpcThroughput(4),
  rpcSequential,
  rpcThroughput(1, "ints128", "rpc-args-ints128"),
  rpcThroughput(1, "str4k", "rpc-args-str4k"),
  rpcThroughput(1, "dict8", "rpc-kwargs-dict8"),
  fanout(10),
  fanout(100),
  fanout(1000),
  rpcProgressive,
  rpcPattern("prefix"),
  rpcPattern("wildcard"),
  mixed,
];

/** The scenarios repeated over every serializer x transport (json/websocket is the default run). */
export const MATRIX_SCENARIOS: readonly string[] = ["rpc-1-caller", "fanout-10"];

export interface MatrixCell {
  transport: TransportName;
  serializer: SerializerName;
}

export const MATRIX: readonly MatrixCell[] = TRANSPORTS.flatMap((transport) => SERIALIZERS.map((serializer) => ({ transport, serializer })));

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
