// What travels over the wire between the engine and the dynamic-provider host: property bags as
// google.protobuf.Struct, the preview-time unknown sentinel, the secret wrapper, and gRPC errors.
// Kept apart from providerHost.ts so tests and fixtures can import the constants without gRPC.
import * as grpc from "@grpc/grpc-js";
// The Struct class must come from the same google-protobuf copy that @pulumi/pulumi/proto/*_pb.js
// loads: the generated stubs check `instanceof` on every message (reference §1 step 2).
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { ErrorResourceInitFailed } from "@pulumi/pulumi/proto/provider_pb";

/** A property bag as JSON (what Struct.toJavaScript gives); tests index into it freely. */
export type PropertyBag = Record<string, any>;

/** The value the engine sends for a not-yet-known input during preview (reference §1.7). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Key and value that mark an object as a secret wrapper (`rpc.specialSigKey`/`specialSecretSig`). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Wraps a value the way the engine does for secret config (Configure uses KeepSecrets: true, §5). */
export function wrapSecret(value: unknown): PropertyBag {
  return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

/**
 * Struct.fromJavaScript throws `Unexpected struct type.` on undefined (reference §1.6). The engine
 * never sends an undefined input (the SDK drops such keys), so the harness drops them too, at any
 * depth, instead of failing before the request is even sent. Array holes become null, as in JSON.
 */
function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => (v === undefined ? null : dropUndefined(v)));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = dropUndefined(v);
    }
    return out;
  }
  return value;
}

export function toStruct(bag: PropertyBag): Struct {
  return Struct.fromJavaScript(dropUndefined(bag) as PropertyBag);
}

export function fromStruct(struct: Struct | undefined): PropertyBag {
  return struct ? struct.toJavaScript() : {};
}

/** Details a thrown create/update error carries when it had an `id` (reference §1.4, last bullet). */
export interface InitFailure {
  id: string;
  properties: PropertyBag;
  reasons: string[];
}

/**
 * A failed RPC. `message` is the gRPC details alone, which is the provider's own error message
 * for a throw in create/update (the host's grpcResponseFromError) and for one in check, diff,
 * read or delete (grpc-js turns the thrown Error into status UNKNOWN with details = e.message).
 */
export class HostRpcError extends Error {
  constructor(
    readonly rpc: string,
    readonly code: grpc.status,
    details: string,
    readonly initFailure?: InitFailure,
  ) {
    super(details);
    this.name = "HostRpcError";
  }

  static from(rpc: string, err: grpc.ServiceError): HostRpcError {
    return new HostRpcError(rpc, err.code, err.details, initFailureOf(err.metadata));
  }
}

/** Unpacks `grpc-status-details-bin`, where the host puts ErrorResourceInitFailed. */
function initFailureOf(metadata: grpc.Metadata | undefined): InitFailure | undefined {
  const raw = metadata?.get("grpc-status-details-bin")[0];
  if (!raw || typeof raw === "string") return undefined;
  for (const any of Status.deserializeBinary(new Uint8Array(raw)).getDetailsList()) {
    const detail = any.unpack(ErrorResourceInitFailed.deserializeBinary, "pulumirpc.ErrorResourceInitFailed");
    if (detail) {
      return {
        id: detail.getId(),
        properties: fromStruct(detail.getProperties()),
        reasons: detail.getReasonsList(),
      };
    }
  }
  return undefined;
}
