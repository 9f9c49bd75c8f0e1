import { refusedHint } from "../../verify/checks/relay";

describe("the relay check's hint for a refusal", () => {
  it("blames the port, not the trusted networks, when the relay is PMG's external port 25", () => {
    expect(refusedHint({ host: "pmg", port: 25, auth: "none (trusted networks)" })).toMatch(
      /external port.*internal port \(int_port, default 26\)/,
    );
  });

  it("names the trusted networks on the internal port", () => {
    expect(refusedHint({ host: "pmg", port: 26, inboundPort: 25, auth: "none (trusted networks)" })).toMatch(
      /on port 26 only for pmg\.trustedNetworks/,
    );
  });
});
