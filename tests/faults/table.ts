/** Collects fault-suite results and writes them to docs/faults-<system>.md. */
import * as fs from "node:fs";
import * as path from "node:path";

export interface FaultRow {
  readonly fault: string;
  readonly operation: string;
  /** What the deployment did: "converged", or "failed: <first words of the message>" then "converged on the next up". */
  readonly outcome: string;
  /** Requests the server saw for the operation. */
  readonly requests: number;
  readonly ms: number;
}

export class FaultTable {
  private readonly rows: FaultRow[] = [];
  constructor(private readonly system: string) {}

  add(row: FaultRow): void {
    this.rows.push(row);
  }

  write(): void {
    const doc = [
      `# Faults tried against ${this.system}`,
      "",
      `Written by \`tests/faults/${this.system}.test.ts\` on every run, through the provider host against the`,
      "stand-in server. After each row the test asserts that state and server agree: state never claims",
      "an object the server does not have, and the server holds nothing state does not know of.",
      "Requests and times are measured in that run.",
      "",
      "| fault | operation | outcome | requests | ms |",
      "| --- | --- | --- | --- | --- |",
      ...this.rows.map(
        (r) =>
          `| ${r.fault} | ${r.operation} | ${r.outcome.replace(/\|/g, "\\|")} | ${r.requests} | ${r.ms} |`,
      ),
      "",
    ].join("\n");
    fs.mkdirSync(path.join(__dirname, "../../docs"), { recursive: true });
    fs.writeFileSync(path.join(__dirname, `../../docs/faults-${this.system}.md`), doc);
  }
}
