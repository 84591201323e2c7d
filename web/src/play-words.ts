// Words for responsible play's operator view and for complaints that more than one page uses:
// a complaint's topic, a spending week.
import { t } from "./i18n";
import type { Key } from "./i18n/ko";

/** A complaint's topics, as the server takes them (api/models.py ComplaintIn). */
export const TOPICS = ["account", "payment", "draw", "listing", "limits", "other"] as const;
export type Topic = (typeof TOPICS)[number];

/** A topic in words ("A payment", "결제"); an unknown one as sent. */
export function topicText(topic: string): string {
  return (TOPICS as readonly string[]).includes(topic) ? t(`topic_${topic}` as Key) : topic;
}

/** A spending week as the server names it ("W2026-W49", a window's key, or "2026-W49") in words:
 * "week 49 of 2026", "2026년 49주차"; anything else as sent. */
export function weekText(week: string): string {
  const m = /(\d{4})-W(\d{1,2})$/.exec(week);
  return m ? t("opWeekOf", { year: m[1], week: Number(m[2]) }) : week;
}
