import { describe, expect, it } from "vitest";

import { authorizeUrl, challengeOf, claimsOf, tokenRequest } from "../src/api/pkce";

describe("the hosted sign-in (authorization code with PKCE)", () => {
  it("derives the challenge as RFC 7636 does (appendix B)", async () => {
    expect(await challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("asks Cognito for a code with S256 and trades it with the verifier", () => {
    const url = new URL(authorizeUrl("https://auth.example", "client1", "https://web.example/", "CH", "ST"));
    expect(url.pathname).toBe("/oauth2/authorize");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "client1",
      redirect_uri: "https://web.example/",
      code_challenge: "CH",
      code_challenge_method: "S256",
      state: "ST",
    });
    const body = tokenRequest("client1", "https://web.example/", "CODE", "VER");
    expect(body.get("grant_type")).toBe("authorization_code");
    expect(body.get("code_verifier")).toBe("VER");
  });

  it("reads the groups and e-mail from the id token", () => {
    const payload = { sub: "u1", email: "민지@example.com", "cognito:groups": ["seller"] };
    const encoded = Buffer.from(JSON.stringify(payload)).toString("base64url");
    expect(claimsOf(`h.${encoded}.s`)).toEqual(payload);
  });
});
