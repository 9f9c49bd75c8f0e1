import {
  renderSaslMap,
  saslKeys,
  saslPasswordProblem,
  saslUserProblem,
} from "../../../providers/pmghost/saslMap";
import { postmapQuery } from "./realTools";

const USER = "lab-service-box@example.com";

describe("renderSaslMap", () => {
  it("answers the lookup Postfix makes for PMG's unbracketed smarthost, and the bracketed form, through real postmap", () => {
    const password = "abcd efgh ijkl mnop";
    const text = renderSaslMap("smtp.gmail.com", 587, USER, password);
    // PMG renders `default_transport = smtp:smtp.gmail.com:587`: the smtp client looks up `smtp.gmail.com:587`.
    expect(postmapQuery(text, ["smtp.gmail.com:587", "[smtp.gmail.com]:587", "SMTP.Gmail.com:587"])).toEqual([
      `${USER}:${password}`,
      `${USER}:${password}`,
      `${USER}:${password}`,
    ]);
    // No credential for any other host or port.
    expect(postmapQuery(text, ["smtp.gmail.com:25", "smtp.gmail.com", "evil.example:587"])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it.each(["p;w $(id) `id` 'x' \"y\" #z \\", "a:b:c", "x".repeat(256)])(
    "keeps the password %j intact through postmap",
    (password) => {
      expect(saslPasswordProblem(password)).toBeUndefined();
      const [answer] = postmapQuery(renderSaslMap("smtp.gmail.com", 587, USER, password), [
        "smtp.gmail.com:587",
      ]);
      expect(answer).toBe(`${USER}:${password}`);
    },
  );

  it("writes the keys host:port first, lower-cased", () => {
    expect(saslKeys("SMTP.gmail.com", 465)).toEqual(["smtp.gmail.com:465", "[smtp.gmail.com]:465"]);
  });
});

describe("saslPasswordProblem and saslUserProblem", () => {
  it.each([
    ["a line break", "a\nb", /printable ASCII/],
    ["a NUL", "a\0b", /printable ASCII/],
    ["a leading space", " ab", /start or end with a space/],
    ["257 characters", "x".repeat(257), /at most 256/],
    ["nothing", "", /empty/],
  ])("rejects a password with %s", (_label, value, reason) => {
    expect(saslPasswordProblem(value)).toMatch(reason);
  });

  it.each([
    ["a colon", "a:b@example.com", /':'/],
    ["a space", "a b@example.com", /without spaces/],
    ["a line break", "a\n@example.com", /without spaces/],
  ])("rejects a login with %s", (_label, value, reason) => {
    expect(saslUserProblem(value)).toMatch(reason);
  });
});
