import { array, boolean, nonempty, object, optional, pattern, record, size, string, unknown } from "superstruct";
import { verifyPassword } from "../auth/mod.ts";
import { validateUserGroups } from "../rbac/mod.ts";
import type { UserRecord } from "../store/security_records.ts";
import type { AdminContext } from "./admin_api.ts";
import { AdminError, ALREADY_EXISTS, type AdminCall, type AdminProcedures, bodyArg, invalid, NOT_FOUND, textArg } from "./admin_procedure.ts";
import { knownRealm } from "./admin_realm_procedures.ts";

const password = size(string(), 6, 1024);
const hexKey = pattern(string(), /^[0-9a-fA-F]{64}$/);
const UserFields = {
  password: optional(password),
  groups: optional(array(nonempty(string()))),
  authrole: optional(nonempty(string())),
  enabled: optional(boolean()),
  meta: optional(record(string(), unknown())),
  authorized_keys: optional(array(hexKey)),
  /** Static tickets (ticket method), stored only as derived hashes. */
  tickets: optional(array(size(string(), 8, 4096))),
  /**
   * false: wampcra signs with the password itself (no salt in CHALLENGE.extra), so the clear
   * password is stored for that method — a password-equivalent secret. Default true (salted).
   */
  wampcra_salted: optional(boolean()),
};
// Bondy names the authid "username"; both are accepted.
const UserAdd = object({ authid: optional(nonempty(string())), username: optional(nonempty(string())), ...UserFields });
const UserUpdate = object(UserFields);

/** A user as the API shows it: never credentials, only which kinds are set. */
export function userView(u: UserRecord): Record<string, unknown> {
  const kinds: string[] = [];
  if (u.credentials.password) kinds.push("password");
  if (u.credentials.tickets?.length) kinds.push("ticket");
  if (u.credentials.authorizedKeys?.length) kinds.push("cryptosign");
  return {
    authid: u.authid, groups: [...u.groups], enabled: u.enabled,
    ...(u.authrole ? { authrole: u.authrole } : {}), meta: { ...u.meta }, credentials: kinds,
  };
}

/** Whether the user's wampcra key is salted (no password yet counts as the default, salted). */
function isCraSalted(u: UserRecord): boolean {
  const cra = u.credentials.password?.cra;
  return !cra || typeof cra.salt === "string";
}

function groupList(call: AdminCall, i: number): string[] {
  const v = call.args[i];
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((g) => typeof g === "string" && g !== "")) {
    throw invalid(`Arguments[${i}] (groups) must be a group name or a non-empty list of group names`);
  }
  return list as string[];
}

export function userProcedures(ctx: AdminContext): AdminProcedures {
  const { repo } = ctx;
  /** Derived credentials for whichever secrets the body sets (never kept in clear). */
  const secrets = (
    b: { password?: string; authorized_keys?: string[]; tickets?: string[]; wampcra_salted?: boolean },
    current?: UserRecord,
  ): Partial<UserRecord["credentials"]> => {
    if (b.tickets && !ctx.deriveTicket) throw invalid("tickets: this router cannot store static tickets");
    if (b.wampcra_salted !== undefined && b.password === undefined) throw invalid("wampcra_salted: needs the password it applies to");
    // An update without wampcra_salted keeps the user's current kind of wampcra key.
    const salted = b.wampcra_salted ?? (current ? isCraSalted(current) : true);
    return {
      ...(b.password !== undefined ? { password: ctx.derivePassword(b.password, salted ? {} : { craUnsalted: true }) } : {}),
      ...(b.authorized_keys ? { authorizedKeys: b.authorized_keys.map((k) => k.toLowerCase()) } : {}),
      ...(b.tickets ? { tickets: b.tickets.map((t) => ctx.deriveTicket!(t)) } : {}),
    };
  };
  const knownUser = (call: AdminCall) => {
    const realm = knownRealm(ctx, call.args).uri;
    const authid = textArg(call, 1, "authid");
    const u = repo.user(realm, authid);
    if (!u) throw new AdminError(NOT_FOUND.user, `no user "${authid}" in realm "${realm}"`);
    return { realm, u };
  };
  const write = (realm: string, next: UserRecord, event: string) => {
    const problem = validateUserGroups(repo, realm, next);
    if (problem) throw invalid(`groups: ${problem}`);
    repo.putUser(realm, next);
    ctx.publish(event, [realm, next.authid]);
    return userView(next);
  };
  const setGroups = (call: AdminCall, f: (groups: string[], change: string[]) => string[]) => {
    const { realm, u } = knownUser(call);
    return write(realm, { ...u, groups: f([...u.groups], groupList(call, 2)) }, "bondy.user.updated");
  };
  const setEnabled = (call: AdminCall, enabled: boolean) => {
    const { realm, u } = knownUser(call);
    return write(realm, { ...u, enabled }, "bondy.user.updated");
  };
  return {
    "bondy.user.add": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const b = bodyArg(call, 1, "user", UserAdd);
      const authid = b.authid ?? b.username;
      if (authid === undefined) throw invalid("Arguments[1] (user).authid is required (or username, as in Bondy)");
      if (b.authid !== undefined && b.username !== undefined && b.authid !== b.username) throw invalid("Arguments[1] (user): authid and username differ");
      if (repo.user(realm, authid)) throw new AdminError(ALREADY_EXISTS, `user "${authid}" already exists in realm "${realm}"`);
      const u: UserRecord = {
        authid, groups: b.groups ?? [], enabled: b.enabled ?? true, meta: b.meta ?? {},
        credentials: {
          ...secrets(b),
        },
      };
      if (b.authrole) u.authrole = b.authrole;
      return write(realm, u, "bondy.user.added");
    },
    "bondy.user.get": (call) => userView(knownUser(call).u),
    "bondy.user.list": (call) => repo.users(knownRealm(ctx, call.args).uri).map(userView),
    "bondy.user.update": (call) => {
      const { realm, u } = knownUser(call);
      const b = bodyArg(call, 2, "changes", UserUpdate);
      const next: UserRecord = {
        ...u,
        ...(b.groups ? { groups: b.groups } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        ...(b.meta ? { meta: b.meta } : {}),
        ...(b.authrole ? { authrole: b.authrole } : {}),
        credentials: {
          ...u.credentials,
          ...secrets(b, u),
        },
      };
      return write(realm, next, "bondy.user.updated");
    },
    "bondy.user.delete": (call) => {
      const { realm, u } = knownUser(call);
      repo.deleteUser(realm, u.authid);
      ctx.publish("bondy.user.deleted", [realm, u.authid]);
      return undefined;
    },
    "bondy.user.change_password": (call) => {
      const { realm, u } = knownUser(call);
      const next = call.args[2];
      if (typeof next !== "string" || next.length < 6) throw invalid("Arguments[2] (new_password) must be a string of at least 6 characters");
      const old = call.args[3];
      if (old !== undefined && old !== null && (typeof old !== "string" || !verifyPassword(u.credentials.password, old))) {
        throw new AdminError("bondy.error.bad_old_password", "Arguments[3] (old_password) does not match the current password");
      }
      repo.putUser(realm, { ...u, credentials: { ...u.credentials, password: ctx.derivePassword(next, isCraSalted(u) ? {} : { craUnsalted: true }) } });
      ctx.publish("bondy.user.credentials_changed", [realm, u.authid]);
      return undefined;
    },
    "bondy.user.enable": (call) => setEnabled(call, true),
    "bondy.user.disable": (call) => setEnabled(call, false),
    "bondy.user.add_group": (call) => setGroups(call, (gs, add) => [...gs, ...add.filter((g) => !gs.includes(g))]),
    "bondy.user.remove_group": (call) => setGroups(call, (gs, rm) => gs.filter((g) => !rm.includes(g))),
  };
}
