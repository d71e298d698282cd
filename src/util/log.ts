/**
 * Structured logging: one JSON object per line on stdout (or, with format "pretty" or "auto"
 * on a terminal, one human-readable line: `12:00:00.000 INFO  msg key=value …`). Integration tests read the
 * "listening" lines to learn the ports a router bound (listeners may be on port 0).
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "json" | "pretty" | "auto";

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to console.log. Tests pass an array collector. */
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
  /** "json" (default), "pretty", or "auto": pretty when stdout is a terminal. */
  format?: LogFormat;
}

/** True when stdout is a terminal (Bun, Deno and Node all expose process.stdout.isTTY). */
export function stdoutIsTty(): boolean {
  try {
    const p = (globalThis as { process?: { stdout?: { isTTY?: boolean } } }).process;
    return p?.stdout?.isTTY === true;
  } catch {
    return false;
  }
}

/** Resolves "auto" against the terminal check. */
export function resolveFormat(format: LogFormat | undefined, isTty: () => boolean = stdoutIsTty): "json" | "pretty" {
  if (format === "pretty") return "pretty";
  if (format === "auto") return isTty() ? "pretty" : "json";
  return "json";
}

/** One human-readable line: time, level, message, then key=value pairs (strings quoted when needed). */
export function formatPretty(time: Date, level: LogLevel, msg: string, fields: Record<string, unknown>): string {
  const t = time.toISOString().slice(11, 23);
  let line = `${t} ${level.toUpperCase().padEnd(5)} ${msg}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    line += ` ${k}=${prettyValue(v)}`;
  }
  return line;
}

function prettyValue(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v) ?? String(v);
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = rank[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => console.log(line));
  const base = opts.fields ?? {};
  const pretty = resolveFormat(opts.format) === "pretty";
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (rank[level] < min) return;
    if (pretty) write(formatPretty(new Date(), level, msg, { ...base, ...fields }));
    else write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...opts, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (unit tests, library use). */
export const silentLogger: Logger = createLogger({ write: () => {} });
