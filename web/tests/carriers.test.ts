// Tracking numbers as sellers type them: a known carrier's as its digits (full-width made ASCII,
// spaces and hyphens dropped), refused in words before sending when the count does not fit; the
// carriers and their lengths are the server's (layers/domain/tombola/domain/tracking.py).
import { readFileSync } from "node:fs";

import { afterEach, describe, expect, it } from "vitest";

import { ApiProblem } from "../src/api/problem";
import { CARRIERS, checkedCarrier, trackingDigits, trackingProblem, trackingToSend, trackingUrl } from "../src/carriers";
import { fieldProblemText } from "../src/errors";
import { lang } from "../src/i18n";

afterEach(() => lang.set("ko"));

describe("a tracking number as typed", () => {
  it("is its digits: full-width made ASCII, spaces and hyphens dropped", () => {
    expect(trackingDigits("1234-5678-9012")).toBe("123456789012");
    expect(trackingDigits(" １２３４ ５６７８ ９０１２ ")).toBe("123456789012");
    expect(trackingDigits("１２３４－５６７８")).toBe("12345678"); // a full-width hyphen
    expect(trackingDigits("1234‐5678–9012")).toBe("123456789012"); // typographic dashes
  });

  it("is sent as digits for a known carrier, and as typed (trimmed) for another", () => {
    expect(trackingToSend("CJ대한통운", "1234-5678-9012")).toBe("123456789012");
    expect(trackingToSend("우체국", "１２３４ ５６７８ ９０１２３")).toBe("1234567890123");
    expect(trackingToSend("Bicycle courier", "  T-12 ")).toBe("T-12");
  });

  it("fits a known carrier's lengths or is said to", () => {
    expect(trackingProblem("CJ대한통운", "1234-5678-90")).toBeNull(); // 10 digits
    expect(trackingProblem("CJ대한통운", "1234-5678-9012")).toBeNull(); // 12
    expect(trackingProblem("한진택배", "12345")).toEqual({ carrier: "한진택배", lengths: "10,12", digits: 5 });
    expect(trackingProblem("롯데", "1234567890123")).toBeNull();
    expect(trackingProblem("로젠택배", "123456789012")).toEqual({ carrier: "로젠택배", lengths: "11", digits: 12 });
    expect(trackingProblem("우체국택배", "ABC-1234")).toEqual({ carrier: "우체국택배", lengths: "13", digits: -1 });
    expect(trackingProblem("우체국택배", "")).toBeNull(); // nothing typed yet: "required" says it
    expect(trackingProblem("Bicycle courier", "12")).toBeNull(); // free text
  });

  it("allows another carrier's number only letters, digits, hyphens and spaces", () => {
    const chars = { allowed: "letters, digits, hyphens and spaces" };
    expect(trackingProblem("Bicycle courier", "BC-77 x")).toBeNull();
    expect(trackingProblem("Bicycle courier", "택배-12")).toBeNull();
    expect(trackingProblem("Bicycle courier", "ＢＣ－７７")).toBeNull(); // full-width
    expect(trackingProblem("Bicycle courier", "BC\u000777")).toEqual(chars); // a control character
    expect(trackingProblem("Bicycle courier", "BC\u200b77")).toEqual(chars); // zero-width space
    expect(trackingProblem("Bicycle courier", "BC\u202e77")).toEqual(chars); // right-to-left override
    expect(trackingProblem("Bicycle courier", "BC/77")).toEqual(chars);
    expect(trackingProblem("CJ", "T\t1")).toEqual(chars); // a bare "CJ" is another carrier
    const p = ApiProblem.local("invalid_input", "tracking_number", chars, "tracking_number_invalid");
    expect(fieldProblemText(p, p.about("tracking_number")[0])).toBe("운송장 번호에는 글자, 숫자, 하이픈(-), 띄어쓰기만 쓸 수 있습니다.");
    lang.set("en");
    expect(fieldProblemText(p, p.about("tracking_number")[0])).toBe("A tracking number has only letters, digits, hyphens and spaces.");
  });

  it("holds a seller to a carrier named surely, not by a bare two letters", () => {
    expect(checkedCarrier("CJ 대한통운")?.name).toBe("CJ대한통운");
    expect(checkedCarrier("우체국택배(등기)")?.name).toBe("우체국택배");
    expect(checkedCarrier("롯데")?.name).toBe("롯데택배"); // a Korean alias is sure, however short
    expect(checkedCarrier("CJ")).toBeNull();
    expect(trackingProblem("CJ", "T-1")).toBeNull();
    expect(trackingUrl("CJ", "6001-2002")).toContain("cjlogistics"); // still linked
  });

  it("is said in Korean and English, as the server's refusal is", () => {
    const wrong = trackingProblem("CJ대한통운", "12345")!;
    const p = ApiProblem.local("invalid_input", "tracking_number", wrong, "tracking_number_invalid");
    expect(fieldProblemText(p, p.about("tracking_number")[0])).toBe(
      "CJ대한통운 운송장 번호는 숫자 10 또는 12자리입니다. 입력한 번호는 5자리입니다.",
    );
    lang.set("en");
    expect(fieldProblemText(p, p.about("tracking_number")[0])).toBe("A CJ대한통운 tracking number has 10 or 12 digits; this one has 5.");
    const letters = ApiProblem.local("invalid_input", "tracking_number", trackingProblem("우체국", "A1")!, "tracking_number_invalid");
    expect(fieldProblemText(letters, letters.about("tracking_number")[0])).toBe(
      "A 우체국택배 tracking number is digits only (13 of them); spaces and hyphens are fine.",
    );
  });

  it("knows the carriers, names and lengths the server knows", () => {
    const server = readFileSync(new URL("../../layers/domain/tombola/domain/tracking.py", import.meta.url), "utf8");
    // Carrier("CJ대한통운", frozenset({"cj", …}), (10, 12)),
    const found = [...server.matchAll(/Carrier\(\s*"([^"]+)",\s*frozenset\(\{([^}]*)\}\),\s*\(([\d,\s]+)\)/g)].map((m) => ({
      name: m[1],
      aliases: [...m[2].matchAll(/"([^"]+)"/g)].map((a) => a[1]).sort(),
      lengths: m[3].split(",").map((n) => n.trim()).filter(Boolean).map(Number),
    }));
    expect(found).toEqual(CARRIERS.map((c) => ({ name: c.name, aliases: [...c.aliases].sort(), lengths: c.lengths })));
  });
});
