/** Which read and delete failures name `--run-program` (providers/lastUpConfig.ts), and that they do so once. */
import { AdoptionRefusedError, ApiError, SshError } from "../../lib/errors";
import { TlsPinError } from "../../providers/http";
import { isCredentialFailure, withRunProgramHint } from "../../providers/lastUpConfig";

const api = (status: number, serverMessage = "x") =>
  new ApiError({ system: "pmg", method: "GET", path: "/config/domains", status, serverMessage });

describe("a failure of the credentials the provider was configured with", () => {
  it.each([
    ["401", api(401), true],
    ["403", api(403), true],
    ["a renewed certificate (pin mismatch)", new TlsPinError("pmg:8006", "AA:BB", "CC:DD"), true],
    [
      "a pin mismatch as the HTTP client wraps it",
      api(0, "tls: the certificate of pmg:8006 has fingerprint CC, not the pinned AA"),
      true,
    ],
    [
      "a reinstalled host (host key)",
      new SshError("E_SSH_HOSTKEY", "root@pmg:22", "connect", "key differs"),
      true,
    ],
    ["a rotated SSH key", new SshError("E_SSH_AUTH", "root@pmg:22", "connect", "all keys refused"), true],
    ["a server error", api(500), false],
    ["no answer", api(0, "connect ECONNREFUSED"), false],
    ["a refused adoption", new AdoptionRefusedError("differs"), false],
  ])("%s -> %s", (_what, error, expected) => {
    expect(isCredentialFailure(error)).toBe(expected);
    const message = (withRunProgramHint(error, "refresh") as Error).message;
    expect(message.includes("pulumi refresh --run-program")).toBe(expected);
  });

  it("names the fix once, for the operation that failed", () => {
    const e = api(401);
    withRunProgramHint(e, "destroy");
    withRunProgramHint(e, "destroy");
    expect(e.message.match(/--run-program/g)).toHaveLength(1);
    expect(e.message).toMatch(/run `pulumi destroy --run-program`, or set PULUMI_RUN_PROGRAM=true$/);
  });
});
