import type { AdminConnection } from "./admin_client.ts";

/** `causeway admin …` parsed: one bondy.* call, or help, or a usage error. Pure (tested without a process). */
export type AdminCommand =
  | { kind: "call"; procedure: string; args: unknown[]; kwargs: Record<string, unknown>; conn: AdminConnection }
  | { kind: "help" }
  | { kind: "error"; message: string };

export const ADMIN_HELP = `causeway admin — manage a RUNNING Causeway through its admin API (bondy.* procedures).

Usage: causeway admin <command> [args] [options]

Commands:
  ping                                        bondy.ping
  session self                                who the CLI is logged in as
  call <procedure> [json-args] [json-kwargs]  any procedure, e.g. call bondy.user.get '["realm1","alice"]'
  realm create <uri> [--security on|off] [--authmethods m1,m2] [--prototype P]
  realm get|delete <uri>      realm list
  realm security enable|disable|status <uri>
  user add <realm> <authid> [--password P] [--group G]... [--authrole R] [--key HEX]... [--static-ticket T]...
  user get|delete|enable|disable <realm> <authid>      user list <realm>
  user passwd <realm> <authid> --password NEW [--old OLD]
  user add-group|remove-group <realm> <authid> <group>
  group add <realm> <name> [--group PARENT]...  group get|delete <realm> <name>  group list <realm>
  grant create <realm> --permission P[,P…]... --uri U [--match exact|prefix|wildcard] --to PRINCIPAL
  grant revoke <realm> (--id ID | --uri U [--match M] --to PRINCIPAL [--permission P]...)
  grant list <realm>
  source add <realm> --cidr C --authmethod M[,M…] --to PRINCIPAL
  source delete <realm> --cidr C --to PRINCIPAL    source list <realm>
  source match <realm> <address> [authid]
  ticket issue <realm> [--ttl SECONDS]          a ticket for the logged-in authid on <realm>
  ticket revoke <realm> <ticket>                ticket revoke-all <realm> [authid]

  PRINCIPAL: all | anonymous | user:<authid> | group:<name>
  Permissions: wamp.call wamp.register wamp.publish wamp.subscribe wamp.cancel wamp.unregister
               wamp.unsubscribe wamp.disclose_caller wamp.disclose_publisher

Connection options (environment in brackets):
  --url URL          ws://host:port/path or rawsocket://host:port  [CAUSEWAY_ADMIN_URL]
                     (default ws://127.0.0.1:8080/ws)
  --realm R          the admin realm [CAUSEWAY_ADMIN_REALM] (default causeway.admin)
  --authid A         [CAUSEWAY_ADMIN_AUTHID] (default admin)
  --admin-password P log in by wampcra [CAUSEWAY_ADMIN_PASSWORD]; --ticket T by ticket;
                     neither: by trust (the default admin user, from 127.0.0.1/::1 only)

Prints the result as JSON and exits 0; on failure prints the error URI and message, exits 1
(2 for usage errors).
`;

type Env = (name: string) => string | undefined;

/** Splits argv into positionals and flags (repeatable flags collect; "a,b" lists split on commas). */
function split(argv: string[]): { pos: string[]; flags: Map<string, string[]> } | string {
  const pos: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") { flags.set("help", ["1"]); continue; }
    if (!a.startsWith("--")) { pos.push(a); continue; }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq > 0 ? eq : undefined);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) return `--${name} needs a value`;
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { pos, flags };
}

const PRINCIPAL = /^(all|anonymous|user:.+|group:.+)$/;

export function parseAdminArgs(argv: string[], env: Env = () => undefined): AdminCommand {
  const s = split(argv);
  if (typeof s === "string") return { kind: "error", message: s };
  const { pos, flags } = s;
  if (flags.has("help") || pos.length === 0) return { kind: "help" };
  const one = (n: string) => flags.get(n)?.at(-1);
  const list = (n: string) => (flags.get(n) ?? []).flatMap((v) => v.split(",")).filter((v) => v !== "");
  const conn: AdminConnection = {
    url: one("url") ?? env("CAUSEWAY_ADMIN_URL") ?? "ws://127.0.0.1:8080/ws",
    realm: one("realm") ?? env("CAUSEWAY_ADMIN_REALM") ?? "causeway.admin",
    authid: one("authid") ?? env("CAUSEWAY_ADMIN_AUTHID") ?? "admin",
  };
  const pw = one("admin-password") ?? env("CAUSEWAY_ADMIN_PASSWORD");
  if (pw !== undefined) conn.password = pw;
  if (one("ticket") !== undefined) conn.ticket = one("ticket");
  const call = (procedure: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): AdminCommand =>
    ({ kind: "call", procedure, args, kwargs, conn });
  const need = (n: number, usage: string): string | undefined => (pos.length < n ? `usage: causeway admin ${usage}` : undefined);
  const principal = (v: string | undefined): string | undefined => (v !== undefined && PRINCIPAL.test(v) ? v : undefined);
  const err = (message: string): AdminCommand => ({ kind: "error", message });
  const [group, verb, a1, a2, a3] = pos;
  const key = group === "call" ? "call" : `${group} ${verb ?? ""}`.trim();
  let u: string | undefined;
  switch (key) {
    case "ping": return call("bondy.ping");
    case "session self": return call("bondy.session.self");
    case "call": {
      if ((u = need(2, "call <procedure> [json-args] [json-kwargs]"))) return err(u);
      try {
        const args = a1 === undefined ? [] : JSON.parse(a1);
        const kwargs = a2 === undefined ? {} : JSON.parse(a2);
        if (!Array.isArray(args)) return err("json-args must be a JSON array, e.g. '[\"realm1\"]'");
        if (typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs)) return err("json-kwargs must be a JSON object");
        return call(verb, args, kwargs);
      } catch (e) {
        return err(`invalid JSON: ${(e as Error).message}`);
      }
    }
    case "realm create": {
      if ((u = need(3, "realm create <uri>"))) return err(u);
      const body: Record<string, unknown> = { uri: a1 };
      const sec = one("security");
      if (sec !== undefined) {
        if (sec !== "on" && sec !== "off") return err("--security takes on or off");
        body.security_enabled = sec === "on";
      }
      if (flags.has("authmethods")) body.authmethods = list("authmethods");
      if (one("prototype")) body.prototype_uri = one("prototype");
      return call("bondy.realm.create", [body]);
    }
    case "realm list": return call("bondy.realm.list");
    case "realm get": case "realm delete":
      if ((u = need(3, `${key} <uri>`))) return err(u);
      return call(`bondy.realm.${verb}`, [a1]);
    case "realm security":
      if (!["enable", "disable", "status"].includes(a1 ?? "") || a2 === undefined) return err("usage: causeway admin realm security enable|disable|status <uri>");
      return call(`bondy.realm.security.${a1}`, [a2]);
    case "user add": {
      if ((u = need(4, "user add <realm> <authid> [--password P] [--group G]"))) return err(u);
      const body: Record<string, unknown> = { authid: a2 };
      if (one("password") !== undefined) body.password = one("password");
      if (flags.has("group")) body.groups = list("group");
      if (one("authrole")) body.authrole = one("authrole");
      if (flags.has("key")) body.authorized_keys = list("key");
      if (flags.has("static-ticket")) body.tickets = flags.get("static-ticket");
      return call("bondy.user.add", [a1, body]);
    }
    case "user list": case "group list": case "grant list": case "source list":
      if ((u = need(3, `${key} <realm>`))) return err(u);
      return call(`bondy.${group}.list`, [a1]);
    case "user get": case "user delete": case "user enable": case "user disable":
    case "group get": case "group delete":
      if ((u = need(4, `${key} <realm> <name>`))) return err(u);
      return call(`bondy.${group}.${verb}`, [a1, a2]);
    case "user passwd":
      if ((u = need(4, "user passwd <realm> <authid> --password NEW [--old OLD]"))) return err(u);
      if (one("password") === undefined) return err("user passwd needs --password NEW");
      return call("bondy.user.change_password", [a1, a2, one("password"), ...(one("old") !== undefined ? [one("old")] : [])]);
    case "user add-group": case "user remove-group":
      if ((u = need(5, `${key} <realm> <authid> <group>`))) return err(u);
      return call(`bondy.user.${verb.replace("-", "_")}`, [a1, a2, a3]);
    case "group add": {
      if ((u = need(4, "group add <realm> <name> [--group PARENT]"))) return err(u);
      return call("bondy.group.add", [a1, { name: a2, ...(flags.has("group") ? { groups: list("group") } : {}) }]);
    }
    case "grant create": {
      if ((u = need(3, "grant create <realm> --permission P --uri U [--match M] --to PRINCIPAL"))) return err(u);
      const to = principal(one("to"));
      if (!flags.has("permission") || !one("uri") || !to) return err("grant create needs --permission, --uri and --to (all | anonymous | user:<authid> | group:<name>)");
      return call("bondy.grant.create", [a1, { permissions: list("permission"), uri: one("uri"), match: one("match") ?? "exact", to }]);
    }
    case "grant revoke": {
      if ((u = need(3, "grant revoke <realm> (--id ID | --uri U --to PRINCIPAL)"))) return err(u);
      if (one("id")) return call("bondy.grant.revoke", [a1, { id: one("id") }]);
      const to = principal(one("to"));
      if (!one("uri") || !to) return err("grant revoke needs --id, or --uri and --to (with optional --match and --permission)");
      return call("bondy.grant.revoke", [a1, { uri: one("uri"), match: one("match") ?? "exact", to, ...(flags.has("permission") ? { permissions: list("permission") } : {}) }]);
    }
    case "source add": case "source delete": {
      if ((u = need(3, `${key} <realm> --cidr C --to PRINCIPAL`))) return err(u);
      const to = principal(one("to"));
      if (!one("cidr") || !to) return err(`${key} needs --cidr and --to`);
      if (verb === "delete") return call("bondy.source.delete", [a1, { cidr: one("cidr"), to }]);
      if (!flags.has("authmethod")) return err("source add needs --authmethod");
      return call("bondy.source.add", [a1, { cidr: one("cidr"), authmethods: list("authmethod"), to }]);
    }
    case "source match":
      if ((u = need(4, "source match <realm> <address> [authid]"))) return err(u);
      return call("bondy.source.match", a3 === undefined ? [a1, a2] : [a1, a2, a3]);
    case "ticket issue":
      if ((u = need(3, "ticket issue <realm> [--ttl SECONDS]"))) return err(u);
      return call("bondy.ticket.issue", [a1, one("ttl") ? { expiry_time_secs: Number(one("ttl")) } : {}]);
    case "ticket revoke":
      if ((u = need(4, "ticket revoke <realm> <ticket>"))) return err(u);
      return call("bondy.ticket.revoke", [a1, a2]);
    case "ticket revoke-all":
      if ((u = need(3, "ticket revoke-all <realm> [authid]"))) return err(u);
      return call("bondy.ticket.revoke_all", a2 === undefined ? [a1] : [a1, a2]);
  }
  return err(`unknown admin command "${pos.join(" ")}" (see causeway admin --help)`);
}
