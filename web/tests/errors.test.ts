// Every refusal the API can answer has words in Korean and English, filled with the bounds the
// server sends; unknown codes get a general sentence, never the server's English.
import { readdirSync, readFileSync } from "node:fs";

import { afterEach, describe, expect, it } from "vitest";

import { ApiProblem, problemOf } from "../src/api/problem";
import { trackingUrl } from "../src/carriers";
import { API_CODES, codeText, errorText, fieldProblemText, VALIDATION_TYPES } from "../src/errors";
import { lang, money, shortTicket } from "../src/i18n";
import { en } from "../src/i18n/en";
import { ko } from "../src/i18n/ko";

afterEach(() => lang.set("ko"));

const source = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

describe("the API's error codes", () => {
  it("lists every code the server defines", () => {
    const server = [
      ...readdirSync(new URL("../../layers/domain/tombola/domain/", import.meta.url))
        .filter((f) => f.endsWith(".py"))
        .flatMap((f) => [...source(`../../layers/domain/tombola/domain/${f}`).matchAll(/code = "(\w+)"/g)]),
      ...source("../../layers/domain/tombola/adapters/http.py").matchAll(/"code": "(\w+)"/g),
      ...source("../../layers/domain/tombola/adapters/request_body.py").matchAll(/HTTPStatus\.\w+,\s*"(\w+)"/g),
    ].map((m) => m[1]);
    expect(server.length).toBeGreaterThan(25);
    for (const code of server) expect(API_CODES, code).toContain(code);
  });

  it("lists every validation type of the server's own (its models' PydanticCustomError)", () => {
    const types = [...source("../../layers/domain/tombola/api/models.py").matchAll(/PydanticCustomError\(\s*"(\w+)"/g)].map((m) => m[1]);
    expect(types).toContain("tracking_number_invalid");
    for (const type of types) expect(VALIDATION_TYPES, type).toContain(type);
  });

  it.each(API_CODES)("%s has words in both languages", (code) => {
    const key = `err_${code}` as keyof typeof ko;
    expect(ko[key], code).toBeTruthy();
    expect(en[key], code).toBeTruthy();
    for (const l of ["ko", "en"] as const) {
      lang.set(l);
      const text = codeText(code, null, null);
      expect(text).not.toBe(l === "ko" ? en.err_unknown : ko.err_unknown);
      expect(text).not.toMatch(/\{\w+\}/);
    }
  });

  it.each(VALIDATION_TYPES)("validation %s has words in both languages", (type) => {
    for (const l of ["ko", "en"] as const) {
      lang.set(l);
      const text = fieldProblemText(
        new ApiProblem(422, "invalid_input", "x", "body.price", null, [{ field: "price", type, message: "x", limits: { gt: 0, ge: 1, lt: 9, le: 9, min_length: 2, max_length: 9 } }]),
        { field: "price", type, message: "x", limits: { gt: 0, ge: 1, lt: 9, le: 9, min_length: 2, max_length: 9 } },
      );
      expect(text).not.toMatch(/\{\w+\}/);
      expect(text).not.toBe(l === "ko" ? ko.val_other : en.val_other);
    }
  });
});

describe("a refusal in words", () => {
  it("says the ticket limit with the server's figures", () => {
    const e = problemOf(409, "Conflict", {
      error: { code: "ticket_limit_exceeded", message: "a buyer may hold at most 4 tickets", field: "tickets", limits: { limit: 4, left: 1 } },
    });
    expect(errorText(e)).toBe("이 추첨에서는 1인당 최대 4장까지 가질 수 있습니다. 더 살 수 있는 수: 1장.");
    lang.set("en");
    expect(errorText(e)).toBe("You may hold at most 4 tickets on this listing; 1 left for you.");
  });

  it("says a deadline out of bounds as lengths of time", () => {
    const e = problemOf(422, "", {
      error: { code: "out_of_range", message: "deadlines.second_payment must be between 1 and 604800 seconds", field: "deadlines.second_payment", limits: { min: 1, max: 604800 } },
    });
    expect(e.about("second_payment")).toHaveLength(1);
    lang.set("en");
    expect(errorText(e)).toBe("Choose from 1 second to 7 days.");
    lang.set("ko");
    expect(errorText(e)).toBe("1초에서 7일 사이로 정하세요.");
  });

  it("says a validation problem by its type, on its field, in Korean amounts", () => {
    const e = problemOf(422, "", {
      error: { code: "invalid_input", message: "body.price: Input should be greater than 0", field: "body.price" },
      problems: [
        { field: "body.price", type: "greater_than", message: "Input should be greater than 0", limits: { gt: 0 } },
        { field: "body.email", type: "string_pattern_mismatch", message: "String should match pattern", limits: { pattern: "x" } },
      ],
    });
    expect(e.field).toBe("price");
    expect(fieldProblemText(e, e.about("price")[0])).toBe("0원보다 커야 합니다.");
    expect(fieldProblemText(e, e.about("email")[0])).toBe("name@example.com 같은 이메일 주소를 입력하세요.");
    const left = e.without("price");
    expect(left?.about("price")).toEqual([]);
    expect(left?.field).toBe("email");
    expect(left?.without("email")).toBeNull();
  });

  it("gives an unknown code a general sentence, not the server's words", () => {
    const e = problemOf(418, "I'm a teapot", { error: { code: "teapot", message: "short and stout" } });
    expect(errorText(e)).toBe(ko.err_unknown);
    expect(errorText(problemOf(503, "Service Unavailable", {}))).toBe(ko.err_server);
    expect(errorText(new TypeError("Failed to fetch"))).toBe(ko.err_network);
  });
});

describe("figures people read", () => {
  it("writes won as Korean readers expect, and ₩ in English", () => {
    expect(money(10_000, "KRW")).toBe("10,000원");
    lang.set("en");
    expect(money(10_000, "KRW")).toBe("₩10,000");
  });

  it("shortens a ticket id to grouped hex, keeping its number", () => {
    expect(shortTicket("E3f2a91c0aa11bb22cc33-2")).toBe("3f2a-91c0-2");
    expect(shortTicket("T00001-0")).toBe("T00001-0");
  });

  it("links Korean carriers' tracking pages, and nothing for others", () => {
    expect(trackingUrl("CJ대한통운", "6001-2002")).toBe("https://www.cjlogistics.com/ko/tool/parcel/tracking?gnbInvcNo=60012002");
    expect(trackingUrl("CJ Logistics", "1")).toContain("cjlogistics");
    expect(trackingUrl("한진", "1")).toContain("hanjin");
    expect(trackingUrl("롯데택배", "1")).toContain("lotteglogis");
    expect(trackingUrl("우체국", "1")).toContain("epost.go.kr");
    expect(trackingUrl("Bicycle courier", "1")).toBeNull();
  });
});
