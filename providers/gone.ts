import type * as pulumi from "@pulumi/pulumi";

/** What `read` returns for an object that no longer exists: an empty id makes refresh drop it from state. */
export function gone<T>(): pulumi.dynamic.ReadResult<T> {
  return { id: "" };
}
