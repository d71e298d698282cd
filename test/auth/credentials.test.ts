import { describe, expect, test } from "bun:test";
import { craDerivedKey, derivePasswordCredentials, deriveTicketCredential, verifyPassword, verifyTicket } from "../../src/auth/mod.ts";
import { CHEAP, craSign } from "./_auth_harness.ts";

describe("credentials", () => {
  test("password credentials verify the password and nothing else, with per-user salts", () => {
    const a = derivePasswordCredentials("s3cret", CHEAP);
    const b = derivePasswordCredentials("s3cret", CHEAP);
    expect(verifyPassword(a, "s3cret")).toBe(true);
    expect(verifyPassword(a, "s3cret ")).toBe(false);
    expect(verifyPassword(undefined, "s3cret")).toBe(false);
    expect(a.pbkdf2!.salt).not.toBe(b.pbkdf2!.salt);
    expect(a.scram!.salt).not.toBe(b.scram!.salt);
    expect(a.cra!.salt).not.toBe(b.cra!.salt);
    expect(JSON.stringify(a)).not.toContain("s3cret");
  });

  test("the WAMP-CRA salted key equals Autobahn's derive_key, and signatures match compute_wcs", () => {
    // Vectors computed with python3-autobahn 22.7: derive_key('secret', 'salt123', 100, 32), compute_wcs.
    const key = craDerivedKey("secret", "salt123", 100, 32);
    expect(key).toBe("EX1Y3Q9BMM2oGLxsGqDgFeuqtPMf7Wz8Lh6PotZ62ho=");
    expect(craSign(key, '{"x":1}')).toBe("0ypMo8MAXC2mXi3hstkFTOYj1+hUiqol2i65kd335CM=");
    expect(craSign("secret", '{"x":1}')).toBe("g4MHQ9hlJ/8bfiUTKOVrBw8seQyoEZm99cMf9l/JGes=");
  });

  test("scram credentials carry the KDF parameters and keys of the spec, pbkdf2 on request", () => {
    const a = derivePasswordCredentials("pw", CHEAP).scram!;
    expect(Object.keys(a).sort()).toEqual(["draftServerKey", "draftStoredKey", "iterations", "kdf", "memory", "salt", "serverKey", "storedKey"]);
    expect(a.kdf).toBe("argon2id13");
    expect(a.memory).toBe(64);
    const p = derivePasswordCredentials("pw", { ...CHEAP, scramKdf: "pbkdf2", scramIterations: 20 }).scram!;
    expect([p.kdf, p.iterations, p.memory]).toEqual(["pbkdf2", 20, null]);
  });

  test("static tickets verify hashed, and not after they expire", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const t = deriveTicketCredential("tkt", { iterations: 5, expires: "2026-01-02T00:00:00Z" });
    expect(JSON.stringify(t)).not.toContain('"tkt"');
    expect(verifyTicket([t], "tkt", now)).toBe(true);
    expect(verifyTicket([t], "tkx", now)).toBe(false);
    expect(verifyTicket([t], "tkt", Date.parse("2026-01-03T00:00:00Z"))).toBe(false);
  });
});
