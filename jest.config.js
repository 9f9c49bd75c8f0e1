/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
  setupFiles: ["<rootDir>/tests/setup/nodeTest.js"],
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/tests/reporter.js"],
};
