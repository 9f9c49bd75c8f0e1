/** The parent's handle on the by-hand and naive clients' process (naive/worker.ts). */
import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import type { Api, Phase, System } from "../plan";
import { compileForNode } from "./compile";
import type { ServerInfo } from "../servers";

export type NaiveClient = "naive-parallel" | "by-hand";

export interface LevelRequest {
  readonly id: number;
  readonly system: System;
  readonly api: Api | null;
  readonly n: number;
  readonly client: NaiveClient;
  readonly phase: Phase;
  readonly names: string[];
  readonly parallelism: number;
}

export type LevelAnswer = { id: number; ok: true } | { id: number; ok: false; error: string };

export class NaiveClients {
  private next = 1;
  private readonly waiting = new Map<number, (a: LevelAnswer) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (a: LevelAnswer) => {
      this.waiting.get(a.id)?.(a);
      this.waiting.delete(a.id);
    });
    child.on("exit", (code) => {
      for (const w of this.waiting.values())
        w({ id: 0, ok: false, error: `the client process exited (${code})` });
      this.waiting.clear();
    });
  }

  /** Resolves once the process has loaded, so no timing includes its start. */
  static async start(info: ServerInfo): Promise<NaiveClients> {
    const child = fork(compileForNode(path.join(__dirname, "worker.ts")), [], {
      execArgv: [],
      cwd: path.join(__dirname, "../.."),
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const clients = new NaiveClients(child);
    await new Promise<void>((resolve, reject) => {
      clients.waiting.set(0, (a) => (a.ok ? resolve() : reject(new Error(a.error))));
    });
    child.send({ info });
    return clients;
  }

  get pid(): number {
    return this.child.pid!;
  }

  run(r: Omit<LevelRequest, "id">): Promise<void> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (a) => (a.ok ? resolve() : reject(new Error(a.error))));
      this.child.send({ ...r, id });
    });
  }

  close(): void {
    this.child.disconnect();
  }
}
