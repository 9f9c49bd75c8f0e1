/** `homelab-mail:pmg` (API and SSH) and `homelab-mail:fetchmail`. */
import * as v from "../validate";
import { smarthostPortProblem } from "../../providers/pmghost/tlsPolicy";
import { validatePmgComments } from "./labels";
import { hostPort, type Problems, type Raw } from "./problems";
import { envelopeProblem } from "../../providers/pmghost/fetchmailrc";
import { validateTrustedNetworks } from "./trustedNetworks";
import type { FetchmailConfig, PmgConfig, RoutingConfig } from "./types";

export function stalwartHost(stalwart: { readonly endpoint: string } | undefined): string | undefined {
  try {
    return stalwart ? new URL(stalwart.endpoint).hostname.replace(/^\[|\]$/g, "") : undefined;
  } catch {
    return undefined;
  }
}

export function validatePmg(
  p: Problems,
  value: unknown,
  transportHost: string | undefined,
  domains: string[] = [],
): PmgConfig | undefined {
  const o = p.object("pmg", value);
  if (!o) return undefined;
  p.unknownKeys("pmg", o, [
    "endpoint",
    "username",
    "tlsFingerprint",
    "trustedNetworks",
    "acknowledgePublicNetworks",
    "smarthost",
    "transport",
    "dkim",
    "comments",
    "ssh",
  ]);
  p.check("pmg.endpoint", o.endpoint, (x) => v.endpoint(x));
  const username = p.string("pmg.username", o.username) ?? "";
  if (username && !/^[^\s@:]+@[A-Za-z][A-Za-z0-9._-]*$/.test(username)) {
    p.add(
      "pmg.username",
      `"${username}" has no realm; PMG appends @quarantine to bare names, so write root@pam or name@pmg`,
    );
  }
  if (o.tlsFingerprint !== undefined) p.check("pmg.tlsFingerprint", o.tlsFingerprint, v.sha256Fingerprint);
  const { trustedNetworks, acknowledgePublicNetworks } = validateTrustedNetworks(
    p,
    o.trustedNetworks,
    o.acknowledgePublicNetworks,
  );
  const smarthostHp = hostPort(p, "pmg.smarthost", o.smarthost);
  const smarthostPort = smarthostPortProblem(smarthostHp?.port);
  if (smarthostPort) p.add("pmg.smarthost.port", smarthostPort);
  const smarthostUser = (o.smarthost as Raw | undefined)?.user;
  if (smarthostUser !== undefined) p.check("pmg.smarthost.user", smarthostUser, v.email);
  const smarthost =
    smarthostHp &&
    (smarthostUser === undefined ? smarthostHp : { ...smarthostHp, user: String(smarthostUser) });
  // Stalwart's SMTP listener is on the host of its management endpoint unless said otherwise.
  const transportHp = hostPort(p, "pmg.transport", o.transport, { host: transportHost, port: 25 });
  const protocol = (o.transport as Raw | undefined)?.protocol ?? "smtp";
  if (protocol !== "smtp" && protocol !== "lmtp") p.add("pmg.transport.protocol", "must be smtp or lmtp");
  const dkimRaw = p.object("pmg.dkim", o.dkim);
  const dkim = {
    selector: String(dkimRaw?.selector).toLowerCase(),
    keySize: Number(dkimRaw?.keySize ?? 2048),
  };
  if (dkimRaw) {
    p.check("pmg.dkim.selector", dkimRaw.selector, v.dkimSelector);
    p.check("pmg.dkim.keySize", dkimRaw.keySize ?? 2048, v.dkimKeySize);
  }
  const comments = validatePmgComments(p, o.comments, trustedNetworks, domains);
  const ssh = validateSsh(p, o.ssh);
  if (!smarthost || !transportHp || !dkimRaw) return undefined;
  return {
    endpoint: String(o.endpoint),
    username,
    tlsFingerprint: o.tlsFingerprint as string | undefined,
    trustedNetworks,
    ...(acknowledgePublicNetworks.length > 0 ? { acknowledgePublicNetworks } : {}),
    smarthost,
    transport: { ...transportHp, protocol: protocol as "smtp" | "lmtp" },
    dkim,
    comments,
    ssh,
  };
}

function validateSsh(p: Problems, value: unknown): PmgConfig["ssh"] {
  const o = p.object("pmg.ssh", value, false);
  if (!o) return undefined;
  p.check("pmg.ssh.host", o.host, v.host);
  p.check("pmg.ssh.port", o.port ?? 22, v.port);
  const user = p.string("pmg.ssh.user", o.user);
  if (user && !/^[a-z_][a-z0-9_-]{0,31}$/.test(user))
    p.add("pmg.ssh.user", `"${user}" is not a valid Unix user name`);
  p.check("pmg.ssh.hostKey", o.hostKey, v.sshHostKey);
  return { host: String(o.host), port: Number(o.port ?? 22), user: String(user), hostKey: String(o.hostKey) };
}

export function validateFetchmail(
  p: Problems,
  value: unknown,
  domains: string[] = [],
  routing?: RoutingConfig,
): FetchmailConfig | undefined {
  const o = p.object("fetchmail", value, false);
  if (!o) return undefined;
  p.unknownKeys("fetchmail", o, [
    "server",
    "port",
    "user",
    "folder",
    "pollSeconds",
    "fallbackRecipient",
    "envelope",
  ]);
  p.check("fetchmail.server", o.server, v.host);
  p.check("fetchmail.port", o.port ?? 993, v.port);
  const user = p.string("fetchmail.user", o.user) ?? "";
  const folder = p.string("fetchmail.folder", o.folder ?? "INBOX") ?? "INBOX";
  const poll = o.pollSeconds ?? 120;
  if (typeof poll !== "number" || !Number.isInteger(poll) || poll < 30 || poll > 86400) {
    p.add(
      "fetchmail.pollSeconds",
      "must be a whole number of seconds from 30 to 86400 (Gmail throttles faster polling)",
    );
  }
  const fallbackRecipient = String(o.fallbackRecipient ?? (domains[0] ? `postmaster@${domains[0]}` : ""));
  p.check("fetchmail.fallbackRecipient", fallbackRecipient, v.email);
  const envelope = o.envelope ?? "none";
  p.check("fetchmail.envelope", envelope, envelopeProblem);
  const localNames = routing?.serviceAddresses ?? [];
  if (localNames.length === 0)
    p.add(
      "routing.serviceAddresses",
      "must list the addresses Cloudflare forwards to fetchmail.user: fetchmail delivers each fetched message to the ones it names",
    );
  if (routing && user && user.toLowerCase() !== routing.serviceDestination)
    p.add(
      "fetchmail.user",
      `is ${user} but routing.serviceDestination is ${routing.serviceDestination}: Cloudflare would forward the service addresses to a box nobody polls; make them the same`,
    );
  return {
    server: String(o.server),
    port: Number(o.port ?? 993),
    user,
    folder,
    pollSeconds: Number(poll),
    localNames,
    fallbackRecipient: fallbackRecipient.toLowerCase(),
    envelope: String(envelope),
  };
}
