// Pulumi's closure serializer (used when a dynamic resource is constructed, e.g. under mocks)
// requires every Node built-in module to recognise captured ones
// (@pulumi/pulumi runtime/closure/createClosure.ts, computeBuiltInModules). Loading `node:test`
// creates the test runner's TestReporterScope, an async resource that is never destroyed: jest's
// --detectOpenHandles reports it after every suite that serializes a provider. Nothing here uses
// node:test, so it is an empty module.
jest.mock("node:test", () => ({}));
jest.mock("node:test/reporters", () => ({}));
