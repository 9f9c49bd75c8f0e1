/**
 * What every PMG host resource shares: the SSH target in its inputs (so delete and refresh work from
 * state alone), `check` rules for it, content hashes, and the refusal to take over a file that
 * already exists and differs.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { AdoptionRefusedError } from "../../lib/errors";
import { settings } from "../context";

export interface HostInputs {
  /** The PMG host SSH reaches (homelab-mail:pmg.ssh.host). */
  readonly sshHost: string;
  readonly sshPort: number;
}

/** Collects check failures, skipping preview unknowns. */
export class Failures {
  readonly list: pulumi.dynamic.CheckFailure[] = [];

  add(property: string, problem: v.Problem): void {
    if (problem) this.list.push({ property, reason: problem });
  }

  check(property: string, value: unknown, rule: (x: unknown) => v.Problem): void {
    if (!v.isUnknown(value)) this.add(property, rule(value));
  }

  /** The SSH target, and every property that is not one of `known`. */
  host(inputs: object, known: string[]): void {
    const news = inputs as Record<string, unknown>;
    this.check("sshHost", news.sshHost, v.host);
    this.check("sshPort", news.sshPort, v.port);
    for (const k of Object.keys(news)) {
      if (k !== "__provider" && k !== "sshHost" && k !== "sshPort" && !known.includes(k))
        this.add(k, "is not a property of this resource");
    }
  }
}

/** Moving to another host means a new file there and the old one removed: a replacement. */
export function hostReplaces(olds: HostInputs, news: HostInputs): string[] {
  return (["sshHost", "sshPort"] as const).filter((k) => v.isUnknown(news[k]) || olds[k] !== news[k]);
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export async function adoptExisting(): Promise<boolean> {
  return (await settings()).adoptExisting;
}

/** The standard refusal, saying exactly how to adopt deliberately (see providers/pmg/entries.ts). */
export function adoptionRefused(host: string, what: string, detail: string): AdoptionRefusedError {
  return new AdoptionRefusedError(
    `pmghost: ${what} on ${host} ${detail}. Nothing was changed. ` +
      `To take it over and overwrite it with the declared content, run \`pulumi config set homelab-mail:adoptExisting true\` and \`pulumi up\` ` +
      `(then \`pulumi config rm homelab-mail:adoptExisting\`); or make it match the declaration by hand and run \`pulumi up\`.`,
  );
}

/** A read's answer. Pulumi's typings give `inputs` the outputs' type; the engine takes the inputs as declared. */
export function readResult<O>(id: string, props: O, inputs: object): pulumi.dynamic.ReadResult<O> {
  return { id, props, inputs: inputs as O };
}
