import * as fs from "node:fs";
import { PmgHostClient } from "../../../providers/pmghost/client";
import { runSync, SCRIPT_PATH } from "../../../providers/pmghost/configSync";
import { HostFiles } from "../../../providers/pmghost/files";
import { startPmgHostBed, type PmgHostBed } from "../../servers/pmghost/server";

describe("runSync (providers/pmghost/scripts/pmgconfig-sync.sh on a real host)", () => {
  let bed: PmgHostBed;
  let files: HostFiles;
  beforeAll(async () => {
    bed = await startPmgHostBed();
    files = new HostFiles(
      new PmgHostClient({
        host: bed.host,
        port: bed.port,
        user: bed.user,
        hostKey: bed.hostKey,
        privateKey: bed.privateKey,
      }),
    );
  });
  afterAll(async () => {
    await files?.client.close();
    await bed?.close();
  });

  it("is kept in the repository as a bash script", () => {
    expect(fs.readFileSync(SCRIPT_PATH, "utf8")).toMatch(/^#!\/bin\/bash\n/);
  });

  it("runs pmgconfig sync --restart 1 once and passes when main.cf holds what is expected", async () => {
    const before = bed.calls("pmgconfig").length;
    await runSync(files, { default_transport: "smtp:smtp.gmail.com:587", biff: "no" });
    expect(bed.calls("pmgconfig").slice(before)).toEqual(["sync --restart 1"]);
  });

  it("fails naming the parameter when the rendered main.cf does not hold it (an override PMG did not pick up)", async () => {
    await expect(runSync(files, { smtp_sasl_auth_enable: "yes" })).rejects.toThrow(
      /exit code 3: pmgconfig-sync: after the sync, main\.cf has smtp_sasl_auth_enable = no, expected yes/,
    );
  });

  it("passes hostile expected values as data: compared, never run", async () => {
    await expect(
      runSync(files, { smtp_sasl_auth_enable: "$(touch /tmp/pwned-sync); `touch /tmp/pwned-sync2` 'x'" }),
    ).rejects.toThrow(/expected \$\(touch/);
    expect((await bed.sh("ls /tmp | grep -c pwned || true")).stdout.trim()).toBe("0");
  });

  it("reports pmgconfig's own message when the sync fails", async () => {
    bed.faults.failSync("unable to render main.cf.in: parse error");
    try {
      await expect(runSync(files, {})).rejects.toThrow(
        /exit code \d+: unable to render main\.cf\.in: parse error; run `pmgconfig sync --restart 1` on the PMG host/,
      );
    } finally {
      bed.faults.failSync(undefined);
    }
  });
});
