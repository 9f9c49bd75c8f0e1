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
const claimed = new Set<string>();

export function claim(identity: string | undefined): void {
  if (identity) claimed.add(identity);
}

export function isClaimed(identity: string | undefined): boolean {
  return identity !== undefined && claimed.has(identity);
}
