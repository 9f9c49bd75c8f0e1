// /access/ticket (AccessControl.pm create_ticket) and /version (API2.pm).
import { PmgError } from "../errors";
import { param, type HandlerContext, type Route } from "../router";
import { PACKAGE_VERSION } from "../api-schema";

const REPOID: Record<number, string> = { 7: "83ca0490", 8: "553c5bbb122e", 9: "09158948b956" };

function authFailure(): PmgError {
  // "do not return any info to prevent user enumeration attacks"
  return new PmgError(401, "authentication failure\n");
}

function createTicket(ctx: HandlerContext): unknown {
  let username = param(ctx, "username") ?? "";
  if (!/@(pam|pmg|quarantine)(?=\n?$)/.test(username)) {
    username += `@${param(ctx, "realm") ?? "quarantine"}`;
  }
  if (username === "root@pmg") username = "root@pam";
  const password = param(ctx, "password") ?? "";
  const path = param(ctx, "path");
  const auth = ctx.authority;
  let role: string;
  let renewal = false;
  try {
    if (/^PMGQUAR:/.test(password)) throw new Error("invalid quarantine ticket");
    role = auth.checkUserEnabled(username);
    const tfa = param(ctx, "tfa-challenge");
    if (tfa !== undefined && tfa !== "" && tfa !== "0") throw new Error("no TFA challenge pending");
    const ticketUser = auth.verifyTicket(password);
    if (ticketUser !== null && (ticketUser === "root@pam" || ticketUser === username)) {
      renewal = true;
    } else if (auth.users.get(username)?.password !== password) {
      throw new Error("invalid credentials");
    }
  } catch {
    throw authFailure();
  }
  if (path !== undefined) return { username };
  if (renewal) ctx.counters.renewals++;
  else ctx.counters.logins++;
  return {
    role,
    ticket: auth.assembleTicket(username),
    username,
    CSRFPreventionToken: auth.assembleCsrfToken(username),
  };
}

function version(ctx: HandlerContext): unknown {
  const v = PACKAGE_VERSION[ctx.version];
  return { version: v, release: v.slice(0, 3), repoid: REPOID[ctx.version] };
}

export const accessRoutes: Route[] = [
  { path: "/access/ticket", methods: { GET: () => null, POST: createTicket } },
  { path: "/version", methods: { GET: version } },
];
