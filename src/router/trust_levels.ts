import type { Session } from "./session.ts";

/**
 * WAMP "Call Trust Levels" / "Publication Trust Levels": the router assigns a trust level by
 * configuration, here per authrole of the caller or publisher (realm key `trustLevels`, e.g.
 * {"backend": 2, "anonymous": 0}). A role the realm does not list gets no trustlevel at all,
 * so realms without the setting send exactly what they sent before.
 */
export type TrustLevels = Readonly<Record<string, number>>;

export function trustLevelOf(session: Session | undefined, levels: TrustLevels | undefined): number | undefined {
  if (!session || !levels) return undefined;
  const level = levels[session.authrole];
  return typeof level === "number" ? level : undefined;
}
