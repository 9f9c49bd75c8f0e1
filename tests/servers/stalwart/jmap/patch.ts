// Applying a JMAP patch object to an object's wire form (registry/src/jmap/patch.rs, types/list.rs,
// types/map.rs): a key is a top-level property (replaced whole) or a JSON pointer (RFC 6901) into a
// list, map or set. In lists (`{"0": …, "1": …}` on the wire) `null` deletes an entry; in sets
// `true` adds and `null`/`false` removes; in maps `null` deletes a key.
import { invalidPatch } from "./errors";

export interface Shape {
  /** Properties a client may write. */
  readonly writable: readonly string[];
  /** Properties only the server sets ("Cannot modify server set property"). */
  readonly serverSet: readonly string[];
  readonly lists: readonly string[];
  readonly sets: readonly string[];
  readonly maps: readonly string[];
}

type Wire = Record<string, unknown>;
const DELETED = Symbol("deleted");

const unescape = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~");

/** The property a create or patch key names; throws the invalidPatch Stalwart sends for it. */
export function checkKey(shape: Shape, top: string): void {
  if (top === "id") throw invalidPatch("Invalid property", ["id"]);
  if (shape.serverSet.includes(top)) throw invalidPatch("Cannot modify server set property", [top]);
  if (top !== "@type" && !shape.writable.includes(top)) throw invalidPatch("Invalid property", [top]);
}

export function applyPatch(shape: Shape, wire: Wire, patch: Wire): Wire {
  const out: Wire = structuredClone(wire);
  const lists = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(patch)) {
    const parts = key.split("/").map(unescape);
    const top = parts[0];
    checkKey(shape, top);
    if (parts.length === 1) {
      out[top] = value;
      lists.delete(top);
      continue;
    }
    const sub = parts[1];
    if (shape.lists.includes(top)) {
      const list = lists.get(top) ?? toArray(out[top]);
      lists.set(top, list);
      if (!/^\d+$/.test(sub) || Number(sub) > list.length)
        throw invalidPatch("Invalid key for object", [key]);
      const i = Number(sub);
      if (parts.length === 2) {
        list[i] = value === null ? DELETED : value;
      } else {
        const entry = list[i];
        if (!entry || entry === DELETED || typeof entry !== "object")
          throw invalidPatch("Invalid key for object", [key]);
        setPath(entry as Wire, parts.slice(2), value, key);
      }
    } else if (shape.sets.includes(top)) {
      if (parts.length !== 2) throw invalidPatch("Invalid key for object", [key]);
      const set = { ...((out[top] as Wire | undefined) ?? {}) };
      if (value === true) set[sub] = true;
      else if (value === null || value === false) delete set[sub];
      else throw invalidPatch("Invalid value for property.", [key]);
      out[top] = set;
    } else {
      const target = out[top];
      if (!target || typeof target !== "object") throw invalidPatch("Invalid key for object", [key]);
      out[top] = structuredClone(target);
      setPath(out[top] as Wire, parts.slice(1), value, key, shape.maps.includes(top));
    }
  }
  for (const [top, list] of lists)
    out[top] = Object.fromEntries(list.filter((x) => x !== DELETED).map((x, i) => [String(i), x]));
  return out;
}

function setPath(target: Wire, path: string[], value: unknown, key: string, isMap = false): void {
  let obj = target;
  for (const p of path.slice(0, -1)) {
    if (!obj[p] || typeof obj[p] !== "object") throw invalidPatch("Invalid key for object", [key]);
    obj = obj[p] as Wire;
  }
  const last = path[path.length - 1];
  if (value === null && isMap) delete obj[last];
  else obj[last] = value;
}

/** A list's wire form (`{"0": a, "1": b}`) as an array in index order. */
export function toArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return [...value];
  if (!value || typeof value !== "object") return [];
  return Object.entries(value as Wire)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, v]) => v);
}
