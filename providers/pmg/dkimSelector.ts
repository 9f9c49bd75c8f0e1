import * as pulumi from "@pulumi/pulumi";
import { gone } from "../gone";
import * as v from "../../lib/validate";
import { parseDkimRecord } from "../../lib/dkim";
import { AdoptionRefusedError } from "../../lib/errors";
import { settings } from "../context";
import { pmgClient } from "./settings";
import { shimProvider } from "../shim";
import { PmgApiError } from "./client";
import { toBool, toInt } from "./coerce";

export const KIND = "pmg:PmgDkimSelector";

export interface PmgDkimSelectorArgs {
  /** PMG API endpoint, `https://host:8006`. */
  readonly endpoint: pulumi.Input<string>;
  /** Selector name, e.g. `pmg2026`: DNS publishes the key at `<selector>._domainkey.<domain>`. */
  readonly selector: pulumi.Input<string>;
  /** RSA key size in bits. Default 2048. */
  readonly keySize?: pulumi.Input<number>;
}

export interface DkimSelectorOutputs {
  endpoint: string;
  selector: string;
  keySize: number;
  /** Base64 SubjectPublicKeyInfo: the `p=` of the DNS record. */
  publicKey: string;
  /** The exact DNS TXT value, `v=DKIM1; h=sha256; k=rsa; p=...`. */
  txtValue: string;
  /** Whether PMG signs with this selector (admin.dkim_selector). */
  active: boolean;
}

/**
 * PMG's DKIM selector and its key (/config/dkim/selector). Creating it makes PMG generate the key,
 * or adopt an existing key file of the same size, and makes it the active selector. Signing itself
 * is PmgDkimSigning. PMG has no API to remove a key: delete deactivates the selector and leaves
 * /etc/pmg/dkim/<selector>.private in place.
 */
export class PmgDkimSelector extends pulumi.dynamic.Resource {
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly selector: pulumi.Output<string>;
  declare readonly keySize: pulumi.Output<number>;
  declare readonly publicKey: pulumi.Output<string>;
  declare readonly txtValue: pulumi.Output<string>;
  declare readonly active: pulumi.Output<boolean>;

  constructor(name: string, args: PmgDkimSelectorArgs, opts?: pulumi.CustomResourceOptions) {
    const props = { ...args, publicKey: undefined, txtValue: undefined, active: undefined };
    super(shimProvider(KIND), name, props, opts, "pmg", "PmgDkimSelector");
  }
}

type Inputs = { endpoint: string; selector: string; keySize: number };

async function observe(
  inputs: Inputs,
  previous?: Partial<DkimSelectorOutputs>,
): Promise<DkimSelectorOutputs | undefined> {
  const client = await pmgClient(inputs.endpoint);
  const info = await client.get<{ selector?: string; keysize?: unknown; record?: string }>(
    "/config/dkim/selector",
  );
  if (info.selector === inputs.selector && info.record) {
    const { publicKey, txtValue } = parseDkimRecord(info.record);
    const keySize = toInt(info.keysize) ?? inputs.keySize;
    return {
      endpoint: inputs.endpoint,
      selector: inputs.selector,
      keySize,
      publicKey,
      txtValue,
      active: true,
    };
  }
  // Not the active one: PMG shows only the active selector's key, so keep what was known of ours.
  const all = await client.get<{ selector: string }[]>("/config/dkim/selectors");
  if (!all.some((s) => s.selector === inputs.selector)) return undefined;
  return {
    endpoint: inputs.endpoint,
    selector: inputs.selector,
    keySize: previous?.keySize ?? inputs.keySize,
    publicKey: previous?.publicKey ?? "",
    txtValue: previous?.txtValue ?? "",
    active: false,
  };
}

/** Makes it the active selector (PMG generates or adopts the key), given `/config/admin` as read just before. */
async function activate(inputs: Inputs, admin?: Record<string, unknown>): Promise<void> {
  const client = await pmgClient(inputs.endpoint);
  admin ??= await client.get<Record<string, unknown>>("/config/admin");
  const active = admin.dkim_selector;
  if (active && active !== inputs.selector && toBool(admin.dkim_sign) && !(await settings()).adoptExisting) {
    // PMG's POST makes the selector active at once: with signing on, mail would be signed with a key
    // DNS does not serve yet.
    throw new AdoptionRefusedError(
      `pmg: DKIM signing on ${inputs.endpoint} is on with selector ${active}; making ${inputs.selector} active now would sign ` +
        `with a key no DNS record publishes yet. Nothing was changed. Publish ${inputs.selector}._domainkey first, or accept the ` +
        `switch: \`pulumi config set homelab-mail:adoptExisting true\` and \`pulumi up\`.`,
    );
  }
  try {
    await client.create("/config/dkim/selector", { selector: inputs.selector, keysize: inputs.keySize });
  } catch (e) {
    if (e instanceof PmgApiError && /different size/.test(e.serverMessage)) {
      const bits = /different size \((\d+) bits\)/.exec(e.serverMessage)?.[1] ?? "another size";
      throw new AdoptionRefusedError(
        `pmg: DKIM selector ${inputs.selector} on ${inputs.endpoint} already has a ${bits}-bit key, declared ${inputs.keySize}. ` +
          `Nothing was changed. To adopt the existing key, set homelab-mail:pmg.dkim.keySize to ${bits}; to rotate, choose a new ` +
          `selector name (homelab-mail:pmg.dkim.selector), publish it, then retire the old one.`,
      );
    }
    throw e;
  }
}

export const provider: pulumi.dynamic.ResourceProvider<Inputs, DkimSelectorOutputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const inputs = { ...news, keySize: news.keySize ?? 2048 };
    const add = (property: string, p: v.Problem) => p && failures.push({ property, reason: p });
    if (!v.isUnknown(news.endpoint)) add("endpoint", v.endpoint(news.endpoint));
    if (!v.isUnknown(news.selector)) {
      add("selector", v.dkimSelector(news.selector));
      if (typeof news.selector === "string") inputs.selector = news.selector.toLowerCase();
    }
    if (!v.isUnknown(inputs.keySize)) add("keySize", v.dkimKeySize(inputs.keySize));
    return { inputs, failures };
  },

  async diff(_id, olds, news) {
    const replaces = (["endpoint", "selector", "keySize"] as const).filter(
      (k) => v.isUnknown(news[k]) || olds[k] !== news[k],
    );
    // A selector someone switched away from by hand is switched back by an update.
    return { changes: replaces.length > 0 || olds.active === false, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    // One read says which selector is active and whether PMG signs (the guard in `activate`). Ours,
    // with a key of the declared size (the guide's `pmgsh create /config/dkim/selector`), is adopted
    // as it is, without a POST that would rewrite pmg.conf. A new one is that read, the POST, and the
    // read of the key PMG generated (the POST answers null): 3 requests (issue 15; it was 5).
    const client = await pmgClient(inputs.endpoint);
    const admin = await client.get<Record<string, unknown>>("/config/admin");
    if (admin.dkim_selector === inputs.selector) {
      const found = await observe(inputs);
      if (found?.active && found.keySize === inputs.keySize) return { id: inputs.selector, outs: found };
    }
    await activate(inputs, admin);
    const outs = await observe(inputs);
    if (!outs?.active)
      throw new Error(
        `pmg: DKIM selector ${inputs.selector} was set but PMG does not report it active; run pulumi up again`,
      );
    return { id: inputs.selector, outs };
  },

  async read(id, props) {
    const inputs = {
      endpoint: String(props?.endpoint),
      selector: id,
      keySize: Number(props?.keySize ?? 2048),
    };
    const outs = await observe(inputs, props);
    if (!outs) return gone();
    const declared = { endpoint: outs.endpoint, selector: outs.selector, keySize: outs.keySize };
    return { id, props: outs, inputs: declared as DkimSelectorOutputs };
  },

  async update(_id, olds, news) {
    await activate(news);
    const outs = await observe(news, olds);
    if (!outs?.active)
      throw new Error(
        `pmg: DKIM selector ${news.selector} was set but PMG does not report it active; run pulumi up again`,
      );
    return { outs };
  },

  async delete(id, props) {
    const client = await pmgClient(String(props.endpoint));
    const admin = await client.get<Record<string, unknown>>("/config/admin");
    // Deactivate only our own selector, and never under active signing (that would sign with nothing).
    if (admin.dkim_selector === (props.selector ?? id) && !toBool(admin.dkim_sign)) {
      await client.update("/config/admin", { delete: "dkim_selector" });
    }
  },
};
