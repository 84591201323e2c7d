// Korean carriers' public tracking pages: a shipment's tracking number as a link when its carrier
// is one of these (by any of the names sellers type), else plain text. Their tracking numbers are
// digits only, of the lengths below: when the seller names one surely (its name, a Korean alias,
// a Latin one of three letters or more: a bare "CJ" is too short to hold them to it), what they
// type (spaces, hyphens, full-width digits) is sent as those digits, and a count that does not fit
// is said before sending. Any other carrier's number is sent as typed, but only letters, digits,
// hyphens and spaces: a control or invisible character, or any other, is said before sending. The
// server checks the same (layers/domain/tombola/domain/tracking.py: the same names, aliases and
// lengths, the same characters).

interface Carrier {
  name: string; // as Korean readers know it
  aliases: string[]; // lower case, spaces removed
  lengths: number[]; // how many digits its tracking numbers have
  url: (tracking: string) => string;
}

export const CARRIERS: Carrier[] = [
  {
    name: "CJ대한통운",
    aliases: ["cj", "cj대한통운", "대한통운", "cjlogistics", "cj택배", "cjkoreaexpress"],
    lengths: [10, 12],
    url: (n) => `https://www.cjlogistics.com/ko/tool/parcel/tracking?gnbInvcNo=${n}`,
  },
  {
    name: "한진택배",
    aliases: ["한진", "한진택배", "hanjin", "hanjinexpress"],
    lengths: [10, 12],
    url: (n) => `https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2=${n}`,
  },
  {
    name: "롯데택배",
    aliases: ["롯데", "롯데택배", "롯데글로벌로지스", "lotte", "lotteglogis", "lotteglobal"],
    lengths: [12, 13],
    url: (n) => `https://www.lotteglogis.com/open/tracking?invno=${n}`,
  },
  {
    name: "우체국택배",
    aliases: ["우체국", "우체국택배", "epost", "koreapost"],
    lengths: [13],
    url: (n) => `https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1=${n}`,
  },
  {
    name: "로젠택배",
    aliases: ["로젠", "로젠택배", "logen", "ilogen"],
    lengths: [11],
    url: (n) => `https://www.ilogen.com/web/personal/trace/${n}`,
  },
];

const squash = (s: string) => s.toLowerCase().replace(/[\s._()-]/g, "");

/** The carrier a seller's free text names, if it is one we know. */
export function carrierOf(text: string): Carrier | null {
  const s = squash(text);
  if (!s) return null;
  return (
    CARRIERS.find((c) => c.aliases.includes(s)) ??
    CARRIERS.find((c) => c.aliases.some((a) => a.length > 2 && s.startsWith(a))) ??
    null
  );
}

/** An alias that names its carrier surely: Korean ("한진"), or three Latin letters or more. */
const sure = (alias: string) => alias.length > 2 || [...alias].some((ch) => ch.charCodeAt(0) > 0x7f);

/** The carrier whose tracking numbers a seller is held to: named surely (its name or a sure
 * alias, or what starts with an alias of three letters or more), as the server decides it. */
export function checkedCarrier(text: string): Carrier | null {
  const s = squash(text);
  if (!s) return null;
  return (
    CARRIERS.find((c) => c.aliases.some((a) => a === s && sure(a))) ??
    CARRIERS.find((c) => c.aliases.some((a) => a.length > 2 && s.startsWith(a))) ??
    null
  );
}

// spaces and the dashes people type between groups of digits (NFKC has made full-width ones ASCII)
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/g;

/** A tracking number as typed ("１２３４-５６７８ ９０１２"), as its digits: full-width characters
 * made ASCII, spaces and hyphens dropped. */
export function trackingDigits(typed: string): string {
  return typed.normalize("NFKC").replace(SEPARATORS, "");
}

/** What goes to the server: a known carrier's number as its digits, any other as typed (trimmed). */
export function trackingToSend(carrier: string, typed: string): string {
  return checkedCarrier(carrier) ? trackingDigits(typed) : typed.trim();
}

/** What another carrier's number may have: letters (any script), digits, hyphens, spaces (full-width
 * ones as their ASCII); never a control or invisible character. */
const FREE_TEXT = /^[\p{L}\p{N}\- ]*$/u;

export type TrackingProblem = { carrier: string; lengths: string; digits: number } | { allowed: string };

/** Why the server would refuse this number, as its refusal says it: a known carrier's that is not
 * digits only or has a count of digits it never uses; another carrier's with a character other
 * than letters, digits, hyphens and spaces. Null when it fits or is empty. */
export function trackingProblem(carrier: string, typed: string): TrackingProblem | null {
  const c = checkedCarrier(carrier);
  const digits = trackingDigits(typed);
  if (!digits) return null;
  if (!c) return FREE_TEXT.test(typed.trim().normalize("NFKC")) ? null : { allowed: "letters, digits, hyphens and spaces" };
  if (/^[0-9]+$/.test(digits) && c.lengths.includes(digits.length)) return null;
  return { carrier: c.name, lengths: c.lengths.join(","), digits: /^[0-9]+$/.test(digits) ? digits.length : -1 };
}

/** The carrier's tracking page for this number, or null when the carrier is not known. */
export function trackingUrl(carrier: string, tracking: string): string | null {
  const c = carrierOf(carrier);
  const digits = trackingDigits(tracking);
  return c && digits ? c.url(encodeURIComponent(digits)) : null;
}
