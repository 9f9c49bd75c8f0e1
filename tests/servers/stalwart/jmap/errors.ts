// JMAP errors as Stalwart 0.16 writes them: SetErrors per object in notCreated/notUpdated/
// notDestroyed, and method-level errors in place of a response (jmap-0.16.md §2).

export class SetError extends Error {
  constructor(readonly body: Record<string, unknown>) {
    super(String(body.type));
  }
}

export class MethodError extends Error {
  constructor(
    readonly type: string,
    readonly description?: string,
  ) {
    super(type);
  }
  response(): Record<string, unknown> {
    return this.description === undefined
      ? { type: this.type }
      : { type: this.type, description: this.description };
  }
}

export const invalidPatch = (description: string, properties?: string[]) =>
  new SetError({ type: "invalidPatch", description, ...(properties ? { properties } : {}) });
export const invalidValue = (property: string) => invalidPatch("Invalid value for property.", [property]);
export const invalidProperties = (description: string, properties: string[]) =>
  new SetError({ type: "invalidProperties", description, properties });
export const required = (property: string) =>
  new SetError({ type: "validationFailed", validationErrors: [{ type: "Required", property }] });
export const primaryKeyViolation = (property: string, object: string, id: string) =>
  new SetError({ type: "primaryKeyViolation", properties: [property], objectId: { object, id } });
export const invalidForeignKey = (object: string, id: string) =>
  new SetError({ type: "invalidForeignKey", objectId: { object, id } });
export const objectIsLinked = (object: string, id: string, linkedObjects: { object: string; id: string }[]) =>
  new SetError({ type: "objectIsLinked", objectId: { object, id }, linkedObjects });
export const notFound = () => new SetError({ type: "notFound" });
