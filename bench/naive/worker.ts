/**
 * The by-hand and naive clients' process, apart from the stand-ins so its memory is its own. It
 * takes one level of one phase at a time from its parent (naive/remote.ts) and answers when done.
 */
import { pmgPlan, stalwartPlan, type Item } from "../plan";
import { pool } from "../pool";
import type { ServerInfo } from "../servers";
import { NaivePmg } from "./pmg";
import { NaiveStalwart } from "./stalwart";
import type { LevelRequest, LevelAnswer } from "./remote";

interface Client {
  call(phase: LevelRequest["phase"], item: Item): Promise<void>;
}

let info: ServerInfo | undefined;
const clients = new Map<string, Client>();

function clientFor(r: LevelRequest): Client {
  // One client per system, API and client style: JMAP ids learnt at deploy serve refresh and destroy.
  const key = `${r.system}|${r.api}|${r.client}`;
  let c = clients.get(key);
  if (!c) {
    c = r.system === "pmg" ? new NaivePmg(info!.pmg) : new NaiveStalwart(r.api!, info!.stalwart);
    clients.set(key, c);
  }
  return c;
}

async function run(r: LevelRequest): Promise<void> {
  const plan = r.system === "pmg" ? pmgPlan() : stalwartPlan(r.api!, r.n);
  const items = new Map(plan.items.map((i) => [i.name, i]));
  const client = clientFor(r);
  await pool(r.names, r.parallelism, (name) => client.call(r.phase, items.get(name)!));
}

process.on("message", (m: { info: ServerInfo } | LevelRequest) => {
  if ("info" in m) {
    info = m.info;
    return;
  }
  const answer = (a: LevelAnswer) => process.send!(a);
  run(m).then(
    () => answer({ id: m.id, ok: true }),
    (e: unknown) => answer({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
process.on("disconnect", () => process.exit(0));
// Loaded: the parent starts timing only after this.
process.send!({ id: 0, ok: true } satisfies LevelAnswer);
