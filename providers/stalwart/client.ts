/**
 * Connects to a Stalwart server and picks its management API once (README §11, jmap-0.16.md §6):
 *  - without credentials, `GET /api/principal` is 401 on 0.10-0.15 (every /api call authenticates
 *    first) and 404 on 0.16+ (the route is gone, and unknown /api paths are 404 before auth);
 *  - when something else answers (a proxy in front), the authenticated JMAP session decides:
 *    `urn:stalwart:jmap` in `primaryAccounts` exists only on 0.16+.
 * On REST, `POST /api/oauth` (as the webadmin does at login) tells the version apart: 0.11+ sends
 * `version`; 0.10 sends `permissions` and no version; 0.9 and older send `is_admin` instead
 * (stalwartlabs/stalwart crates/jmap/src/auth/oauth/auth.rs: v0.9.4:91-97, v0.10.7:134-140,
 * v0.11.0:134-141). Before 0.10 there are no roles (so no IMAP login for accounts we create): refused.
 */
import { StalwartVersionError } from "./errors";
import { JmapApi } from "./jmap";
import { limitsOf } from "./jmapBatch";
import { RestApi } from "./rest";
import type { ApiGeneration, StalwartApi } from "./model";
import type { HttpAnswer, StalwartTransport } from "./transport";

export async function connect(t: StalwartTransport): Promise<StalwartApi> {
  const generation = await detectGeneration(t);
  t.generation = generation;
  if (generation === "jmap") {
    const s = await t.request("GET", "/jmap/session", { idempotent: true });
    if (s.status !== 200) throw t.problem("GET", "/jmap/session", s);
    if (!managesJmap(s)) {
      throw new StalwartVersionError(
        `stalwart: ${t.endpoint} has no REST principal API and its JMAP session lacks urn:stalwart:jmap; ` +
          `homelab-mail speaks Stalwart 0.10-0.15 (REST) and 0.16+ (JMAP) only`,
      );
    }
    // The client keeps within the limits the server advertises (RFC 8620 §2, jmapBatch.ts).
    return new JmapApi(t, limitsOf(s.json));
  }
  return new RestApi(t, await restVersion(t));
}

export async function detectGeneration(t: StalwartTransport): Promise<ApiGeneration> {
  const probe = await t.request("GET", "/api/principal", { authenticate: false, idempotent: true });
  if (probe.status === 401) return "rest";
  if (probe.status === 404) return "jmap";
  const session = await t.request("GET", "/jmap/session", { idempotent: true });
  if (session.status === 401 || session.status === 403) throw t.problem("GET", "/jmap/session", session);
  if (session.status === 200 && managesJmap(session)) return "jmap";
  const listed = await t.request("GET", "/api/principal?limit=1", { idempotent: true });
  if (listed.status === 200 && (listed.json as { data?: unknown } | undefined)?.data !== undefined)
    return "rest";
  throw new StalwartVersionError(
    `stalwart: cannot tell which management API ${t.endpoint} speaks: GET /api/principal without credentials ` +
      `answered ${probe.status} (Stalwart answers 401 up to 0.15, 404 from 0.16). Check homelab-mail:stalwart.endpoint: ` +
      `it must be Stalwart's HTTP listener (for example http://mail.lab:8080), not a web UI or proxy login page`,
  );
}

function managesJmap(a: HttpAnswer): boolean {
  const primary = (a.json as { primaryAccounts?: Record<string, unknown> } | undefined)?.primaryAccounts;
  return !!primary && typeof primary === "object" && "urn:stalwart:jmap" in primary;
}

async function restVersion(t: StalwartTransport): Promise<string | undefined> {
  const body = { type: "code", client_id: "webadmin", redirect_uri: "stalwart://auth" };
  const a = await t.request("POST", "/api/oauth", { body, idempotent: false });
  if (a.status === 401) throw t.problem("POST", "/api/oauth", a);
  // An API key without authenticate-oauth gets 403 here: the version is only informative then.
  const data = (a.json as { data?: Record<string, unknown> } | undefined)?.data;
  const version = data?.version;
  if (data && typeof version !== "string" && "is_admin" in data && !("permissions" in data)) {
    throw new StalwartVersionError(
      `stalwart: ${t.endpoint} runs Stalwart 0.9 or older (its login answers is_admin, which 0.10 replaced with permissions); ` +
        `homelab-mail needs 0.10 or later (roles decide who may log in), so upgrade Stalwart`,
    );
  }
  if (typeof version !== "string") return undefined;
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (m && Number(m[1]) === 0 && Number(m[2]) < 10) {
    throw new StalwartVersionError(
      `stalwart: ${t.endpoint} runs Stalwart ${version}; homelab-mail needs 0.10 or later (roles decide who may log in), so upgrade Stalwart`,
    );
  }
  return version;
}
