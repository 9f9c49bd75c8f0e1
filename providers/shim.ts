/**
 * The `__provider` every dynamic resource of this project stores in state. It is a tiny, stable
 * shim: each method loads the real implementation (providers/host.js) at call time, from the
 * directory the engine starts the provider host in (the project directory). So:
 *  - editing implementation code does not change `__provider`, and no preview shows
 *    `~__provider` on every resource (pulumi/pulumi#12401);
 *  - refresh and destroy run the current code, not code frozen in state;
 *  - the text holds no absolute path, so another checkout elsewhere can refresh the stack.
 * The text is permanent: never move providers/host(.js) or change what this file serializes (the
 * dynamic-provider host replaces every resource whose serialized provider changed).
 */
import type * as pulumi from "@pulumi/pulumi";

const shims: Record<string, pulumi.dynamic.ResourceProvider> = {};

/** The shim for one resource kind (`<module>:<Type>`); one object per kind, so it is serialized once. */
export function shimProvider(kind: string): pulumi.dynamic.ResourceProvider {
  return (shims[kind] ??= makeShim(kind));
}

function makeShim(kind: string): pulumi.dynamic.ResourceProvider {
  const load = () => {
    // The provider host is plain Node: teach it TypeScript once, then load the implementation as a
    // real module (real module state; a serialized closure would reset it on every call).
    if (!require.extensions[".ts"]) require("ts-node").register({ transpileOnly: true });
    return require(require("path").join(process.cwd(), "providers", "host"));
  };
  return {
    configure: async (req) => load().configure(req.config),
    check: async (olds, news) => load().provider(kind).check(olds, news),
    diff: async (id, olds, news) => load().provider(kind).diff(id, olds, news),
    create: async (inputs) => load().provider(kind).create(inputs),
    read: async (id, props) => load().provider(kind).read(id, props),
    update: async (id, olds, news) => load().provider(kind).update(id, olds, news),
    delete: async (id, props) => load().provider(kind).delete(id, props),
  };
}
