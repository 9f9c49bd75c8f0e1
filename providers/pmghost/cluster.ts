/**
 * Where this PMG host stands in a PMG cluster. PMG runs fetchmail only on the master or a
 * standalone node: on any other node `update_fetchmail_default` (pmg-api src/PMG/Fetchmail.pm)
 * writes START_DAEMON=no and unlinks /etc/fetchmailrc, whatever it is. The role comes from
 * /etc/pmg/cluster.conf as PMG reads it (src/PMG/ClusterConfig.pm: sections `master: <cid>` and
 * `node: <cid>`, each with a `name`; the local node is the one named like this host's short name,
 * PVE::INotify::nodename; no file, or no section of that name, is a standalone node).
 */
import type { HostFiles } from "./files";

export const CLUSTER_CONF = "/etc/pmg/cluster.conf";
export type ClusterRole = "standalone" | "master" | "node";

export function roleIn(conf: string | undefined, nodename: string): ClusterRole {
  let type: string | undefined;
  for (const line of (conf ?? "").split("\n")) {
    const section = /^(master|node):\s*(\d+)\s*$/.exec(line);
    if (section) type = section[1];
    const name = /^\s+name\s+(\S+)\s*$/.exec(line);
    if (name && type && name[1] === nodename) return type as ClusterRole;
  }
  return "standalone";
}

export async function clusterRole(files: HostFiles): Promise<ClusterRole> {
  const conf = await files.readText(CLUSTER_CONF);
  if (!conf?.trim()) return "standalone";
  const r = await files.client.exec("hostname");
  return roleIn(conf, r.stdout.trim().split(".")[0]);
}

export function notMasterDetail(host: string): string {
  return (
    `pmghost: ${host} is a node of a PMG cluster, not its master. PMG polls fetchmail only on the master: ` +
    `on every other node it switches the daemon off and removes /etc/fetchmailrc (src/PMG/Fetchmail.pm, ` +
    `update_fetchmail_default). Nothing was changed. Set homelab-mail:pmg.ssh.host to the cluster's master node ` +
    `(\`pmgcm status\` shows which one it is) and run pulumi up.`
  );
}
