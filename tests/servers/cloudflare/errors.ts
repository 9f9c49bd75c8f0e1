/**
 * Cloudflare's v4 API answers every call in one envelope (`success`, `errors`, `messages`, `result`);
 * a refusal carries numbered errors. The codes here are the ones the chain meets, each with its source.
 */
export class CfError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly chain?: { code: number; message: string }[],
  ) {
    super(message);
  }
}

export const refusals = {
  /** Any API call with a token it does not know (the envelope real zones answer; assumptions.md). */
  authentication: () => new CfError(403, 10000, "Authentication error"),
  /** No or malformed Authorization header. */
  badHeaders: () =>
    new CfError(400, 6003, "Invalid request headers", [
      { code: 6111, message: "Invalid format for Authorization header" },
    ]),
  notFound: (what: string) =>
    new CfError(404, 7003, `Could not route to ${what}, perhaps your object identifier is invalid?`),
  /**
   * api-schemas, operation `email-routing-routing-rules-create-routing-rule`: "Forward actions require
   * exactly one verified destination address"; the answer is 400, 2054 (issue 13;
   * terraform-provider-cloudflare PR #7032 moved the provider's tests to pre-verified addresses).
   */
  unverified: () => new CfError(400, 2054, "Destination address is not verified"),
  /** terraform-provider-cloudflare#5890: `name` = the zone apex answers 422, 2007 (message verbatim). */
  notSubdomain: (zone: string) => new CfError(422, 2007, `Invalid Input: must be a a subdomains of ${zone}`),
  /** Creating a destination address the account already has (issue 13). */
  addressExists: () => new CfError(400, 100640, "destination address already exists"),
  /** DNS records API: the same type, name and content twice. */
  identicalRecord: () => new CfError(400, 81058, "An identical record already exists."),
  /** Records Email Routing added and locked ("Add and lock the necessary MX and SPF records"). */
  locked: () =>
    new CfError(400, 1004, "DNS Validation Error", [
      {
        code: 81071,
        message: "This record is managed by Email Routing; unlock or disable Email Routing to change it",
      },
    ]),
  invalid: (message: string) => new CfError(400, 1004, message),
};
