// What the generic /get, /query and /set methods (methods.ts) need to know about one object type.
import type { Shape } from "./patch";
import type { JmapStore } from "./store";

export type Wire = Record<string, unknown>;

export interface Kind<R extends { id: number }> {
  readonly name: "Domain" | "Account";
  readonly shape: Shape;
  records(store: JmapStore): Map<number, R>;
  /** A create's starting point: every property at its server default. */
  defaults(): Wire;
  /** The writable properties of a record, as a patch base (secrets kept, hidden). */
  wire(store: JmapStore, r: R): Wire;
  /** What /get returns (all properties; `full` when `properties` was not restricted). */
  view(store: JmapStore, r: R, full: boolean): Wire;
  /** Validates a whole wire object into a record; throws a SetError. */
  build(store: JmapStore, wire: Wire, id: number, existing?: R): R;
  /** Throws objectIsLinked when other objects still point at it. */
  checkDestroy(store: JmapStore, r: R): void;
  /** Whether `r` matches one filter condition; undefined when the filter is not supported. */
  matches(store: JmapStore, r: R, key: string, value: unknown): boolean | undefined;
}
