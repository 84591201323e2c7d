import { useState } from "preact/hooks";

import { api, ApiProblem, everyPage, unwrap, type FieldProblem, type Listing } from "../api/client";
import { span, statusText, t, tx, unitText, when } from "../i18n";
import { DEADLINES, depositFor, firstPayment, inUnits, seconds, UNITS, type Deadline, type Policy, type Unit } from "../pricing";
import { ErrorText, Field, Money, useLoad, useProblem } from "../ui";
import { PlayHelp } from "./play";

/** The largest price the API takes (ListingIn.price, in minor units). */
export const MAX_PRICE = 1_000_000_000_000_000;
const MAX_ENTRANTS = 10_000_000; // ListingIn.expected_entrants

const within = (n: number, min: number, max: number) => Number.isSafeInteger(n) && n >= min && n <= max;

/** The form's values against the bounds the server checks (its refusals read the same). */
export function checkListing(v: {
  price: number;
  np: number;
  limit: number;
  closesIn: number;
  deadlines: Record<Deadline, number>;
}, policy: Policy): FieldProblem[] {
  const out: FieldProblem[] = [];
  const range = (field: string, n: number, min: number, max: number) => {
    if (!within(n, min, max)) out.push({ field, type: "out_of_range", message: "", limits: { min, max } });
  };
  range("price", v.price, 1, MAX_PRICE);
  range("expected_entrants", v.np, 2, Math.min(policy.expected_entrants_max, MAX_ENTRANTS));
  range("ticket_limit", v.limit, 1, policy.ticket_limit_max);
  range("closes_at", v.closesIn, 1, policy.max_open_days * 86_400);
  for (const d of DEADLINES) range(`deadlines.${d}`, v.deadlines[d], policy.deadlines[d].min, policy.deadlines[d].max);
  return out;
}

type Duration = { n: number; unit: Unit };

/** A length of time as a number and a unit; ``hint`` says what is allowed. */
function DurationField({ id, label, field, value, onChange, error, onClear, hint, units = UNITS.map(([u]) => u) }: {
  id: string;
  label: string;
  field: string;
  value: Duration;
  onChange: (v: Duration) => void;
  error: unknown;
  onClear: (field: string) => void;
  hint: string;
  units?: Unit[];
}) {
  return (
    <Field label={label} id={id} field={field} error={error} onClear={onClear}>
      <div class="duration">
        <input
          id={id}
          type="number"
          min={1}
          inputMode="numeric"
          value={Number.isNaN(value.n) ? "" : value.n}
          aria-describedby={`${id}-hint`}
          onInput={(e) => {
            const raw = (e.target as HTMLInputElement).value.trim();
            onChange({ ...value, n: raw === "" ? Number.NaN : Number(raw) });
          }}
        />
        <select aria-label={`${label}: ${t("unit")}`} value={value.unit} onChange={(e) => onChange({ ...value, unit: (e.target as HTMLSelectElement).value as Unit })}>
          {units.map((u) => (
            <option key={u} value={u}>
              {unitText(u)}
            </option>
          ))}
        </select>
      </div>
      <small id={`${id}-hint`}>{hint}</small>
    </Field>
  );
}

function CreateListing({ policy, onCreated }: { policy: Policy; onCreated: () => void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  // what was typed, as typed (a number box holding "-5" or "1e20" keeps it); read as numbers below
  const [priceText, setPrice] = useState("100000");
  const [npText, setNp] = useState("100");
  const [limitText, setLimit] = useState(String(policy.ticket_limit_default));
  const numberOf = (raw: string) => (raw.trim() === "" ? Number.NaN : Number(raw)); // empty is no number, not 0
  const price = numberOf(priceText);
  const np = numberOf(npText);
  const limit = numberOf(limitText);
  const [closesIn, setClosesIn] = useState<Duration>({ n: 1, unit: "day" });
  const [surplus, setSurplus] = useState(policy.surplus_policy_default);
  const [deadlines, setDeadlines] = useState(() =>
    Object.fromEntries(DEADLINES.map((d) => [d, inUnits(policy.deadlines[d].default)])) as Record<Deadline, Duration>,
  );
  const [error, setError, clear] = useProblem();
  const [tried, setTried] = useState(false); // an empty title is said once they try to create
  const [attempt, setAttempt] = useState(() => crypto.randomUUID()); // a retry finds its listing
  const closesSeconds = seconds(closesIn.n, closesIn.unit);
  const problems = checkListing(
    {
      price,
      np,
      limit,
      closesIn: closesSeconds,
      deadlines: Object.fromEntries(DEADLINES.map((d) => [d, seconds(deadlines[d].n, deadlines[d].unit)])) as Record<Deadline, number>,
    },
    policy,
  );
  if (tried && !title) problems.unshift({ field: "title", type: "missing", message: "", limits: null });
  const local = problems.length ? new ApiProblem(0, "out_of_range", "", problems[0].field, null, problems) : null;
  /** The page's own check for a field, else the server's refusal (cleared when the field changes). */
  const errorFor = (field: string) => (local?.about(field).length ? local : error);
  const priceOk = !problems.some((p) => p.field === "price" || p.field === "expected_entrants");
  const p1 = priceOk ? Number(firstPayment(BigInt(price), BigInt(np))) : 0;
  const deposit = priceOk ? Number(depositFor(policy.deposit, BigInt(price))) : 0;
  async function create(e: Event) {
    e.preventDefault();
    setTried(true);
    if (problems.length || !title) {
      const first = problems[0]?.field ?? "title";
      const id = first.startsWith("deadlines.") ? `deadline-${first.slice(10)}` : first;
      document.getElementById(id)?.focus();
      return;
    }
    setError(null);
    try {
      const out = unwrap(
        await api.POST("/listings", {
          body: {
            title,
            description,
            price,
            currency: "KRW",
            expected_entrants: np,
            ticket_limit: limit,
            surplus_policy: surplus,
            closes_at: new Date(Date.now() + closesSeconds * 1000).toISOString(),
            deadlines: Object.fromEntries(DEADLINES.map((d) => [d, seconds(deadlines[d].n, deadlines[d].unit)])),
          },
          headers: { "Idempotency-Key": attempt },
        }),
      );
      setAttempt(crypto.randomUUID());
      if (out.deposit.checkout) window.location.href = out.deposit.checkout.url;
      else onCreated();
    } catch (err) {
      setError(err);
    }
  }
  const num = (f: (raw: string) => void) => (e: Event) => f((e.target as HTMLInputElement).value);
  return (
    <form class="panel" onSubmit={create} aria-labelledby="create-title" noValidate>
      <h2 id="create-title">{t("newListing")}</h2>
      <Field label={t("title")} id="title" error={errorFor("title")} onClear={clear}>
        <input id="title" value={title} required maxLength={500} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      </Field>
      <Field label={t("description")} id="description" error={errorFor("description")} onClear={clear}>
        <textarea id="description" value={description} maxLength={5000} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
      </Field>
      <Field label={`${t("price")} (KRW)`} id="price" error={errorFor("price")} onClear={clear}>
        <input id="price" type="number" inputMode="numeric" min={1} max={MAX_PRICE} value={priceText} onInput={num(setPrice)} />
      </Field>
      <Field label={t("expectedEntrants")} id="expected_entrants" error={errorFor("expected_entrants")} onClear={clear}>
        <input id="expected_entrants" type="number" inputMode="numeric" min={2} max={policy.expected_entrants_max} value={npText} onInput={num(setNp)} />
      </Field>
      <Field label={t("ticketLimit")} id="ticket_limit" error={errorFor("ticket_limit")} onClear={clear}>
        <input id="ticket_limit" type="number" inputMode="numeric" min={1} max={policy.ticket_limit_max} value={limitText} onInput={num(setLimit)} />
      </Field>
      <DurationField
        id="closes_at"
        field="closes_at"
        label={t("closesIn")}
        value={closesIn}
        onChange={setClosesIn}
        error={errorFor("closes_at")}
        onClear={clear}
        hint={t("atMost", { max: span(policy.max_open_days * 86_400) })}
        units={["minute", "hour", "day"]}
      />
      <Field label={t("surplusPolicy")} id="surplus_policy" error={errorFor("surplus_policy")} onClear={clear}>
        <select id="surplus_policy" value={surplus} onChange={(e) => setSurplus((e.target as HTMLSelectElement).value as typeof surplus)}>
          <option value="operator">{t("surplus_operator")}</option>
          <option value="mileage">{t("surplus_mileage")}</option>
        </select>
      </Field>
      <fieldset>
        <legend>{t("deadlines")}</legend>
        {DEADLINES.map((d) => (
          <DurationField
            key={d}
            id={`deadline-${d}`}
            field={d}
            label={t(`deadline_${d}`)}
            value={deadlines[d]}
            onChange={(v) => setDeadlines({ ...deadlines, [d]: v })}
            error={errorFor(`deadlines.${d}`)}
            onClear={clear}
            hint={t("allowedRange", { min: span(policy.deadlines[d].min), max: span(policy.deadlines[d].max) })}
          />
        ))}
      </fieldset>
      <p role="status" data-testid="preview">
        {priceOk ? (
          <>
            {tx("preview", { p1: <Money amount={p1} currency="KRW" />, np })} · {t("deposit")} <Money amount={deposit} currency="KRW" testId="deposit-preview" />
            {policy.fee > 0 && (
              <>
                {" "}· {t("fee")} <Money amount={policy.fee} currency="KRW" />
              </>
            )}
          </>
        ) : (
          tx("previewNeeds", {
            min: <Money amount={1} currency="KRW" />,
            max: <Money amount={MAX_PRICE} currency="KRW" />,
            npMax: Math.min(policy.expected_entrants_max, MAX_ENTRANTS).toLocaleString(),
          })
        )}
      </p>
      <ErrorText error={error} />
      <PlayHelp error={error} />
      <button type="submit">{t("create")}</button>
    </form>
  );
}

export function PayDeposit({ id }: { id: string }) {
  const [error, setError] = useState<unknown>(null);
  async function pay() {
    try {
      const d = unwrap(await api.POST("/listings/{listing_id}/deposit", { params: { path: { listing_id: id } } }));
      if (d.checkout) window.location.href = d.checkout.url;
    } catch (e) {
      setError(e);
    }
  }
  return (
    <>
      <button onClick={() => void pay()}>{t("payDeposit")}</button>
      <ErrorText error={error} />
    </>
  );
}

export function SellPage() {
  const [mine, error, reload] = useLoad(
    async () => {
      // every page, newest listing first
      const pages = await everyPage(async (cursor) =>
        unwrap(await api.GET("/me/listings", cursor ? { params: { query: { cursor } } } : {})),
      );
      return { listings: pages.flatMap((p) => p.listings) };
    },
    [],
    5,
  );
  const [policy, policyError] = useLoad(async () => unwrap(await api.GET("/policy", {})), []);
  return (
    <section aria-labelledby="sell-title">
      <h1 id="sell-title">{t("sell")}</h1>
      <ErrorText error={policyError} />
      {policy && <CreateListing policy={policy} onCreated={reload} />}
      <h2>{t("myListings")}</h2>
      <ErrorText error={error} />
      <ul class="cards">
        {mine?.listings.map((l: Listing) => (
          <li class="card" key={l.listing_id}>
            <h3>
              <a href={`#/sell/${encodeURIComponent(l.listing_id)}`}>{l.title}</a>
            </h3>
            <p>
              {statusText(l.status)} ·{" "}
              <span class="count-of">
                {l.paid_tickets} / {l.expected_entrants}
              </span>
            </p>
            {l.status === "awaiting_deposit" && (
              <p class="muted">
                {tx("depositDue", {
                  deposit: <Money amount={l.deposit} currency={l.currency} minor={l.currency_minor_units} />,
                  due: l.deposit_due_at ? when(l.deposit_due_at) : "—",
                })}
              </p>
            )}
            {l.status === "awaiting_deposit" && <PayDeposit id={l.listing_id} />}
          </li>
        ))}
      </ul>
    </section>
  );
}
