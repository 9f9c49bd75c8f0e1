/**
 * One provider for settings in PMG's pmg.conf sections (/config/mail, /config/admin). A resource
 * owns only the keys it declares: others in the section are never touched. Deleting it unsets its
 * keys (`delete=`), which returns them to PMG's defaults. Every PUT here makes PMG regenerate and
 * reload its whole configuration (the API's equivalent of `pmgconfig sync`), so nothing is written
 * when the section already holds the declared values.
 */
import type * as pulumi from "@pulumi/pulumi";
import { gone } from "../gone";
import * as v from "../../lib/validate";
import { AdoptionRefusedError } from "../../lib/errors";
import { settings } from "../context";
import { pmgClient } from "./settings";
import { coerce, type PmgType } from "./coerce";

export interface OptionSpec {
  readonly param: string;
  readonly type: PmgType;
  readonly validate?: (value: unknown) => v.Problem;
}

export interface SectionSpec {
  readonly section: "mail" | "admin";
  /** "smarthost": used in messages and as the id's suffix. */
  readonly noun: string;
  readonly options: Record<string, OptionSpec>;
  /**
   * Keys of the section reported as outputs only, never written, with PMG's default for a key the
   * section does not set (GET returns only keys set explicitly, reference 2.3).
   */
  readonly reads?: Record<string, { readonly param: string; readonly fallback: number | string }>;
}

export type OptionInputs = Record<string, unknown> & { endpoint: string };

export function sectionProvider(
  spec: SectionSpec,
): pulumi.dynamic.ResourceProvider<OptionInputs, OptionInputs> {
  const names = Object.keys(spec.options);
  const types = Object.fromEntries(names.map((n) => [spec.options[n].param, spec.options[n].type]));
  const path = `/config/${spec.section}`;
  const id = `${spec.section}/${spec.noun}`;

  const observe = async (endpoint: string): Promise<OptionInputs> => {
    const raw = coerce(await (await pmgClient(endpoint)).get<Record<string, unknown>>(path), types);
    const out: OptionInputs = { endpoint };
    for (const n of names) out[n] = raw[spec.options[n].param] ?? null;
    for (const [n, r] of Object.entries(spec.reads ?? {})) out[n] = raw[r.param] ?? r.fallback;
    return out;
  };
  /** The declared keys only: what a refresh reports as the resource's inputs. */
  const inputsOf = (o: OptionInputs): OptionInputs => {
    const out: OptionInputs = { endpoint: o.endpoint };
    for (const n of names) out[n] = o[n];
    return out;
  };
  const differing = (want: Record<string, unknown>, have: Record<string, unknown>) =>
    names.filter((n) => (want[n] ?? null) !== (have[n] ?? null));

  /**
   * What PMG holds after `apply(inputs)` over `have` (read just before): the declared keys, the
   * undeclared unset, the keys only read (`reads`) as they were (no read-back, issue 15).
   */
  const applied = (inputs: OptionInputs, have: OptionInputs): OptionInputs => {
    const out: OptionInputs = { ...have, endpoint: inputs.endpoint };
    for (const n of names) out[n] = inputs[n] ?? null;
    return out;
  };

  /** Sets what differs and unsets what is no longer declared, in one PUT (deletes run first in PMG). */
  const apply = async (inputs: OptionInputs, have: OptionInputs) => {
    const changed = differing(inputs, have);
    if (changed.length === 0) return;
    const params: Record<string, string | number | boolean> = {};
    const unset = changed
      .filter((n) => inputs[n] === undefined || inputs[n] === null)
      .map((n) => spec.options[n].param);
    for (const n of changed)
      if (inputs[n] !== undefined && inputs[n] !== null)
        params[spec.options[n].param] = inputs[n] as string | number | boolean;
    if (unset.length > 0) params.delete = unset.join(",");
    await (await pmgClient(inputs.endpoint)).update(path, params);
  };

  return {
    async check(_olds, news) {
      const failures: pulumi.dynamic.CheckFailure[] = [];
      if (!v.isUnknown(news.endpoint)) {
        const p = v.endpoint(news.endpoint);
        if (p) failures.push({ property: "endpoint", reason: p });
      }
      for (const n of names) {
        const val = news[n];
        if (val === undefined || val === null || v.isUnknown(val)) continue;
        const o = spec.options[n];
        const typeOk =
          o.type === "boolean"
            ? typeof val === "boolean"
            : o.type === "integer"
              ? Number.isInteger(val)
              : typeof val === "string";
        const expected = { boolean: "true or false", integer: "a whole number", string: "a string" }[o.type];
        const p = typeOk ? o.validate?.(val) : `must be ${expected}, got ${JSON.stringify(val)}`;
        if (p) failures.push({ property: n, reason: p });
      }
      for (const k of Object.keys(news)) {
        if (k !== "endpoint" && k !== "__provider" && !names.includes(k))
          failures.push({ property: k, reason: "is not a property of this resource" });
      }
      return { inputs: news, failures };
    },

    async diff(_id, olds, news) {
      const replaces = v.isUnknown(news.endpoint) || olds.endpoint !== news.endpoint ? ["endpoint"] : [];
      const changed = names.filter((n) => v.isUnknown(news[n]) || (news[n] ?? null) !== (olds[n] ?? null));
      return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
      const have = await observe(inputs.endpoint);
      // A key already set by hand to another value is not ours to overwrite silently.
      const conflicts = differing(inputs, have).filter((n) => have[n] !== null);
      if (conflicts.length > 0 && !(await settings()).adoptExisting) {
        const what = conflicts
          .map(
            (n) =>
              `${spec.options[n].param} is ${JSON.stringify(have[n])}, declared ${JSON.stringify(inputs[n] ?? null)}`,
          )
          .join("; ");
        throw new AdoptionRefusedError(
          `pmg: ${spec.noun} settings on ${inputs.endpoint} are already set and differ (${what}). Nothing was changed. ` +
            `To adopt them and overwrite those keys, run \`pulumi config set homelab-mail:adoptExisting true\` and \`pulumi up\` ` +
            `(then \`pulumi config rm homelab-mail:adoptExisting\`); or change the declaration to match and run \`pulumi up\`.`,
        );
      }
      await apply(inputs, have);
      return { id, outs: applied(inputs, have) };
    },

    async read(_id, props) {
      const outs = await observe(String(props?.endpoint));
      // Every owned key unset means the settings are gone (returned to PMG's defaults by hand).
      if (names.every((n) => outs[n] === null)) return gone();
      return { id, props: outs, inputs: inputsOf(outs) };
    },

    async update(_id, _olds, news) {
      const have = await observe(news.endpoint);
      await apply(news, have);
      return { outs: applied(news, have) };
    },

    async delete(_id, props) {
      const endpoint = String(props.endpoint);
      const have = await observe(endpoint);
      const set = names.filter((n) => have[n] !== null).map((n) => spec.options[n].param);
      if (set.length > 0) await (await pmgClient(endpoint)).update(path, { delete: set.join(",") });
    },
  };
}
