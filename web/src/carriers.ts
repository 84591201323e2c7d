// Korean carriers' public tracking pages: a shipment's tracking number as a link when its carrier
// is one of these (by any of the names sellers type), else plain text.

interface Carrier {
  name: string; // as Korean readers know it
  aliases: string[]; // lower case, spaces removed
  url: (tracking: string) => string;
}

export const CARRIERS: Carrier[] = [
  {
    name: "CJ대한통운",
    aliases: ["cj", "cj대한통운", "대한통운", "cjlogistics", "cj택배", "cjkoreaexpress"],
    url: (n) => `https://www.cjlogistics.com/ko/tool/parcel/tracking?gnbInvcNo=${n}`,
  },
  {
    name: "한진택배",
    aliases: ["한진", "한진택배", "hanjin", "hanjinexpress"],
    url: (n) => `https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2=${n}`,
  },
  {
    name: "롯데택배",
    aliases: ["롯데", "롯데택배", "롯데글로벌로지스", "lotte", "lotteglogis", "lotteglobal"],
    url: (n) => `https://www.lotteglogis.com/open/tracking?invno=${n}`,
  },
  {
    name: "우체국택배",
    aliases: ["우체국", "우체국택배", "epost", "koreapost"],
    url: (n) => `https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1=${n}`,
  },
  {
    name: "로젠택배",
    aliases: ["로젠", "로젠택배", "logen", "ilogen"],
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

/** The carrier's tracking page for this number, or null when the carrier is not known. */
export function trackingUrl(carrier: string, tracking: string): string | null {
  const c = carrierOf(carrier);
  const digits = tracking.replace(/[\s-]/g, "");
  return c && digits ? c.url(encodeURIComponent(digits)) : null;
}
