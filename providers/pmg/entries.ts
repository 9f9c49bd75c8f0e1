/**
 * One provider for every PMG list whose entries are keyed by a string (trusted networks, relay
 * domains, transports, DKIM signing domains): they share PMG's semantics exactly (POST to the list,
 * GET/PUT/DELETE on `<list>/<key>`, 500 "already exists" and "does not exist"), so the lifecycle
 * rules live here once and each resource only says what differs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { gone } from "../gone";
import * as v from "../../lib/validate";
import { AdoptionRefusedError } from "../../lib/errors";
import { settings } from "../context";
import { backoffMs, DEFAULT_RETRY, sleep } from "../http";
import { pmgClient } from "./settings";
import { PmgApiError, type PmgClient } from "./client";
import { coerce, type PmgType } from "./coerce";

export interface FieldSpec {
  /** PMG's parameter name (`use_mx`), when it differs from the property name (`useMx`). */
  readonly param?: string;
  readonly type: PmgType;
  readonly default?: string | number | boolean;
  readonly validate?: (value: unknown) => v.Problem;
  /**
   * Free text (a comment): left undeclared it is not managed, so an adopted entry keeps its own; a
   * declared one that differs is changed without needing adoptExisting (it is a label, not a
   * conflict); blank and surrounding spaces compare equal, as PMG's writers drop blank comments.
   */
  readonly label?: boolean;
}

export interface EntrySpec {
  /** "trusted network": used in messages. */
  readonly noun: string;
  /** "/config/mynetworks". */
  readonly collection: string;
  /** The property and PMG parameter that is the entry's key. */
  readonly key: string;
  readonly validateKey: (value: unknown) => v.Problem;
  readonly normalizeKey?: (value: string) => string;
  readonly fields: Record<string, FieldSpec>;
  /** Fields PMG's PUT requires even when unchanged (mynetworks and domains: `comment`). */
  readonly alwaysPut?: string[];
  /** The record as PMG will read it back, so declared and observed values compare equal. */
  readonly expected?: (record: Record<string, unknown>) => Record<string, unknown>;
  /** Inputs that are checked but never sent to PMG (an acknowledgement), each with its rule. */
  readonly localFields?: Record<string, (value: unknown) => v.Problem>;
  /** A rule across the inputs, run once each input is valid (a public network needs its acknowledgement). */
  readonly checkEntry?: (inputs: EntryInputs) => pulumi.dynamic.CheckFailure[];
}

export type EntryInputs = Record<string, unknown> & { endpoint: string };
type Record_ = Record<string, unknown>;

export function entryProvider(spec: EntrySpec): pulumi.dynamic.ResourceProvider<EntryInputs, EntryInputs> {
  const props = [spec.key, ...Object.keys(spec.fields), ...Object.keys(spec.localFields ?? {})];
  const types: Record<string, PmgType> = {};
  for (const [name, f] of Object.entries(spec.fields)) types[f.param ?? name] = f.type;
  const expected = (r: Record_) => (spec.expected ? spec.expected(r) : r);
  const path = (key: string) => `${spec.collection}/${key}`;

  /** The entry as the resource's properties, from PMG's own names and string-typed values. */
  const fromPmg = (endpoint: string, raw: Record_): EntryInputs => {
    const c = coerce(raw, types);
    const out: EntryInputs = { endpoint, [spec.key]: String(raw[spec.key]) };
    for (const [name, f] of Object.entries(spec.fields)) {
      const val = c[f.param ?? name];
      out[name] = val ?? (f.type === "string" ? "" : (f.default ?? null));
    }
    return out;
  };

  const labels = Object.keys(spec.fields).filter((f) => spec.fields[f].label);
  const same = (f: string, a: unknown, b: unknown) =>
    spec.fields[f].label
      ? String(a ?? "").trim() === String(b ?? "").trim()
      : JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const differences = (want: Record_, have: Record_) =>
    Object.keys(spec.fields).filter(
      (f) =>
        !v.isUnknown(want[f]) &&
        !(spec.fields[f].label && want[f] === undefined) &&
        !same(f, want[f], have[f]),
    );
  /** The declaration with every undeclared label filled in from what PMG has: PUT needs a value for it. */
  const complete = (want: Record_, have: Record_): Record_ => {
    const out = { ...want };
    for (const f of labels) if (out[f] === undefined) out[f] = have[f];
    return out;
  };

  const fetch = async (client: PmgClient, key: string): Promise<Record_ | undefined> => {
    try {
      return await client.get<Record_>(path(key));
    } catch (e) {
      if (e instanceof PmgApiError && e.kind === "missing") return undefined;
      throw e;
    }
  };

  const params = (inputs: Record_, names: string[]) => {
    const out: Record<string, string | number | boolean> = {};
    for (const name of names) {
      const val = inputs[name];
      if (val !== undefined && val !== null)
        out[spec.fields[name].param ?? name] = val as string | number | boolean;
    }
    return out;
  };

  /**
   * A PUT's parameters. PMG 7 (pve-http-server 4.x) re-encodes a JSON body as a form when it hands a
   * protected call to pmgdaemon (AnyEvent.pm proxy_request, `$url->query_form(%$params)`; JSON is
   * forwarded as JSON only from 5.0.2, commit f398a3d), and its decode_urlencoded turns `comment=`
   * into undef: a required comment then fails with 400 "property is missing", an optional one is
   * silently kept. A single space survives the trip and is still no comment: the domain and transport
   * writers drop blank comments (Config.pm write_pmg_domains, write_transport_map).
   */
  const putParams = async (client: PmgClient, inputs: Record_, names: string[]) => {
    const out = params(inputs, names);
    for (const f of labels) {
      const p = spec.fields[f].param ?? f;
      if (names.includes(f) && out[p] === "" && (await pmgMajor(client)) < 8) out[p] = " ";
    }
    return out;
  };

  const describe = (key: string, endpoint: string) => `pmg: ${spec.noun} ${key} on ${endpoint}`;

  return {
    async check(_olds, news) {
      const failures: pulumi.dynamic.CheckFailure[] = [];
      const inputs: EntryInputs = { ...news };
      const add = (property: string, problem: v.Problem) =>
        problem && failures.push({ property, reason: problem });
      if (!v.isUnknown(news.endpoint)) add("endpoint", v.endpoint(news.endpoint));
      const key = news[spec.key];
      if (!v.isUnknown(key)) {
        add(spec.key, spec.validateKey(key));
        if (typeof key === "string" && spec.normalizeKey) inputs[spec.key] = spec.normalizeKey(key);
      }
      for (const [name, f] of Object.entries(spec.fields)) {
        if (inputs[name] === undefined && f.default !== undefined) inputs[name] = f.default;
        if (inputs[name] === undefined && f.type === "string" && !f.label) inputs[name] = "";
        if (v.isUnknown(inputs[name]) || (f.label && inputs[name] === undefined)) continue;
        add(name, typeProblem(f.type, inputs[name]) ?? f.validate?.(inputs[name]));
      }
      for (const [name, rule] of Object.entries(spec.localFields ?? {}))
        if (!v.isUnknown(inputs[name])) add(name, rule(inputs[name]));
      for (const k of Object.keys(news)) {
        if (k !== "endpoint" && k !== "__provider" && !props.includes(k))
          add(k, `is not a property of this resource`);
      }
      if (failures.length === 0 && spec.checkEntry) failures.push(...spec.checkEntry(inputs));
      return { inputs, failures };
    },

    async diff(_id, olds, news) {
      const replaces = ["endpoint", spec.key].filter((k) => v.isUnknown(news[k]) || olds[k] !== news[k]);
      const unknown = Object.keys(spec.fields).filter((f) => v.isUnknown(news[f]));
      const changed = [...differences(expected(news), olds), ...unknown];
      return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
      const client = await pmgClient(inputs.endpoint);
      const key = String(inputs[spec.key]);
      const sent = { [spec.key]: key, ...params(inputs, Object.keys(spec.fields)) };
      // Create first: one request when the entry is new (issue 15), its outputs what was sent (refresh
      // reads what PMG holds). PMG refuses an existing key (duplicate): only then is it read and judged.
      let current: Record_ | undefined;
      for (let attempt = 0; !current; attempt++) {
        try {
          await client.create(spec.collection, sent);
          return { id: key, outs: expected(fromPmg(inputs.endpoint, sent)) as EntryInputs };
        } catch (e) {
          // There already (by hand, or a lost answer to our own earlier POST): judge it like any existing entry.
          if (e instanceof PmgApiError && e.kind === "duplicate") break;
          if (!unanswered(e)) throw e;
          current = await fetch(client, key);
          // Unanswered and not there: sending it again cannot make a second one.
          if (!current && attempt >= DEFAULT_RETRY.retries) throw e;
          if (!current) await sleep(backoffMs(attempt, DEFAULT_RETRY));
        }
      }
      current ??= await fetch(client, key);
      if (!current)
        throw new Error(
          `${describe(key, inputs.endpoint)}: created, but PMG does not list it; run pulumi up again`,
        );
      const have = fromPmg(inputs.endpoint, current);
      const diffs = differences(expected(inputs), have);
      // A label that differs is adopted and changed; only a real conflict needs adoptExisting.
      const conflicts = diffs.filter((f) => !spec.fields[f].label);
      if (diffs.length > 0) {
        if (conflicts.length > 0 && !(await settings()).adoptExisting) {
          const what = conflicts
            .map((f) => `${f} is ${JSON.stringify(have[f])}, declared ${JSON.stringify(inputs[f])}`)
            .join("; ");
          throw new AdoptionRefusedError(
            `${describe(key, inputs.endpoint)} already exists and differs (${what}). Nothing was changed. ` +
              `To adopt it and overwrite those fields, run \`pulumi config set homelab-mail:adoptExisting true\` and \`pulumi up\` ` +
              `(then \`pulumi config rm homelab-mail:adoptExisting\`); or change the declaration to match and run \`pulumi up\`.`,
          );
        }
        const names = [...new Set([...diffs, ...(spec.alwaysPut ?? [])])];
        await client.update(path(key), await putParams(client, complete(inputs, have), names));
        current = (await fetch(client, key)) ?? current;
      }
      return { id: key, outs: fromPmg(inputs.endpoint, current) };
    },

    async read(id, props_) {
      const endpoint = String(props_?.endpoint);
      const client = await pmgClient(endpoint);
      const current = await fetch(client, id);
      if (!current) return gone();
      const outs = fromPmg(endpoint, current);
      return { id, props: outs, inputs: outs };
    },

    async update(id, olds, news) {
      const client = await pmgClient(news.endpoint);
      const changed = differences(expected(news), olds);
      const names = [...new Set([...changed, ...(spec.alwaysPut ?? [])])];
      try {
        if (changed.length > 0)
          await client.update(path(id), await putParams(client, complete(news, olds), names));
      } catch (e) {
        // Deleted by hand since the last refresh: put it back rather than fail.
        if (!(e instanceof PmgApiError && e.kind === "missing")) throw e;
        await client.create(spec.collection, { [spec.key]: id, ...params(news, Object.keys(spec.fields)) });
      }
      const current = await fetch(client, id);
      if (!current)
        throw new Error(
          `${describe(id, news.endpoint)}: updated, but PMG no longer lists it; run pulumi up again`,
        );
      return { outs: fromPmg(news.endpoint, current) };
    },

    async delete(id, props_) {
      const client = await pmgClient(String(props_.endpoint));
      try {
        await client.remove(path(String(props_[spec.key] ?? id)));
      } catch (e) {
        if (!(e instanceof PmgApiError && e.kind === "missing")) throw e;
      }
    },
  };
}

/** A POST that got no answer from PMG itself (transport, throttling, a proxy's 502-504): it may or may not have run. */
function unanswered(e: unknown): boolean {
  return e instanceof PmgApiError && e.kind === "other" && [0, 429, 502, 503, 504].includes(e.status);
}

const majors = new WeakMap<PmgClient, Promise<number>>();
/** PMG's major version, asked once per client and only when it matters. */
function pmgMajor(client: PmgClient): Promise<number> {
  let m = majors.get(client);
  if (!m) {
    m = client.version().then((x) => x.major);
    m.catch(() => majors.delete(client));
    majors.set(client, m);
  }
  return m;
}

function typeProblem(type: PmgType, value: unknown): v.Problem {
  if (type === "string" && typeof value !== "string") return `must be a string, got ${JSON.stringify(value)}`;
  if (type === "integer" && !Number.isInteger(value))
    return `must be a whole number, got ${JSON.stringify(value)}`;
  if (type === "boolean" && typeof value !== "boolean")
    return `must be true or false, got ${JSON.stringify(value)}`;
  return undefined;
}
