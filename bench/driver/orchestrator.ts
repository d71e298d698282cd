/**
 * Runs one plan: starts a client process per ClientSpec (each with an IPC channel), waits until
 * all are set up, starts them together, relays subscriber progress to the publisher (its flow
 * control) and the publication count back to the subscribers, collects every report, and
 * measures the CPU of the target (router or forwarder) and of each client process over the
 * measured window.
 */
import type { Subprocess } from "bun";
import { fileURLToPath } from "node:url";
import { now } from "./clock.ts";
import { cpuSeconds, machineBusySeconds } from "./cpu.ts";
import type { ClientReport, ClientSpec, FromClient, ToClient } from "./protocol.ts";

const CLIENT = fileURLToPath(new URL("./client_process.ts", import.meta.url));
const SETUP_TIMEOUT_MS = 60_000;
const START_DELAY_MS = 100;

export interface Plan {
  clients: ClientSpec[];
  durationMs: number;
  /** The process under load (router or forwarder), for its CPU. */
  targetPid: number;
}

export interface PlanResult {
  /** Reports in the order of plan.clients. */
  reports: ClientReport[];
  /** When the measured window began (ms since the epoch). */
  startedAt: number;
  durationMs: number;
  /** CPU over the measured window, as a fraction of one core (1 = one core busy). */
  targetCpu: number;
  /** The same per client process, in plan order. */
  clientCpu: number[];
  /** This (orchestrating) process over the window: part of the driver too. */
  orchestratorCpu: number;
  /** The whole machine's busy CPU over the window, in cores (target + driver + anything else). */
  machineCpu: number;
}

interface Client {
  spec: ClientSpec;
  proc: Subprocess;
  send(m: ToClient): void;
  ready: Promise<void>;
  done: Promise<ClientReport>;
}

function spawnClient(spec: ClientSpec, onProgress: (delivered: number) => void, onFail: (why: Error) => void): Client {
  let ready!: () => void;
  let done!: (r: ClientReport) => void;
  let failed = false;
  const fail = (why: string) => {
    if (failed) return;
    failed = true;
    onFail(new Error(`${spec.role} client: ${why}`));
  };
  const readyP = new Promise<void>((r) => (ready = r));
  const doneP = new Promise<ClientReport>((r) => (done = r));
  let finished = false;
  const proc = Bun.spawn([process.execPath, CLIENT], {
    stdio: ["ignore", "inherit", "inherit"],
    ipc(m: FromClient) {
      if (m.ev === "ready") ready();
      else if (m.ev === "progress") onProgress(m.delivered);
      else if (m.ev === "done") {
        finished = true;
        done(m.report);
      } else if (m.ev === "failed") fail(m.message);
    },
    onExit(_p, code) {
      if (!finished) fail(`process exited (code ${code}) before its report`);
    },
  });
  return { spec, proc, send: (m) => proc.send(m), ready: readyP, done: doneP };
}

export async function runPlan(plan: Plan): Promise<PlanResult> {
  let abort!: (err: Error) => void;
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => {});
  const subscriberProgress = new Map<number, number>();
  const clients: Client[] = [];
  let lastWindow = -1;
  const relay = () => {
    let m = Infinity;
    for (const v of subscriberProgress.values()) m = Math.min(m, v);
    if (m === Infinity || m === lastWindow) return;
    lastWindow = m;
    for (const c of clients) if (c.spec.role === "publisher") c.send({ cmd: "window", delivered: m });
  };
  plan.clients.forEach((spec, i) => {
    if (spec.role === "subscriber") subscriberProgress.set(i, 0);
    clients.push(spawnClient(spec, (d) => {
      subscriberProgress.set(i, d);
      relay();
    }, abort));
  });
  const race = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
    return Promise.race([p, aborted, timeout]).finally(() => clearTimeout(timer));
  };
  try {
    for (const c of clients) c.send({ cmd: "setup", spec: c.spec });
    await race(Promise.all(clients.map((c) => c.ready)), SETUP_TIMEOUT_MS, "client setup");
    const startedAt = now() + START_DELAY_MS;
    for (const c of clients) c.send({ cmd: "start", at: startedAt, durationMs: plan.durationMs });
    // CPU is read at the edges of the measured window, when every role is generating load.
    const pids = [plan.targetPid, ...clients.map((c) => c.proc.pid), process.pid];
    const cpu0 = await sleepUntil(startedAt).then(() => [...pids.map(cpuSeconds), machineBusySeconds()]);
    const cpu1 = await sleepUntil(startedAt + plan.durationMs).then(() => [...pids.map(cpuSeconds), machineBusySeconds()]);
    const publishers = clients.filter((c) => c.spec.role === "publisher");
    if (publishers.length) {
      const published = await race(Promise.all(publishers.map((p) => p.done)), 30_000, "the publisher's report");
      const count = published.reduce((n, r) => n + r.ops, 0);
      for (const c of clients) if (c.spec.role === "subscriber") c.send({ cmd: "expect", count });
    }
    const reports = await race(Promise.all(clients.map((c) => c.done)), 60_000, "the clients' reports");
    const seconds = plan.durationMs / 1000;
    const used = cpu0.map((_, i) => (cpu1[i] - cpu0[i]) / seconds);
    return { reports, startedAt, durationMs: plan.durationMs, targetCpu: used[0], clientCpu: used.slice(1, -2), orchestratorCpu: used.at(-2)!, machineCpu: used.at(-1)! };
  } finally {
    for (const c of clients) {
      try {
        c.send({ cmd: "exit" });
      } catch {
        // already gone
      }
    }
    await Promise.all(clients.map((c) => Promise.race([c.proc.exited, Bun.sleep(2000)])));
    for (const c of clients) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
  }
}

function sleepUntil(t: number): Promise<void> {
  return Bun.sleep(Math.max(0, t - now()));
}
