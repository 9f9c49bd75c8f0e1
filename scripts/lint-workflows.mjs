// Parses every workflow with GitHub's own parser (@actions/workflow-parser) and prints
// {file, errors[]} per workflow as JSON. ESM-only, so it runs as its own process.
import { readdirSync, readFileSync } from "node:fs";
import { registerHooks } from "node:module";
import { join } from "node:path";

// The package imports its JSON schema without `with { type: "json" }` (it is built for bundlers).
registerHooks({
  load(url, context, next) {
    return next(url, url.endsWith(".json") ? { ...context, importAttributes: { type: "json" } } : context);
  },
});
const { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } = await import("@actions/workflow-parser");

const dir = process.argv[2] ?? ".github/workflows";
const results = [];
for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
  const content = readFileSync(join(dir, name), "utf8");
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message ?? String(e)));
  }
  results.push({ file: name, errors });
}
process.stdout.write(JSON.stringify(results) + "\n");
