// Drives Pulumi's own dynamic-provider host over gRPC, one RPC per engine step, with plain JS
// objects in and out (reference §1 steps 2 to 4). Every property bag must already carry the
// `__provider` text (see serialize.ts); the host deserializes and configures the provider from it.
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import { type HostProcessOptions, spawnHost } from "./hostProcess";
import { fromStruct, HostRpcError, type PropertyBag, toStruct, wrapSecret } from "./wire";

export { UNKNOWN, HostRpcError, type InitFailure, type PropertyBag } from "./wire";
export { PROJECT_ROOT, PROJECT_NAME } from "./hostProcess";

// A fixed URN for every request. The host ignores urn, type and name (reference §1 step 4), but
// the engine always sends one, so the requests look like the engine's.
const URN = "urn:pulumi:test::homelab-mail::pulumi-nodejs:dynamic:Resource::harness";
// Shorter than jest's testTimeout (60 s), so a hung provider fails as DEADLINE_EXCEEDED.
const DEFAULT_RPC_TIMEOUT_MS = 30_000;

export interface StartOptions extends HostProcessOptions {
  rpcTimeoutMs?: number;
}

export interface ConfigureOptions {
  /** Keys whose values go out wrapped as secrets, as the engine sends secret config (§5). */
  secretKeys?: string[];
}

export type DiffChanges = "unknown" | "none" | "some";
const CHANGES: Record<number, DiffChanges> = {
  [pb.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
  [pb.DiffResponse.DiffChanges.DIFF_NONE]: "none",
  [pb.DiffResponse.DiffChanges.DIFF_SOME]: "some",
};

export interface ProviderHost {
  readonly pid: number;
  readonly port: number;
  /** Host stdout (after the port line) and stderr lines; final once close() resolves. */
  readonly logs: string[];
  /** RPCs sent so far, by name ("configure", "check", ...). */
  readonly calls: Record<string, number>;
  waitForLog(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  configure(config: Record<string, string>, opts?: ConfigureOptions): Promise<{ acceptSecrets: boolean }>;
  check(
    olds: PropertyBag,
    news: PropertyBag,
  ): Promise<{ inputs: PropertyBag; failures: { property: string; reason: string }[] }>;
  diff(
    id: string,
    olds: PropertyBag,
    news: PropertyBag,
  ): Promise<{ changes: DiffChanges; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(props: PropertyBag): Promise<{ id: string; properties: PropertyBag }>;
  /** `inputs` is optional: the 3.270 host reads from it only when `props` is empty (a `get`). */
  read(
    id: string,
    props: PropertyBag,
    inputs?: PropertyBag,
  ): Promise<{ id: string; properties: PropertyBag; inputs?: PropertyBag }>;
  update(id: string, olds: PropertyBag, news: PropertyBag): Promise<{ properties: PropertyBag }>;
  delete(id: string, props: PropertyBag): Promise<void>;
  close(): Promise<void>;
}

type Callback<Res> = (err: grpc.ServiceError | null, res: Res) => void;
type Method<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  opts: Partial<grpc.CallOptions>,
  cb: Callback<Res>,
) => grpc.ClientUnaryCall;

export async function startProviderHost(opts: StartOptions = {}): Promise<ProviderHost> {
  const proc = await spawnHost(opts);
  const client = new ResourceProviderClient(`127.0.0.1:${proc.port}`, grpc.credentials.createInsecure());
  const calls: Record<string, number> = {};
  const timeout = opts.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;

  function unary<Req, Res>(name: string, method: Method<Req, Res>, req: Req): Promise<Res> {
    calls[name] = (calls[name] ?? 0) + 1;
    return new Promise<Res>((resolve, reject) => {
      const deadline = new Date(Date.now() + timeout);
      method.call(client, req, new grpc.Metadata(), { deadline }, (err, res) =>
        err ? reject(HostRpcError.from(name, err)) : resolve(res),
      );
    });
  }

  return {
    pid: proc.pid,
    port: proc.port,
    logs: proc.logs,
    calls,
    waitForLog: proc.waitForLog,

    async configure(config, { secretKeys = [] } = {}) {
      const args: PropertyBag = {};
      for (const [key, value] of Object.entries(config)) {
        // The engine sends `project:key`; a bare key here is a test bug (§1 step 3).
        if (!key.includes(":")) throw new Error(`configure: key "${key}" is not namespaced`);
        args[key] = secretKeys.includes(key) ? wrapSecret(value) : value;
      }
      const missing = secretKeys.filter((k) => !(k in config));
      if (missing.length) throw new Error(`configure: secretKeys not in config: ${missing.join(", ")}`);
      // The engine sets args (with secrets kept), acceptSecrets and acceptResources (§5).
      const req = new pb.ConfigureRequest()
        .setArgs(toStruct(args))
        .setAcceptsecrets(true)
        .setAcceptresources(true);
      const res = await unary("configure", client.configure, req);
      return { acceptSecrets: res.getAcceptsecrets() };
    },

    async check(olds, news) {
      const req = new pb.CheckRequest().setUrn(URN).setOlds(toStruct(olds)).setNews(toStruct(news));
      const res = await unary("check", client.check, req);
      const failures = res
        .getFailuresList()
        .map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
      return { inputs: fromStruct(res.getInputs()), failures };
    },

    async diff(id, olds, news) {
      const req = new pb.DiffRequest().setUrn(URN).setId(id).setOlds(toStruct(olds)).setNews(toStruct(news));
      const res = await unary("diff", client.diff, req);
      return {
        changes: CHANGES[res.getChanges()],
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
      };
    },

    async create(props) {
      const req = new pb.CreateRequest().setUrn(URN).setProperties(toStruct(props));
      const res = await unary("create", client.create, req);
      return { id: res.getId(), properties: fromStruct(res.getProperties()) };
    },

    async read(id, props, inputs) {
      const req = new pb.ReadRequest().setUrn(URN).setId(id).setProperties(toStruct(props));
      if (inputs) req.setInputs(toStruct(inputs));
      const res = await unary("read", client.read, req);
      const out = { id: res.getId(), properties: fromStruct(res.getProperties()) };
      // Inputs come back only when the provider's read returned some (pulumi/pulumi#21315).
      return res.hasInputs() ? { ...out, inputs: fromStruct(res.getInputs()) } : out;
    },

    async update(id, olds, news) {
      const req = new pb.UpdateRequest()
        .setUrn(URN)
        .setId(id)
        .setOlds(toStruct(olds))
        .setNews(toStruct(news));
      const res = await unary("update", client.update, req);
      return { properties: fromStruct(res.getProperties()) };
    },

    async delete(id, props) {
      const req = new pb.DeleteRequest().setUrn(URN).setId(id).setProperties(toStruct(props));
      await unary("delete", client.delete, req);
    },

    async close() {
      client.close();
      await proc.close();
    },
  };
}
