// Router configs for the interop tests of authentication and authorization.

type Json = Record<string, unknown>;

/**
 * Sources admitting `authmethods` for `to` from loopback only (an IPv4-mapped
 * ::ffff:127.0.0.1 counts as 127.0.0.1).
 */
export function loopbackSources(authmethods: string[], to: unknown = "all"): Json[] {
  return [
    { cidr: "127.0.0.0/8", authmethods, to },
    { cidr: "::1/128", authmethods, to },
  ];
}

/**
 * Router process options: one WebSocket listener on port 0 (plus `more.listeners`), an
 * in-memory store, and realm1 with security enabled and `security` (plus `more.realms`).
 */
export function securedRealmConfig(security: Json, more: { listeners?: Json[]; realms?: Json[] } = {}): { config: Json } {
  return {
    config: {
      listeners: [{ name: "ws", transport: "websocket", port: 0 }, ...(more.listeners ?? [])],
      store: { dataDir: ":memory:" },
      realms: [{ name: "realm1", security: { enabled: true, ...security } }, ...(more.realms ?? [])],
    },
  };
}
