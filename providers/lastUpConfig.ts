/**
 * Refresh and destroy run with the provider configured from the inputs stored at the last
 * `pulumi up`, unless the program runs. Without `--run-program` the engine never evaluates the
 * program, so the default provider is loaded from the previous snapshot and configured with its
 * stored inputs (pulumi/pulumi pkg/resource/deploy/deployment.go, EnsureProvider ->
 * providers/registry.go, Registry.Same: `provider.Configure(... Inputs: FilterProviderConfig(res.Inputs))`;
 * pulumi/pulumi#7370, #13860). `--run-program` (pulumi/pulumi#18764; pkg/cmd/pulumi/operations/
 * refresh.go and destroy.go, flag "run-program", default env PULUMI_RUN_PROGRAM, sdk/go/common/env/env.go
 * RunProgram; up.go and preview.go take it with --refresh) runs the program, so the provider
 * gets the current config.
 *
 * So after a password, key, certificate pin or host key changes, a refresh without the program
 * still presents the old one. Such a failure says how to get past it.
 */
import { ApiError, HomelabMailError } from "../lib/errors";

const CREDENTIAL_CODES = new Set(["E_TLS_PIN", "E_SSH_HOSTKEY", "E_SSH_AUTH"]);

/** True for a refusal of the credentials, pin or host key the provider was configured with. */
export function isCredentialFailure(e: unknown): boolean {
  if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return true;
  if (e instanceof HomelabMailError && CREDENTIAL_CODES.has(e.code)) return true;
  const cause = (e as { cause?: unknown })?.cause;
  if (cause && cause !== e && isCredentialFailure(cause)) return true;
  // A pin mismatch can reach us wrapped by the HTTP client with only its message kept.
  return e instanceof Error && /not the pinned|host key .*(does not match|mismatch)/i.test(e.message);
}

export function runProgramHint(operation: "refresh" | "destroy"): string {
  const run =
    operation === "refresh"
      ? "`pulumi refresh --run-program` (for `pulumi up --refresh` and `pulumi preview --refresh`: add `--run-program`)"
      : "`pulumi destroy --run-program`";
  return (
    `; without the program, ${operation} configures providers with the stack config of the last \`pulumi up\`: ` +
    `if this credential, certificate pin or host key changed since, run ${run}, or set PULUMI_RUN_PROGRAM=true`
  );
}

/** The same error, its message naming the fix when the stored credentials no longer work. */
export function withRunProgramHint(e: unknown, operation: "refresh" | "destroy"): unknown {
  if (!isCredentialFailure(e) || !(e instanceof Error) || e.message.includes("--run-program")) return e;
  e.message += runProgramHint(operation);
  return e;
}
