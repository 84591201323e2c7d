// A refusal in the reader's language: every code the API can answer (tombola/domain/errors.py,
// adapters/http.py, adapters/request_body.py) has a sentence in i18n/ko.ts and i18n/en.ts, filled
// with the bounds the server sent ("limits"); a validation problem by its type. A code this
// client does not know gets a general sentence; the server's own (English) words are only ever
// offered as a detail, never as the message.
import { ApiProblem, type FieldProblem, type Limits, type ProblemFacts } from "./api/problem";
import { hasKey, lang, money, span, t, when } from "./i18n";
import type { Key } from "./i18n/ko";

/** Every code the API answers with (a test checks each has words in both languages). */
export const API_CODES = [
  "domain_error",
  "unauthenticated",
  "forbidden",
  "not_found",
  "invalid_input",
  "currency_mismatch",
  "illegal_transition",
  "listing_not_open",
  "listing_full",
  "ticket_limit_exceeded",
  "hold_not_found",
  "unbalanced_entry",
  "ledger_conflict",
  "insufficient_balance",
  "draw_error",
  "conflict",
  "not_allowed_now",
  "outcome_fixed",
  "payout_mismatch",
  "out_of_range",
  "invalid_cursor",
  "idempotency_key_reused",
  "provider_unavailable",
  "bad_signature",
  "in_progress",
  "unsupported_media_type",
  "number_too_long",
  "too_deep",
  "invalid_body",
  "body_too_large",
  "invalid_json",
  "too_many_photos",
  "too_many_uploads",
  "photo_not_uploaded",
  "photo_refused",
  "too_many_dispute_photos",
  "too_many_dispute_uploads",
  "may_not_play",
  "verification_needed",
  "under_age",
  "on_break",
  "self_excluded",
  "limit_needed",
  "spend_limit_reached",
  "same_person",
] as const;

/** Validation problem types (pydantic's) that have words of their own. */
export const VALIDATION_TYPES = [
  "missing",
  "string_too_short",
  "string_too_long",
  "string_pattern_mismatch",
  "greater_than",
  "greater_than_equal",
  "less_than",
  "less_than_equal",
  "int_parsing",
  "int_type",
  "int_from_float",
  "enum",
  "literal_error",
  "datetime_parsing",
  "datetime_from_date_parsing",
  "extra_forbidden",
  "phone_invalid",
  "tracking_number_invalid",
  "carrier_invalid",
  "bank_unknown",
  "account_number_invalid",
  "holder_name_invalid",
  "limits_nested",
] as const;

const DEADLINE_FIELDS = ["second_payment", "ship", "delivery", "confirm", "resolution"];
const MONEY_FIELDS = ["price", "first_payment", "amount", "fee"];

const last = (field: string | null) => (field ?? "").split(".").pop() ?? "";
/** A length of time (a deadline, how long a listing stays open): its bounds read as such. */
const isSpan = (field: string | null) => DEADLINE_FIELDS.includes(last(field)) || last(field) === "closes_at" || (field ?? "").startsWith("deadlines");

/** A bound as its field reads: seconds as a length of time, money as money, else a number. */
export function bound(field: string | null, value: number | string | undefined, currency = "KRW"): string {
  if (value === undefined) return "";
  if (typeof value !== "number") return String(value);
  const name = last(field);
  if (isSpan(field)) return span(value);
  if (MONEY_FIELDS.includes(name)) return money(value, currency);
  return new Intl.NumberFormat(lang.get() === "en" ? "en-US" : "ko-KR").format(value);
}

function key(k: string): Key | null {
  return hasKey(k) ? k : null;
}

/** One validation problem (a field's) in words. */
export function validationText(p: FieldProblem, currency = "KRW"): string {
  const limits: Limits = p.limits ?? {};
  const name = last(p.field);
  const b = (k: string) => bound(p.field, limits[k], currency);
  switch (p.type) {
    case "missing":
      return t("val_missing");
    case "string_too_short":
      return Number(limits.min_length ?? 1) <= 1 ? t("val_missing") : t("val_string_too_short", { n: String(limits.min_length) });
    case "string_too_long":
      return t("val_string_too_long", { n: String(limits.max_length ?? "") });
    case "string_pattern_mismatch":
      return t(key(`val_pattern_${name}`) ?? "val_string_pattern_mismatch");
    case "greater_than":
      return t("val_greater_than", { n: b("gt") });
    case "greater_than_equal":
      return t("val_greater_than_equal", { n: b("ge") });
    case "less_than":
      return t("val_less_than", { n: b("lt") });
    case "less_than_equal":
      return t("val_less_than_equal", { n: b("le") });
    case "tracking_number_invalid":
      return trackingText(limits);
    case "account_number_invalid":
      return accountNumberText(limits);
    default: {
      const k = key(`val_${p.type}`);
      return k ? t(k) : t("val_other");
    }
  }
}

/** A known carrier's tracking number that does not fit it (api/models.py ShipmentIn): the
 * carrier, the counts of digits it uses, and how many were typed (-1: not digits only); another
 * carrier's with a character it may not have ("allowed"). */
export function trackingText(l: Limits): string {
  if (l.allowed !== undefined) return t("val_tracking_number_chars");
  if (l.carrier === undefined || l.lengths === undefined) return t("val_tracking_number");
  const vars = { carrier: String(l.carrier), lengths: String(l.lengths).split(",").join(` ${t("orWord")} `) };
  const n = Number(l.digits ?? -1);
  return n >= 0 ? t("val_tracking_number_invalid", { ...vars, n }) : t("val_tracking_number_not_digits", vars);
}

/** An account number that is not one (api/models.py PayoutAccountIn): the counts of digits an
 * account number has, and how many were typed (-1: not digits only). */
export function accountNumberText(l: Limits): string {
  const vars = { min: String(l.min_digits ?? 10), max: String(l.max_digits ?? 16) };
  const n = Number(l.digits ?? -1);
  return n > 0 ? t("val_account_number_invalid", { ...vars, n }) : t("val_account_number_not_digits", vars);
}

/** The refusals of responsible play: a page that shows one links to where the person can act
 * (verify, set limits, see until when). */
export const PLAY_CODES = ["may_not_play", "verification_needed", "under_age", "on_break", "self_excluded", "limit_needed", "spend_limit_reached", "same_person"] as const;

const WINDOWS = ["day", "week", "month"] as const;

/** A refusal's code (with its field, bounds and facts: until when, which window) in words. */
export function codeText(code: string, field: string | null, limits: Limits | null, currency = "KRW", facts: ProblemFacts = {}): string {
  const l = limits ?? {};
  const b = (k: string) => bound(field, l[k], currency);
  switch (code) {
    case "on_break":
    case "self_excluded":
      return facts.until ? t(code === "on_break" ? "err_on_break_until" : "err_self_excluded_until", { until: when(facts.until) }) : t(`err_${code}`);
    case "ticket_limit_exceeded":
      if (last(field) === "free_entry") return t("err_ticket_limit_exceeded_free_entry", { limit: Number(l.limit ?? 1) });
      return l.limit !== undefined
        ? t("err_ticket_limit_exceeded_limits", { limit: String(l.limit), left: String(l.left ?? 0) })
        : t("err_ticket_limit_exceeded");
    case "spend_limit_reached": {
      const window = WINDOWS.find((w) => w === facts.window);
      if (l.limit !== undefined && window && facts.resets_at)
        return t("err_spend_limit_reached_window", {
          window: t(`windowOf_${window}`),
          limit: money(Number(l.limit), currency),
          spent: money(Number(l.spent ?? 0), currency),
          resets: when(facts.resets_at),
        });
      return l.limit !== undefined
        ? t("err_spend_limit_reached_limits", {
            limit: money(Number(l.limit), currency),
            spent: money(Number(l.spent ?? 0), currency),
          })
        : t("err_spend_limit_reached");
    }
    case "listing_full":
      return l.left !== undefined ? t("err_listing_full_limits", { left: String(l.left) }) : t("err_listing_full");
    case "out_of_range":
      if (l.min !== undefined && l.max !== undefined)
        return t(isSpan(field) ? "err_out_of_range_span" : "err_out_of_range_limits", { min: b("min"), max: b("max") });
      if (l.max_days !== undefined) return t("err_out_of_range_max_days", { max: span(Number(l.max_days) * 86_400) });
      if (l.min !== undefined) return t("val_greater_than_equal", { n: b("min") });
      if (l.max !== undefined) return t("val_less_than_equal", { n: b("max") });
      if (last(field) === "closes_at") return t("err_out_of_range_closes_at");
      return t("err_out_of_range");
    case "invalid_input": {
      const k = key(`err_invalid_input_${last(field)}`);
      return t(k ?? "err_invalid_input");
    }
    default: {
      // a code with words of its own for this field (not_allowed_now on a verification), else the code's
      const k = (field && key(`err_${code}_${last(field)}`)) || key(`err_${code}`);
      if (k) return t(k);
      const status = /^http_(\d+)$/.exec(code);
      if (status) return t(httpKey(Number(status[1])));
      return t("err_unknown");
    }
  }
}

function httpKey(status: number): Key {
  if (status === 401) return "err_unauthenticated";
  if (status === 403) return "err_forbidden";
  if (status === 404) return "err_not_found";
  if (status === 409) return "err_conflict";
  if (status >= 500) return "err_server";
  return "err_unknown";
}

/** Whether this client has its own words for the refusal (else the server's go in a detail). */
export function known(e: ApiProblem): boolean {
  return (API_CODES as readonly string[]).includes(e.code) || /^http_\d+$/.test(e.code);
}

/** What went wrong, for any error a page caught. */
export function errorText(e: unknown, currency = "KRW"): string {
  if (e instanceof ApiProblem) {
    const [first] = e.problems;
    if (first && e.code === "invalid_input") return validationText(first, currency);
    return codeText(e.code, e.field, e.limits, currency, e.facts);
  }
  if (e instanceof TypeError) return t("err_network"); // fetch could not reach the server
  return t("err_unknown");
}

/** One field's problem in words. */
export function fieldProblemText(e: ApiProblem, p: FieldProblem, currency = "KRW"): string {
  const validation = (e.code === "invalid_input" && e.problems.length > 0) || (VALIDATION_TYPES as readonly string[]).includes(p.type);
  return validation ? validationText(p, currency) : codeText(p.type, p.field, p.limits ?? e.limits, currency, e.facts);
}
