// Korean by default, English on request; amounts in the listing's currency (KRW has no minor
// unit), dates in the user's own time zone.
// The dictionaries are in i18n/ko.ts and i18n/en.ts; this module looks words up and formats.
import { en, enCategories } from "./i18n/en";
import { ko, koCategories, type Key } from "./i18n/ko";
import { signal } from "./signal";

export type Lang = "ko" | "en";

const dictionaries: Record<Lang, Record<Key, string>> = { ko, en };
const stored = localStorage.getItem("tombola.lang");
export const lang = signal<Lang>(stored === "en" ? "en" : "ko");

export function setLang(l: Lang): void {
  localStorage.setItem("tombola.lang", l);
  document.documentElement.lang = l;
  lang.set(l);
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return dictionaries[lang.get()][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ""));
}

const CATEGORIES: Record<Lang, Record<string, string>> = { ko: koCategories, en: enCategories };

/** A money statement line in words. */
export function categoryText(category: string): string {
  return CATEGORIES[lang.get()][category] ?? category;
}

export function statusText(status: string): string {
  const key = `status_${status}` as Key;
  return key in ko ? t(key) : status;
}

export function money(amount: number, currency: string, minorUnits = currency === "KRW" ? 0 : 2): string {
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
