// Authentication as Stalwart does it on /api (≤0.15) and /jmap (0.16+): Basic with a directory
// user (name trimmed and lowercased), the fallback/recovery admin, or an API key. The answers differ
// by generation: on ≤0.15 /api sends WWW-Authenticate only for a malformed header; 0.16 always sends
// both challenges (README §2, jmap-0.16.md §1).
import { problem, UNAUTHORIZED_DETAIL, type Reply } from "./http";

export type Generation = "rest" | "jmap";

export interface Caller {
  /** Login name as the server resolved it. */
  readonly name: string;
  /** The caller's account id (JMAP) or principal id (REST); the admin has u32::MAX. */
  readonly id: string;
  /** Holds every management permission (admin role, fallback admin, full API key). */
  readonly admin: boolean;
  /** Holds `authenticate` (the user role grants it; no roles at all do not). */
  readonly authenticate: boolean;
  /** A non-admin's permissions (≤0.15 kebab-case names), from its roles and enabledPermissions. */
  readonly permissions?: ReadonlySet<string>;
}

/** What each generation's store answers for Basic credentials of a directory user. */
export interface Directory {
  login(username: string, secret: string): Caller | undefined;
}

export interface AuthConfig {
  admin: { username: string; password: string };
  /** Full `Authorization` values of API keys (`Bearer api_…` / `Bearer API_…`), all with admin rights. */
  apiKeys: Set<string>;
  /** REST API keys also work as Basic `keyname:secret`. */
  apiKeyBasic: Map<string, string>;
}

export type AuthResult = { ok: true; caller: Caller } | { ok: false; reply: Reply; counted: boolean };

/** The fallback (≤0.15) or recovery (0.16) admin: principal id u32::MAX, "d333333" as a JMAP id. */
const ADMIN_ID = { rest: "4294967295", jmap: "d333333" };

function unauthorized(gen: Generation, challenge: boolean): Reply {
  const headers =
    gen === "jmap" || challenge
      ? {
          "www-authenticate": [
            gen === "jmap"
              ? 'Bearer realm="Stalwart Server", resource_metadata="/.well-known/oauth-protected-resource"'
              : 'Bearer realm="Stalwart Server"',
            'Basic realm="Stalwart Server"',
          ],
        }
      : undefined;
  return problem(401, "Unauthorized", UNAUTHORIZED_DETAIL, {}, headers);
}

export function authenticate(
  gen: Generation,
  header: string | undefined,
  cfg: AuthConfig,
  dir: Directory,
  onApi = true,
): AuthResult {
  const fail = (challenge: boolean): AuthResult => ({
    ok: false,
    reply: unauthorized(gen, challenge),
    counted: true,
  });
  if (!header) return fail(false);
  const m = /^(\S+)\s+(.+)$/.exec(header.trim());
  if (!m) return fail(true);
  const scheme = m[1].toLowerCase();
  if (scheme === "bearer") {
    // ≤0.15 decodes `api_<base64(name:secret)>` only on /api (allow_api_access, crates/http/src/auth/
    // authenticate.rs:162-171 at v0.15.5; request.rs passes true only for "api", :392): elsewhere it is
    // an OAuth token that does not exist.
    if (gen === "rest" && !onApi && m[2].startsWith("api_")) return fail(false);
    if (cfg.apiKeys.has(`Bearer ${m[2]}`))
      return { ok: true, caller: { name: "api-key", id: ADMIN_ID[gen], admin: true, authenticate: true } };
    return fail(false);
  }
  if (scheme !== "basic") return fail(true);
  const decoded = Buffer.from(m[2], "base64").toString("utf8");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(m[2]) || !decoded.includes(":")) return fail(true);
  const colon = decoded.indexOf(":");
  const username = decoded.slice(0, colon).trim().toLowerCase();
  const secret = decoded.slice(colon + 1);
  // 0.16 checks the recovery admin before the directory; ≤0.15 tries the fallback admin after it.
  const admin = username === cfg.admin.username.toLowerCase() && secret === cfg.admin.password;
  if (gen === "jmap" && admin)
    return { ok: true, caller: { name: username, id: ADMIN_ID[gen], admin: true, authenticate: true } };
  const user = dir.login(username, secret);
  if (user) return { ok: true, caller: user };
  if (admin)
    return { ok: true, caller: { name: username, id: ADMIN_ID[gen], admin: true, authenticate: true } };
  if (gen === "rest" && cfg.apiKeyBasic.get(username) === secret) {
    return { ok: true, caller: { name: username, id: ADMIN_ID[gen], admin: true, authenticate: true } };
  }
  return fail(false);
}
