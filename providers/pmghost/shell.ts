/**
 * Building remote shell commands and keeping secrets out of what comes back. sshd hands a command
 * to the login shell (`sh -c`), so every value from config or state is passed single-quoted: inside
 * '...' the shell interprets nothing, and a quote is written as '\'' (close, escaped quote, reopen).
 */

/** One shell word holding `value` literally. NUL cannot travel in an argument, so it is refused. */
export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new Error("a shell argument cannot contain a NUL byte");
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A command line from a program and its arguments, every argument quoted. */
export function shellCommand(program: string, ...args: string[]): string {
  if (!/^[A-Za-z0-9_./-]+$/.test(program)) throw new Error(`not a plain program name: ${program}`);
  return [program, ...args.map(shellQuote)].join(" ");
}

/** `text` with every secret replaced, longest first (so a secret containing another one goes whole). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const list = secrets
    .filter((s): s is string => typeof s === "string" && s.length >= 3)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of list) out = out.split(s).join("[redacted]");
  return out;
}

/** The first lines of a command's output, trimmed, for an error message. */
export function excerpt(text: string, maxChars = 400): string {
  const t = text.trim().replace(/\s*\n\s*/g, " | ");
  return t.length > maxChars ? `${t.slice(0, maxChars)}...` : t;
}
