/**
 * Objects a create or update in this deployment took over, by an identity that does not depend on
 * how the server is reached (URL, SSH address). An endpoint change makes the engine replace a
 * resource: it creates the new one first (which adopts the very object already there) and deletes
 * the old one at the end of the run (pulumi/pulumi pkg/resource/deploy/step_generator.go,
 * generateSteps: create-before-delete unless deleteBeforeReplace, "the delete step is generated
 * 'later' on, after all creates/updates finish"). Both run in the one provider process of the
 * deployment, so the old resource's delete finds the claim here and leaves the object alone.
 *
 * This is a real module in the provider host (loaded through the shim), so the set lasts for the
 * process: one deployment.
 */
const claimed = new Map<string, Set<string>>();

/** `location` is how the object was reached: its endpoint, or SSH address and port. */
export function claim(identity: string | undefined, location: string): void {
  if (!identity) return;
  const at = claimed.get(identity) ?? new Set<string>();
  claimed.set(identity, at.add(location));
}

/**
 * True when a create or update in this process took over the object through another location: a
 * delete through `location` would remove what the replacement just adopted. A delete through the
 * same location (a removed resource, a destroy) is never skipped.
 */
export function isClaimedElsewhere(identity: string | undefined, location: string): boolean {
  if (!identity) return false;
  return [...(claimed.get(identity) ?? [])].some((l) => l !== location);
}
