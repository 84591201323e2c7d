// Responsible play (#/play): the person's standing in words (verified and their age, whether
// they may buy now and if not why, until when), their spend limits per currency with what each
// window holds and when it starts again, a form to set them, and a break and a self-exclusion
// that ask first; the market's policy in plain words; where to raise a complaint. Also the sandbox's identity verification
// window (#/verify/<id>), the local stack's stand-in for the provider's, and the link a refused
// purchase or listing shows to get here.
import type { ComponentChildren } from "preact";
import { Fragment } from "preact";
import { useState } from "preact/hooks";

import { api, ApiProblem, sandboxIdentity, unwrap, type Schemas } from "../api/client";
import { session } from "../api/session";
import { codeText, PLAY_CODES } from "../errors";
import { lang, span, t, tx, when } from "../i18n";
import type { Key } from "../i18n/ko";
import { go } from "../router";
import { signal } from "../signal";
import { ConfirmButton, ErrorText, Field, Money, useLoad, useProblem } from "../ui";
import { loadPortOne } from "../portone";

type Standing = Schemas["StandingView"];
type CurrencyLimits = Schemas["CurrencyLimitsView"];
type Policy = Schemas["PlayPolicyView"];
type BreakDays = Schemas["BreakIn"]["days"];
type ExclusionMonths = Schemas["ExclusionIn"]["months"];

const WINDOWS = ["day", "week", "month"] as const;
type Window = (typeof WINDOWS)[number];
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const DAYS_PER_MONTH = 30.4375; // as the server counts an exclusion's months (365.25 / 12)
const MAX_AMOUNT = 10 ** 15; // the API's largest amount, in minor units

/** How the last verification ended, for the play page to say once it is back there. */
const outcome = signal<{ verified: boolean; error: unknown } | null>(null);

/** Finishes a verification as the signed-in person and returns to the play page, which says
 * how it went (verified, or the refusal in words: same person, not finished …). */
async function finishAndReturn(verificationId: string): Promise<void> {
  try {
    unwrap(await api.POST("/me/verification", { body: { verification_id: verificationId } }));
    outcome.set({ verified: true, error: null });
  } catch (e) {
    outcome.set({ verified: false, error: e });
  }
  go("/play");
}

/** Starts a verification: the sandbox's window is a page of this client; PortOne's is its SDK's. */
async function startVerification(): Promise<void> {
  const start = unwrap(await api.POST("/me/verification/start", {}));
  if (start.provider === "sandbox") {
    const hash = start.url ? new URL(start.url).hash : "";
    go(hash.startsWith("#/verify/") ? hash.slice(1) : `/verify/${encodeURIComponent(start.verification_id)}`);
    return;
  }
  if (start.provider === "portone") {
    const sdk = await loadPortOne();
    if (!sdk) throw new ApiProblem(0, "identity_sdk_missing", "window.PortOne is not loaded", null);
    if (!start.store_id || !start.channel_key) throw new ApiProblem(0, "identity_failed", "no store or channel for identity verification", null);
    const answer = await sdk.requestIdentityVerification({
      storeId: start.store_id,
      identityVerificationId: start.verification_id,
      channelKey: start.channel_key,
    });
    if (answer?.code) throw new ApiProblem(0, "identity_failed", answer.message ?? answer.code, null);
    await finishAndReturn(start.verification_id);
    return;
  }
  throw new ApiProblem(0, "identity_failed", `unknown provider ${start.provider}`, null);
}

/** Under a refused purchase or listing: where the person can act (verify, see or set their
 * limits, see until when a break lasts). */
export function PlayHelp({ error }: { error: unknown }) {
  if (!(error instanceof ApiProblem) || !(PLAY_CODES as readonly string[]).includes(error.code)) return null;
  const key: Key =
    error.code === "verification_needed"
      ? "playHelpVerify"
      : error.code === "limit_needed" || error.code === "spend_limit_reached"
        ? "playHelpLimits"
        : error.code === "on_break" || error.code === "self_excluded"
          ? "playHelpPause"
          : "playHelpMore";
  return (
    <p class="play-help" data-testid="play-help">
      <a href="#/play">{t(key)}</a>
    </p>
  );
}

/** A time zone by its name in the reader's language ("Korean Standard Time", "한국 표준시"). */
function zoneName(zone: string): string {
  try {
    const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
    const part = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "long" })
      .formatToParts(new Date())
      .find((p) => p.type === "timeZoneName");
    return part ? `${part.value} (${zone})` : zone;
  } catch {
    return zone;
  }
}

const windowName = (w: string) => ((WINDOWS as readonly string[]).includes(w) ? t(`window_${w as Window}`) : w);

/** Minor units of a currency (as money() counts them): none for KRW and JPY. */
const minorOf = (currency: string, policy?: Schemas["PolicyView"] | null) =>
  policy?.by_currency?.[currency]?.minor_units ?? (currency === "KRW" || currency === "JPY" ? 0 : 2);

/** An amount in minor units as the form shows it: "50000", "12.50". */
function asTyped(amount: number | null, minor: number): string {
  if (amount === null) return "";
  return minor ? (amount / 10 ** minor).toFixed(minor) : String(amount);
}

/** What was typed as minor units: "" is no limit (null); "50,000", "50 000", "５００００" are
 * 50000; undefined when it is not an amount. */
function parseAmount(raw: string, minor: number): number | null | undefined {
  const s = raw.normalize("NFKC").replace(/[\s,_₩$€¥원]/g, "");
  if (s === "") return null;
  const m = minor ? new RegExp(`^(\\d+)(?:\\.(\\d{1,${minor}}))?$`).exec(s) : /^(\d+)$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]) * 10 ** minor + (m[2] ? Number(m[2].padEnd(minor, "0")) : 0);
  return Number.isSafeInteger(n) && n <= MAX_AMOUNT ? n : undefined;
}

function LimitAmount({ amount, currency, minor }: { amount: number | null; currency: string; minor: number }) {
  return amount === null ? <>{t("playNoLimit")}</> : <Money amount={amount} currency={currency} minor={minor} />;
}

/** One currency's limits: each window's limit, what it holds and when it starts again; a raise
 * waiting its 24 hours. */
function LimitsTable({ row, minor }: { row: CurrencyLimits; minor: number }) {
  const waiting = row.raise_waiting;
  return (
    <div data-testid={`limits-${row.currency}`}>
      <table class="stack">
        <caption class="sr-only">{t("playLimitsIn", { currency: row.currency })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("playWindow")}</th>
            <th scope="col">{t("playLimit")}</th>
            <th scope="col">{t("playSpent")}</th>
            <th scope="col">{t("playResets")}</th>
          </tr>
        </thead>
        <tbody>
          {row.spent.map((w) => (
            <tr key={w.window} data-testid={`window-${w.window}`}>
              <th scope="row">{windowName(w.window)}</th>
              <td data-label={t("playLimit")} data-testid="limit">
                <LimitAmount amount={w.limit} currency={row.currency} minor={minor} />
              </td>
              <td data-label={t("playSpent")} data-testid="spent">
                <Money amount={w.spent} currency={row.currency} minor={minor} />
              </td>
              <td data-label={t("playResets")}>
                <span class="when">{when(w.resets_at)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {waiting && row.raise_effective_at && (
        <p class="notice-line" data-testid="raise-waiting">
          {tx("playRaiseWaiting", {
            at: <span class="when">{when(row.raise_effective_at)}</span>,
            limits: WINDOWS.map((w, i) => (
              <Fragment key={w}>
                {i > 0 && " · "}
                {windowName(w)} <LimitAmount amount={waiting[w]} currency={row.currency} minor={minor} />
              </Fragment>
            )),
          })}
        </p>
      )}
    </div>
  );
}

const FIELD_KEY: Record<Window, Key> = { day: "playLimitDay", week: "playLimitWeek", month: "playLimitMonth" };

/** The limits form: day, week and month, each empty for no limit; checked as the server checks
 * (a whole amount, day ≤ week ≤ month) before asking it. */
function LimitsForm({ currencies, rows, policy, onSaved }: {
  currencies: string[];
  rows: CurrencyLimits[];
  policy: Schemas["PolicyView"] | null;
  onSaved: (s: Standing) => void;
}) {
  const [currency, setCurrency] = useState(currencies[0] ?? "KRW");
  const minor = minorOf(currency, policy);
  const current = rows.find((r) => r.currency === currency)?.limits ?? { day: null, week: null, month: null };
  const [typed, setTyped] = useState<Record<string, Record<Window, string>>>({});
  const values = typed[currency] ?? {
    day: asTyped(current.day, minor),
    week: asTyped(current.week, minor),
    month: asTyped(current.month, minor),
  };
  const [error, setError, clear] = useProblem();
  const [saved, setSaved] = useState<Standing | null>(null);
  const [busy, setBusy] = useState(false);
  async function save(e: Event) {
    e.preventDefault();
    setSaved(null);
    const asked = {} as Record<Window, number | null>;
    for (const w of WINDOWS) {
      const n = parseAmount(values[w], minor);
      if (n === undefined) {
        setError(ApiProblem.local("invalid_input", w, null, minor ? "amount_invalid" : "int_parsing"));
        document.getElementById(`limit-${w}`)?.focus();
        return;
      }
      asked[w] = n;
    }
    // a shorter window's limit above a longer one's: said next to the longer one, as the server refuses it
    for (const [short, long] of [["day", "week"], ["week", "month"], ["day", "month"]] as const) {
      const a = asked[short];
      const b = asked[long];
      if (a !== null && b !== null && a > b) {
        setError(ApiProblem.local("invalid_input", long, { short, long }, "limits_nested"));
        document.getElementById(`limit-${long}`)?.focus();
        return;
      }
    }
    setError(null);
    setBusy(true);
    try {
      const s = unwrap(await api.PUT("/me/limits", { body: { currency, ...asked } }));
      setSaved(s);
      onSaved(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const waitingAt = saved?.limits.find((r) => r.currency === currency)?.raise_effective_at;
  return (
    <form onSubmit={save} noValidate aria-labelledby="limits-form-title" data-testid="limits-form">
      <h3 id="limits-form-title">{t("playLimitsSet")}</h3>
      {currencies.length > 1 && (
        <Field label={t("currency")} id="limit-currency">
          <select id="limit-currency" value={currency} onChange={(e) => (setSaved(null), setCurrency((e.target as HTMLSelectElement).value))}>
            {currencies.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
      )}
      {WINDOWS.map((w) => (
        <Field key={w} label={t(FIELD_KEY[w], { currency })} id={`limit-${w}`} field={w} error={error} onClear={clear} currency={currency}>
          <input
            id={`limit-${w}`}
            inputMode={minor ? "decimal" : "numeric"}
            autoComplete="off"
            placeholder={t("playNoLimit")}
            aria-describedby="limit-hint"
            value={values[w]}
            onInput={(e) => {
              setSaved(null);
              setTyped({ ...typed, [currency]: { ...values, [w]: (e.target as HTMLInputElement).value } });
            }}
          />
        </Field>
      ))}
      <p class="muted" id="limit-hint">
        {t("playLimitHint")}
      </p>
      <p class="muted" data-testid="limits-rule">
        {t("playLimitsRule")}
      </p>
      <ErrorText error={error} currency={currency} />
      <button type="submit" disabled={busy}>
        {t("playLimitsSave")}
      </button>
      {saved && (
        <p role="status" data-testid="limits-saved">
          {waitingAt ? tx("playLimitsSavedWaiting", { at: <span class="when">{when(waitingAt)}</span> }) : t("saved")}
        </p>
      )}
    </form>
  );
}

/** A choice of lengths and a button that asks first (a break, an exclusion: neither can be
 * undone); only lengths that end after the one in force are offered. */
function PauseForm<N extends number>(props: {
  id: string;
  label: string;
  options: N[];
  length: (n: N) => string;
  endsAt: (n: N) => number;
  button: string;
  title: (length: string) => string;
  what: (until: ComponentChildren) => ComponentChildren[];
  confirmLabel: string;
  send: (n: N) => Promise<void>;
}) {
  const [chosen, setChosen] = useState<N>(props.options[0]);
  const [error, setError] = useState<unknown>(null);
  const pick = props.options.includes(chosen) ? chosen : props.options[0];
  return (
    <div class="actions pause">
      <Field label={props.label} id={props.id}>
        <select id={props.id} value={String(pick)} onChange={(e) => setChosen(Number((e.target as HTMLSelectElement).value) as N)}>
          {props.options.map((n) => (
            <option key={n} value={String(n)}>
              {props.length(n)}
            </option>
          ))}
        </select>
      </Field>
      <ConfirmButton
        label={props.button}
        title={props.title(props.length(pick))}
        confirmLabel={props.confirmLabel}
        onConfirm={() => {
          setError(null);
          props.send(pick).catch(setError);
        }}
      >
        <p>{props.what(<span class="when">{when(new Date(props.endsAt(pick)).toISOString())}</span>)}</p>
      </ConfirmButton>
      <ErrorText error={error} />
    </div>
  );
}

function PolicyWords({ p }: { p: Policy }) {
  return (
    <div class="panel notice" data-testid="play-policy">
      <p>{t(p.identity_required ? "playPolicyVerified" : "playPolicyOpen", { age: p.minimum_age })}</p>
      {p.limit_prompt && <p>{t("playPolicyLimitPrompt")}</p>}
      <p>{t("playPolicyZone", { zone: zoneName(p.time_zone) })}</p>
    </div>
  );
}

/** Whether one may buy now, and if not why, in words fit for this page. */
function nowText(s: Standing): string {
  if (s.may_buy) return t("playNowOk");
  switch (s.refusal) {
    case "limit_needed":
      return t("playNowChooseLimits");
    case "verification_needed":
      return t("playNowVerify");
    case "on_break":
      return s.break_until ? t("playOnBreak", { until: when(s.break_until) }) : t("err_on_break");
    case "self_excluded":
      return s.excluded_until ? t("playExcluded", { until: when(s.excluded_until) }) : t("err_self_excluded");
    default:
      return codeText(s.refusal ?? "may_not_play", null, null);
  }
}

export function PlayPage() {
  const me = session.current();
  const [loaded, loadError] = useLoad(async () => (me ? unwrap(await api.GET("/me/standing", {})) : null), [me?.user]);
  const [policy] = useLoad(async () => unwrap(await api.GET("/policy", {})), []);
  const [fresh, setFresh] = useState<Standing | null>(null);
  // how the verification the person just made ended (told once, here)
  const [told, setTold] = useState(() => {
    const o = outcome.get();
    outcome.set(null);
    return o;
  });
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  if (!me)
    return (
      <section class="panel" aria-labelledby="play-title">
        <h1 id="play-title">{t("playTitle")}</h1>
        <p>
          <a href="#/signin">{t("signIn")}</a>
        </p>
      </section>
    );
  const s = fresh ?? loaded;
  if (!s) return <ErrorText error={loadError} />;
  const p = s.policy;
  async function verify() {
    setTold(null);
    setVerifyError(null);
    setStarting(true);
    try {
      await startVerification();
      if (outcome.get()) {
        // PortOne's window answered here: finished on this page
        setTold(outcome.get());
        outcome.set(null);
        setFresh(unwrap(await api.GET("/me/standing", {})));
      }
    } catch (e) {
      setVerifyError(e);
    } finally {
      setStarting(false);
    }
  }
  const now = Date.now();
  const breakUntil = s.break_until ? Date.parse(s.break_until) : 0;
  const excludedUntil = s.excluded_until ? Date.parse(s.excluded_until) : 0;
  // only lengths that end later than the break or exclusion in force (by an hour at least)
  const breakOptions = p.break_days.filter((d) => now + d * DAY_MS > breakUntil + HOUR_MS) as BreakDays[];
  const monthsEnd = (m: number) => now + Math.round(m * DAYS_PER_MONTH) * DAY_MS;
  const exclusionOptions = p.exclusion_months.filter((m) => monthsEnd(m) > excludedUntil + HOUR_MS) as ExclusionMonths[];
  const currencies = [...new Set([...s.limits.map((r) => r.currency), ...Object.keys(policy?.by_currency ?? {})])].sort((a, b) =>
    a === "KRW" ? -1 : b === "KRW" ? 1 : a.localeCompare(b),
  );
  return (
    <section aria-labelledby="play-title" class="play">
      <h1 id="play-title">{t("playTitle")}</h1>
      <p class="muted">{t("playLead")}</p>
      <PolicyWords p={p} />
      <p class={`standing ${s.may_buy ? "ok" : ""}`} data-testid="play-now" aria-live="polite">
        {nowText(s)}
      </p>

      <section class="panel" aria-labelledby="identity-title" data-testid="play-identity">
        <h2 id="identity-title">{t("playIdentity")}</h2>
        {s.verified ? (
          <p data-testid="verified">{tx("playVerifiedOn", { at: <span class="when">{s.verified_at ? when(s.verified_at) : "—"}</span> })}</p>
        ) : (
          <p data-testid="not-verified">
            {t("playNotVerified")}
            {!p.identity_required && <> {t("playVerifyOptional")}</>}
          </p>
        )}
        {s.age !== null && s.age !== undefined && (
          <p data-testid="age" class={s.of_age ? "" : "error"}>
            {t(s.of_age ? "playAgeOk" : "playAgeUnder", { age: s.age, min: p.minimum_age })}
          </p>
        )}
        {told?.verified && (
          <p role="status" class="ok" data-testid="verified-now">
            {t("playVerifiedNow")}
          </p>
        )}
        {told?.error !== undefined && told.error !== null && <ErrorText error={told.error} />}
        {!s.verified && (
          <button type="button" onClick={() => void verify()} disabled={starting}>
            {t("playVerify")}
          </button>
        )}
        <ErrorText error={verifyError} />
      </section>

      <section class="panel" aria-labelledby="limits-title" data-testid="play-limits">
        <h2 id="limits-title">{t("playLimits")}</h2>
        <p class="muted">{t("playLimitsWhat")}</p>
        {s.limits.map((row) => (
          <LimitsTable key={row.currency} row={row} minor={minorOf(row.currency, policy)} />
        ))}
        <LimitsForm currencies={currencies} rows={s.limits} policy={policy} onSaved={setFresh} />
      </section>

      {!s.excluded_until && (
        <section class="panel" aria-labelledby="break-title" data-testid="play-break">
          <h2 id="break-title">{t("playBreak")}</h2>
          <div aria-live="polite">
            {s.break_until && (
              <p class="standing" data-testid="on-break">
                {tx("playOnBreak", { until: <span class="when">{when(s.break_until)}</span> })}
                {breakOptions.length > 0 && <> {t("playBreakLonger")}</>}
              </p>
            )}
          </div>
          <p class="muted">{t("playBreakWhat")}</p>
          {breakOptions.length > 0 && (
            <PauseForm<BreakDays>
              id="break-days"
              label={t("playBreakFor")}
              options={breakOptions}
              length={(d) => span(d * 86_400)}
              endsAt={(d) => now + d * DAY_MS}
              button={t("playBreak")}
              title={(length) => t("playBreakTitle", { span: length })}
              what={(until) => tx("playBreakConfirmWhat", { until })}
              confirmLabel={t("playBreakConfirm")}
              send={async (days) => setFresh(unwrap(await api.POST("/me/break", { body: { days } })))}
            />
          )}
        </section>
      )}

      <section class="panel" aria-labelledby="exclusion-title" data-testid="play-exclusion">
        <h2 id="exclusion-title">{t("playExclusion")}</h2>
        <div aria-live="polite">
          {s.excluded_until && (
            <p class="standing" data-testid="excluded">
              {tx("playExcluded", { until: <span class="when">{when(s.excluded_until)}</span> })}
            </p>
          )}
        </div>
        <p class="muted">{t("playExclusionWhat")}</p>
        {exclusionOptions.length > 0 && (
          <PauseForm<ExclusionMonths>
            id="exclusion-months"
            label={t("playExclusionFor")}
            options={exclusionOptions}
            length={(m) => t("playMonths", { n: m })}
            endsAt={monthsEnd}
            button={t("playExclusionButton")}
            title={(length) => t("playExclusionTitle", { months: length })}
            what={(until) => tx("playExclusionConfirmWhat", { until })}
            confirmLabel={t("playExclusionConfirm")}
            send={async (months) => setFresh(unwrap(await api.POST("/me/exclusion", { body: { months, confirm: true } })))}
          />
        )}
      </section>

      <p class="panel" data-testid="play-complaints">
        <a href="#/complaints">{t("complaints")}</a>: {t("complaintsOnProfile")}
      </p>
    </section>
  );
}

/** The sandbox's identity verification window (local stack): the person says who they are, as
 * a provider's window would have them prove it; then the verification is finished on their
 * account and they are back on the play page. */
export function VerifyPage({ id }: { id: string }) {
  const me = session.current();
  const [form, setForm] = useState({ name: "", birth_date: "", phone: "" });
  const [error, setError, clear] = useProblem();
  const [busy, setBusy] = useState(false);
  const d = new Date();
  const today = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`; // the reader's own day
  async function submit(e: Event) {
    e.preventDefault();
    const name = form.name.trim();
    const missing = !name ? "name" : !form.birth_date ? "birth_date" : null;
    const wrong = missing
      ? ApiProblem.local("invalid_input", missing, null, "missing")
      : !/^\d{4}-\d{2}-\d{2}$/.test(form.birth_date) || form.birth_date > today
        ? ApiProblem.local("invalid_input", "birth_date", null, "date_invalid")
        : (form.phone.normalize("NFKC").match(/\d/g) ?? []).length < 8
          ? ApiProblem.local("invalid_input", "phone", null, "phone_invalid")
          : null;
    if (wrong) {
      setError(wrong);
      document.getElementById(wrong.field!)?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await sandboxIdentity(id, { ...form, name });
    } catch (err) {
      setError(err);
      setBusy(false);
      return;
    }
    await finishAndReturn(id);
  }
  const input = (name: "name" | "birth_date" | "phone", label: string, type: string, autoComplete: string) => (
    <Field label={label} id={name} error={error} onClear={clear}>
      <input
        id={name}
        type={type}
        required
        autoComplete={autoComplete}
        max={type === "date" ? today : undefined}
        value={form[name]}
        onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })}
      />
    </Field>
  );
  return (
    <section aria-labelledby="verify-title" class="panel">
      <h1 id="verify-title">{t("verifyTitle")}</h1>
      <p class="muted" data-testid="verify-sandbox">
        {t("verifySandbox")}
      </p>
      {me ? (
        <form onSubmit={submit} noValidate>
          {input("name", t("name"), "text", "name")}
          {input("birth_date", t("verifyBirthDate"), "date", "bday")}
          {input("phone", t("phone"), "tel", "tel")}
          <ErrorText error={error} />
          <button type="submit" disabled={busy}>
            {t("verifySubmit")}
          </button>
        </form>
      ) : (
        <p>
          {t("verifySignIn")} <a href="#/signin">{t("signIn")}</a>
        </p>
      )}
    </section>
  );
}
