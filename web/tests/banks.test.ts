// Banks and account numbers as people type them: the list is the server's
// (layers/domain/tombola/domain/banks.py), a number is checked as the server checks it, and a
// refusal is said in Korean and English next to its field.
import { readFileSync } from "node:fs";

import { afterEach, describe, expect, it } from "vitest";

import { ApiProblem } from "../src/api/problem";
import { accountDigits, accountNumberProblem, accountText, BANKS, bankLabel } from "../src/banks";
import { fieldProblemText } from "../src/errors";
import { lang } from "../src/i18n";

afterEach(() => lang.set("ko"));

describe("the banks", () => {
  it("are the server's: the same codes, names and PortOne codes, in the same order", () => {
    const server = readFileSync(new URL("../../layers/domain/tombola/domain/banks.py", import.meta.url), "utf8");
    // Bank("004", "KB국민", "KB Kookmin Bank", "KOOKMIN"),
    const found = [...server.matchAll(/Bank\("(\d{3})", "([^"]+)", "([^"]+)", "([A-Z_]+)"\)/g)].map((m) => ({
      code: m[1],
      name: m[2],
      english: m[3],
      portone: m[4],
    }));
    expect(found.length).toBeGreaterThan(10);
    expect(BANKS).toEqual(found);
  });

  it("read in the reader's language", () => {
    const shinhan = BANKS.find((b) => b.code === "088")!;
    expect(bankLabel(shinhan, "ko")).toBe("신한");
    expect(bankLabel(shinhan, "en")).toBe("Shinhan Bank (신한)");
  });
});

describe("an account number as typed", () => {
  it("is its digits: full-width made ASCII, spaces and hyphens dropped", () => {
    expect(accountDigits("110-123-456789")).toBe("110123456789");
    expect(accountDigits("１１０－１２３ ４５６７８９")).toBe("110123456789");
    expect(accountDigits("110\u3000123\u2010456789")).toBe("110123456789");
  });

  it("is 10 to 16 digits, or said to be before sending", () => {
    expect(accountNumberProblem("")).toBeNull();
    expect(accountNumberProblem("110-123-456789")).toBeNull();
    expect(accountNumberProblem("1234567890")).toBeNull();
    expect(accountNumberProblem("1234567890123456")).toBeNull();
    expect(accountNumberProblem("123-456")).toEqual({ min_digits: 10, max_digits: 16, digits: 6 });
    expect(accountNumberProblem("12345678901234567")).toEqual({ min_digits: 10, max_digits: 16, digits: 17 });
    expect(accountNumberProblem("김민지 110123456789")).toEqual({ min_digits: 10, max_digits: 16, digits: -1 });
  });

  it("that does not fit is said in Korean and English, as the server's refusal is", () => {
    const wrong = accountNumberProblem("123-456")!;
    const p = ApiProblem.local("invalid_input", "payout_account.number", wrong, "account_number_invalid");
    const [problem] = p.about("payout_account.number");
    expect(fieldProblemText(p, problem)).toBe("계좌번호는 숫자 10~16자리입니다. 입력한 번호는 6자리입니다.");
    lang.set("en");
    expect(fieldProblemText(p, problem)).toBe("An account number has 10 to 16 digits; this one has 6.");
    const letters = ApiProblem.local("invalid_input", "payout_account.number", accountNumberProblem("12-ab")!, "account_number_invalid");
    expect(fieldProblemText(letters, letters.about("payout_account.number")[0])).toBe(
      "An account number is 10 to 16 digits; hyphens and spaces are fine.",
    );
  });

  it("concerns its own field, not the refund account's", () => {
    const p = ApiProblem.local("invalid_input", "payout_account.number", accountNumberProblem("1")!, "account_number_invalid");
    expect(p.about("payout_account.number")).toHaveLength(1);
    expect(p.about("refund_account.number")).toHaveLength(0);
  });
});

describe("a payout account for the operator", () => {
  it("is its bank, number and holder; an old free-text one as typed", () => {
    const view = { bank: "088", bank_name: "신한", number: "110123456789", holder_name: "김민지", masked: "신한 …6789" };
    expect(accountText(view)).toBe("신한 110123456789 (김민지)");
    expect(accountText({ bank: null, bank_name: null, number: "KB-000-1234", holder_name: null, masked: "…1234" })).toBe("KB-000-1234");
    expect(accountText(null)).toBe("—");
  });
});
