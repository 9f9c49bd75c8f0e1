// Tickets, CSRF tokens and users (pmg-api PMG/Ticket.pm, API2/AccessControl.pm, HTTPServer.pm
// auth_handler; pve-common PVE/Ticket.pm). Tickets are "PMG:<userid>:<8 HEX time>::<base64 sig>",
// signed here with HMAC-SHA256 under a per-server key instead of PMG's RSA key: just as unforgeable.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { PmgError } from "./errors";
import { perlTrue } from "./perl";

export const TICKET_MIN_AGE = -300;
export const TICKET_MAX_AGE = 7200;

export interface PmgUser {
  userid: string;
  password: string;
  role: string;
}

function hex8(t: number): string {
  return Math.floor(t).toString(16).toUpperCase().padStart(8, "0");
}

export class Authority {
  private ticketKey = randomBytes(32);
  private readonly csrfKey = randomBytes(32);
  readonly users = new Map<string, PmgUser>();

  constructor(private readonly now: () => number) {}

  /** Invalidates every ticket issued so far (new signing key). */
  rotateTicketKey(): void {
    this.ticketKey = randomBytes(32);
  }

  private sign(plain: string): Buffer {
    return createHmac("sha256", this.ticketKey).update(plain).digest();
  }

  assembleTicket(userid: string): string {
    const plain = `PMG:${userid}:${hex8(this.now())}`;
    return `${plain}::${this.sign(plain).toString("base64")}`;
  }

  /** PVE::Ticket::verify_rsa_ticket with PMG's lifetimes; null instead of the 401 when `noerr`. */
  verifyTicket(ticket: string | undefined): string | null {
    const m = /^(PMG:\S+)::([^:\s]+)\n?$/.exec(ticket ?? "");
    if (m) {
      const expected = this.sign(m[1]);
      const given = Buffer.from(m[2], "base64");
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        const p = /^PMG:(?:(\S+):)?([A-Z0-9]{8})$/.exec(m[1]);
        if (p) {
          const age = this.now() - parseInt(p[2], 16);
          if (age > TICKET_MIN_AGE && age < TICKET_MAX_AGE && p[1] !== undefined) return p[1];
        }
      }
    }
    return null;
  }

  private csrfDigest(timestamp: string, userid: string): string {
    return createHmac("sha256", this.csrfKey)
      .update(`${timestamp}:${userid}`)
      .digest("base64")
      .replace(/=+$/, "");
  }

  assembleCsrfToken(userid: string): string {
    const ts = hex8(this.now());
    return `${ts}:${this.csrfDigest(ts, userid)}`;
  }

  verifyCsrfToken(userid: string, token: string | undefined): boolean {
    const m = /^([A-Z0-9]{8}):(\S+)\n?$/.exec(token ?? "");
    if (!m) return false;
    const age = this.now() - parseInt(m[1], 16);
    return this.csrfDigest(m[1], userid) === m[2] && age > TICKET_MIN_AGE && age < TICKET_MAX_AGE;
  }

  /** PMG::AccessControl::check_user_enabled: the user's role, or an error. */
  checkUserEnabled(userid: string): string {
    const user = this.users.get(userid);
    if (!user) throw new Error(`no such user ('${userid}')\n`);
    return user.role;
  }
}

/** The value of PMGAuthCookie in a Cookie or Authorization header (Formatter::extract_auth_value). */
export function extractAuthValue(header: string | undefined, key: string): string | undefined {
  if (!header) return undefined;
  const m = new RegExp(`(?:^|\\s)${key}(?:=| )([^;]*)`).exec(header);
  if (!m) return undefined;
  return perlTrue(m[1]) ? unescapeBytes(m[1]) : m[1];
}

/** URI::Escape::uri_unescape: %XX to bytes, then read as UTF-8 (ASCII unchanged). */
export function unescapeBytes(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The unauthenticated calls (auth_handler's explicit exceptions). */
export function requiresAuth(method: string, relUri: string): boolean {
  if (relUri === "/access/ticket" && (method === "GET" || method === "POST")) return false;
  if (relUri === "/access/domains" && method === "GET") return false;
  if (relUri === "/access/auth-realm" && method === "GET") return false;
  return true;
}

/** Checks ticket and CSRF token; returns the user id or throws the 401 the real server sends. */
export function authenticate(
  authority: Authority,
  method: string,
  headers: { cookie?: string; authorization?: string; csrf?: string },
): { userid: string; role: string } {
  let ticket = extractAuthValue(headers.cookie, "PMGAuthCookie");
  if (!perlTrue(ticket)) ticket = extractAuthValue(headers.authorization, "PMGAuthCookie");
  if (ticket === undefined || !perlTrue(ticket)) {
    if (headers.authorization && /^(?:PVE|PMG)APIToken[= ]/.test(headers.authorization)) {
      throw new PmgError(401, "API tokens not implemented\n");
    }
    throw new PmgError(401, "No ticket\n");
  }
  if (/^PMGQUAR:/.test(ticket)) throw new PmgError(401, "permission denied - invalid PMGQUAR ticket\n");
  const userid = authority.verifyTicket(ticket);
  if (userid === null) throw new PmgError(401, "permission denied - invalid PMG ticket\n");
  let role: string;
  try {
    role = authority.checkUserEnabled(userid);
  } catch (e) {
    throw new PmgError(401, (e as Error).message);
  }
  if (method !== "GET" && !authority.verifyCsrfToken(userid, headers.csrf)) {
    throw new PmgError(401, "Permission denied - invalid csrf token\n");
  }
  return { userid, role };
}
