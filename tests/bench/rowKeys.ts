/** The documented JSON keys of a bench row, in order (docs/bench.md; bench/report.ts `jsonLine` must print exactly these). */
export const ROW_KEYS = [
  "system",
  "api",
  "n",
  "phase",
  "client",
  "wallMs",
  "floorMs",
  "requests",
  "logins",
  "connections",
  "peakRssMb",
];
