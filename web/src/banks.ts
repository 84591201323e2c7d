// Korean banks: a seller's payout account names one by its three-digit code on the interbank
// network (금융결제원), a buyer's refund account by PortOne's code for it. The server keeps the same
// list (layers/domain/tombola/domain/banks.py; a test compares them), and the same rules for an
// account number as typed: hyphens, spaces, full-width digits, kept as 10 to 16 digits.
import type { components } from "./api/schema";

export interface Bank {
  code: string; // three digits
  name: string; // short, as its customers say it: what a masked account starts with
  english: string;
  portone: string; // PortOne's code (a refund of a virtual-account payment)
}

export const BANKS: Bank[] = [
  { code: "004", name: "KB국민", english: "KB Kookmin Bank", portone: "KOOKMIN" },
  { code: "088", name: "신한", english: "Shinhan Bank", portone: "SHINHAN" },
  { code: "020", name: "우리", english: "Woori Bank", portone: "WOORI" },
  { code: "081", name: "하나", english: "Hana Bank", portone: "HANA" },
  { code: "011", name: "NH농협", english: "NH NongHyup Bank", portone: "NONGHYUP" },
  { code: "003", name: "IBK기업", english: "IBK Industrial Bank", portone: "IBK" },
  { code: "090", name: "카카오뱅크", english: "KakaoBank", portone: "KAKAO" },
  { code: "092", name: "토스뱅크", english: "Toss Bank", portone: "TOSS" },
  { code: "089", name: "케이뱅크", english: "K bank", portone: "K_BANK" },
  { code: "023", name: "SC제일", english: "SC First Bank", portone: "STANDARD_CHARTERED" },
  { code: "027", name: "씨티", english: "Citibank Korea", portone: "CITI" },
  { code: "002", name: "KDB산업", english: "KDB Korea Development Bank", portone: "KDB" },
  { code: "007", name: "수협", english: "Suhyup Bank", portone: "SUHYUP" },
  { code: "032", name: "부산", english: "Busan Bank", portone: "BUSAN" },
  { code: "031", name: "iM뱅크(대구)", english: "iM Bank (Daegu)", portone: "DAEGU" },
  { code: "034", name: "광주", english: "Gwangju Bank", portone: "KWANGJU" },
  { code: "037", name: "전북", english: "Jeonbuk Bank", portone: "JEONBUK" },
  { code: "039", name: "경남", english: "Kyongnam Bank", portone: "KYONGNAM" },
  { code: "035", name: "제주", english: "Jeju Bank", portone: "JEJU" },
  { code: "071", name: "우체국", english: "Korea Post", portone: "POST" },
  { code: "045", name: "새마을금고", english: "MG Saemaul Geumgo", portone: "KFCC" },
  { code: "048", name: "신협", english: "Shinhyup", portone: "SHINHYUP" },
];

/** A bank as an option reads in the reader's language ("신한" / "Shinhan Bank (신한)"). */
export function bankLabel(bank: Bank, lang: "ko" | "en"): string {
  return lang === "en" ? `${bank.english} (${bank.name})` : bank.name;
}

export const ACCOUNT_DIGITS = [10, 16] as const;

/** An account number as typed ("１１０-１２３ 456789"), as its characters: full-width made ASCII,
 * spaces and the dashes people type between groups dropped. */
export function accountDigits(typed: string): string {
  return typed.normalize("NFKC").replace(/[\s\-\u2010-\u2015\u2212]/g, "");
}

/** Why the server would refuse this account number, with the bounds its refusal sends; null when
 * it fits (or nothing is typed yet). */
export function accountNumberProblem(typed: string): { min_digits: number; max_digits: number; digits: number } | null {
  const digits = accountDigits(typed);
  if (!digits) return null;
  const [min, max] = ACCOUNT_DIGITS;
  if (/^[0-9]+$/.test(digits) && digits.length >= min && digits.length <= max) return null;
  return { min_digits: min, max_digits: max, digits: /^[0-9]+$/.test(digits) ? digits.length : -1 };
}

type AccountView = components["schemas"]["PayoutAccountView"];

/** A payout account in full, for the operator making the transfer: "신한 110123456789 (김민지)";
 * one kept as free text before accounts had banks, as it was typed. */
export function accountText(a: AccountView | null | undefined): string {
  if (!a) return "—";
  return [a.bank_name ?? "", a.number, a.holder_name ? `(${a.holder_name})` : ""].filter(Boolean).join(" ");
}
