import { array, nonempty, object, optional, record, string, unknown } from "superstruct";
import { validateGroup } from "../rbac/mod.ts";
import type { GroupRecord } from "../store/security_records.ts";
import type { AdminContext } from "./admin_api.ts";
import { AdminError, ALREADY_EXISTS, type AdminCall, type AdminProcedures, bodyArg, invalid, NOT_FOUND, textArg } from "./admin_procedure.ts";
import { knownRealm } from "./admin_realm_procedures.ts";

const GroupFields = { groups: optional(array(nonempty(string()))), meta: optional(record(string(), unknown())) };
const GroupAdd = object({ name: nonempty(string()), ...GroupFields });
const GroupUpdate = object(GroupFields);

const groupView = (g: GroupRecord) => ({ name: g.name, groups: [...g.groups], meta: { ...g.meta } });

export function groupProcedures(ctx: AdminContext): AdminProcedures {
  const { repo } = ctx;
  const knownGroup = (call: AdminCall) => {
    const realm = knownRealm(ctx, call.args).uri;
    const name = textArg(call, 1, "group name");
    const g = repo.group(realm, name);
    if (!g) throw new AdminError(NOT_FOUND.group, `no group "${name}" in realm "${realm}"`);
    return { realm, g };
  };
  const write = (realm: string, g: GroupRecord, event: string) => {
    const problem = validateGroup(repo, realm, g);
    if (problem) throw invalid(problem);
    repo.putGroup(realm, g);
    ctx.publish(event, [realm, g.name]);
    return groupView(g);
  };
  const nested = (call: AdminCall, f: (gs: string[], name: string) => string[]) => {
    const { realm, g } = knownGroup(call);
    const other = textArg(call, 2, "group");
    return write(realm, { ...g, groups: f([...g.groups], other) }, "bondy.group.updated");
  };
  return {
    "bondy.group.add": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const b = bodyArg(call, 1, "group", GroupAdd);
      if (repo.group(realm, b.name)) throw new AdminError(ALREADY_EXISTS, `group "${b.name}" already exists in realm "${realm}"`);
      return write(realm, { name: b.name, groups: b.groups ?? [], meta: b.meta ?? {} }, "bondy.group.added");
    },
    "bondy.group.get": (call) => groupView(knownGroup(call).g),
    "bondy.group.list": (call) => repo.groups(knownRealm(ctx, call.args).uri).map(groupView),
    "bondy.group.update": (call) => {
      const { realm, g } = knownGroup(call);
      const b = bodyArg(call, 2, "changes", GroupUpdate);
      return write(realm, { ...g, ...(b.groups ? { groups: b.groups } : {}), ...(b.meta ? { meta: b.meta } : {}) }, "bondy.group.updated");
    },
    "bondy.group.delete": (call) => {
      const { realm, g } = knownGroup(call);
      const members = [
        ...repo.users(realm).filter((u) => u.groups.includes(g.name)).map((u) => `user ${u.authid}`),
        ...repo.groups(realm).filter((x) => x.groups.includes(g.name)).map((x) => `group ${x.name}`),
      ];
      if (members.length > 0) throw invalid(`group "${g.name}" still has members: ${members.join(", ")}`);
      repo.deleteGroup(realm, g.name);
      ctx.publish("bondy.group.deleted", [realm, g.name]);
      return undefined;
    },
    "bondy.group.add_group": (call) => nested(call, (gs, n) => (gs.includes(n) ? gs : [...gs, n])),
    "bondy.group.remove_group": (call) => nested(call, (gs, n) => gs.filter((x) => x !== n)),
  };
}
