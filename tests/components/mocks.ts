/**
 * Runs the program (index.ts) under Pulumi's mock runtime with a given stack config and records
 * every resource it registers, by type and name.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** The exports (stack outputs) of the latest runProgram. */
export const lastRun: { exports: Record<string, unknown> } = { exports: {} };

export async function runProgram(
  config: Record<string, unknown>,
  secrets: Record<string, string>,
): Promise<Registered[]> {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state = { ...args.inputs };
        if (args.type.endsWith(":StalwartPrincipal") && args.inputs.type === "individual") {
          Object.assign(state, {
            loginName: args.inputs.name,
            password: `mock-password-${args.inputs.name}`,
          });
        }
        if (args.type.endsWith("PmgDkimSelector")) {
          Object.assign(state, {
            publicKey: "MIIBIjANBg",
            txtValue: "v=DKIM1; h=sha256; k=rsa; p=MIIBIjANBg",
            active: true,
          });
        }
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "homelab-mail",
    "homelab",
    false,
  );
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(config))
    all[`homelab-mail:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(secrets)) all[`homelab-mail:${k}`] = v;
  pulumi.runtime.setAllConfig(
    all,
    Object.keys(secrets).map((k) => `homelab-mail:${k}`),
  );
  const program: { exports: Record<string, unknown> } = { exports: {} };
  jest.isolateModules(() => {
    program.exports = require("../../index");
  });
  lastRun.exports = program.exports;
  // Let every registration and apply settle.
  await new Promise((r) => setTimeout(r, 50));
  await Promise.all(
    Object.values(program.exports).map(
      (o) => new Promise((resolve) => (pulumi.output(o) as pulumi.Output<unknown>).apply(resolve)),
    ),
  );
  return registered;
}
