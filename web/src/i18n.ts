// Korean by default, English on request; amounts in the listing's currency (KRW has no minor
// unit), dates in the user's own time zone.
// The dictionaries are in i18n/ko.ts and i18n/en.ts; this module looks words up and formats.
import type { ComponentChildren } from "preact";

import { en, enCategories } from "./i18n/en";
import { ko, koCategories, type Key } from "./i18n/ko";
import { signal } from "./signal";

export type Lang = "ko" | "en";

const dictionaries: Record<Lang, Record<Key, string>> = { ko, en };
const stored = typeof localStorage === "undefined" ? null : localStorage.getItem("tombola.lang");
export const lang = signal<Lang>(stored === "en" ? "en" : "ko");

export function setLang(l: Lang): void {
  if (l === lang.get()) return;
  localStorage.setItem("tombola.lang", l);
  document.documentElement.lang = l;
  lang.set(l);
}

/** ``{n|ticket|tickets}``: the singular when ``n`` is 1, else the plural (English needs it). */
export function plural(template: string, vars: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\|([^|}]*)\|([^}]*)\}/g, (_, k: string, one: string, many: string) => (vars[k] === 1 ? one : many));
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return plural(dictionaries[lang.get()][key], vars).replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ""));
}

/** ``t`` with pieces of markup for its placeholders (an amount that must not wrap, a link). */
export function tx(key: Key, vars: Record<string, ComponentChildren>): ComponentChildren[] {
  return plural(dictionaries[lang.get()][key], vars)
    .split(/\{(\w+)\}/)
    .map((part, i) => (i % 2 ? (vars[part] ?? "") : part));
}

/** Whether the dictionary has ``key`` (for keys made from a server's code). */
export function hasKey(key: string): key is Key {
  return key in ko;
}

/** 1 → "1st" / "1번째". */
export function ordinal(n: number): string {
  if (lang.get() === "ko") return `${n}번째`;
  const rule = new Intl.PluralRules("en-US", { type: "ordinal" }).select(n);
  return `${n}${{ one: "st", two: "nd", few: "rd" }[rule as "one" | "two" | "few"] ?? "th"}`;
}

const CATEGORIES: Record<Lang, Record<string, string>> = { ko: koCategories, en: enCategories };

/** A money statement line in words. */
export function categoryText(category: string): string {
  return CATEGORIES[lang.get()][category] ?? category;
}

export function statusText(status: string): string {
  const key = `status_${status}`;
  return hasKey(key) ? t(key) : status;
}

/** An amount as its readers write it: "10,000원" in Korean, "₩10,000" in English. Shown in
 * the page through <Money> (ui.tsx), which keeps it on one line. */
export function money(amount: number, currency: string, minorUnits = currency === "KRW" ? 0 : 2): string {
  if (lang.get() === "ko" && currency === "KRW") return `${new Intl.NumberFormat("ko-KR").format(amount)}원`;
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: minorUnits,
    maximumFractionDigits: minorUnits,
  }).format(amount / 10 ** minorUnits);
}

export function when(iso: string): string {
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return lang.get() === "ko" ? `${h}시간 ${m}분 ${s}초` : `${h}h ${m}m ${s}s`;
}

const UNIT_NAMES = { day: "day", hour: "hour", minute: "minute", second: "second" } as const;

/** A unit's name alone ("일", "hours"), for the unit pickers. */
export function unitText(unit: keyof typeof UNIT_NAMES): string {
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  const parts = new Intl.NumberFormat(locale, { style: "unit", unit: UNIT_NAMES[unit], unitDisplay: "long" }).formatToParts(2);
  return parts.filter((p) => p.type === "unit").map((p) => p.value).join("").trim();
}

/** A length of time in its two largest units: "2일", "1 hour, 30 minutes". */
export function span(seconds: number): string {
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  const parts: string[] = [];
  let left = seconds;
  for (const [unit, size] of [["day", 86_400], ["hour", 3_600], ["minute", 60], ["second", 1]] as const) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0 && parts.length < 2)
      parts.push(new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(n));
  }
  return parts.join(lang.get() === "ko" ? " " : ", ") || "0";
}

/** Basis points as a percentage: 250 → "2.5%". */
export function percent(bps: number): string {
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 }).format(bps / 10_000);
}

/** A ticket id people can read: "E3f2a91c0…-2" → "3f2a-91c0-2" (the full id stays in a title
 * and in the verifier). */
export function shortTicket(id: string): string {
  const m = /^[^0-9a-f]*([0-9a-f]{8})[0-9a-f]*(?:-(\d+))?$/.exec(id); // ids: a capital prefix, lower-case hex
  if (!m) return id;
  const hex = `${m[1].slice(0, 4)}-${m[1].slice(4)}`;
  return m[2] ? `${hex}-${m[2]}` : hex;
}
