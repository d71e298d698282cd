import { applyEnv, type Config, defaultConfig, parseConfigText } from "./config.ts";
import { loadListenerTls } from "./tls_config.ts";

/**
 * `causeway check-config [FILE]`: the checks the router does at startup (schema, environment
 * overrides, TLS files), without opening listeners or the store. Prints the effective config
 * with secrets redacted.
 */
export async function checkConfig(
  path: string | undefined,
  io: { readTextFile(path: string): Promise<string>; env(name: string): string | undefined },
): Promise<Config> {
  let base: Config;
  if (path) {
    let text: string;
    try {
      text = await io.readTextFile(path);
    } catch (err) {
      throw new Error(`Cannot read config ${path}: ${(err as Error).message}`);
    }
    base = parseConfigText(text, path);
  } else {
    base = defaultConfig();
  }
  const config = applyEnv(base, (n) => io.env(n));
  for (const l of config.listeners) await loadListenerTls(l, (p) => io.readTextFile(p));
  return config;
}

export const REDACTED = "<redacted>";
const SECRET_KEY = /password|secret|ticket|token|private/i;

/** A copy with the values of secret-named keys (password, tickets, …) replaced by "<redacted>". */
export function redactSecrets(value: unknown, secret = false): unknown {
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, secret));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, secret || SECRET_KEY.test(k))]));
  }
  return secret && typeof value === "string" ? REDACTED : value;
}
