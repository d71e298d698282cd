import { isValidUri } from "../wamp/uri.ts";

export type UriCheck = "loose" | "strict";

/** A realm's URI rules: loose or strict components, and the reserved `wamp.` namespace. */
export interface UriPolicy {
  readonly mode: UriCheck;
  /** Returns a reason when `uri` may not be used as a `kind`, undefined when it may. */
  check(uri: string, kind: "procedure" | "topic"): string | undefined;
}

export function createUriPolicy(mode: UriCheck): UriPolicy {
  const strict = mode === "strict";
  return {
    mode,
    check(uri, kind) {
      if (!isValidUri(uri, { strict })) {
        return `"${uri}" is not a valid ${kind} URI (${mode} rules)`;
      }
      return undefined;
    },
  };
}
