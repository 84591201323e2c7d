import { useEffect, useState } from "preact/hooks";

import { api, everyPage, unwrap, type Entry } from "../api/client";
import { duration, money, statusText, t, when } from "../i18n";
import { ErrorText, Field, useLoad } from "../ui";

/** The entry's state in words: what the buyer is waiting for, or what they must do now. */
export function standing(e: Entry): string {
  if (e.candidate && e.second_payment) {
    return t("entryDrawn", {
      amount: money(e.second_payment.amount, e.currency),
      due: when(e.second_payment.due_at),
    });
  }
  if (e.final_buyer && e.shipment) {
    return t("entryShipped", { carrier: e.shipment.carrier, tracking: e.shipment.tracking_number });
  }
  if (e.final_buyer) return t("entryFinal");
  if (e.status === "pending") return t("entryPending");
  if (e.status === "expired") return t("entryExpired");
  if (e.listing_phase === "before_draw") return t("entryWaiting");
  if (e.passed) return t("entryPassed");
  if (e.listing_phase === "drawing") return t("entryNextInLine");
  if (e.listing_phase === "not_sold") return t("entryRefunded", { status: statusText(e.listing_status) });
  return `${t("entryNotDrawn")} (${statusText(e.listing_status)})`;
}

function Countdown({ due }: { due: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const left = Math.max(0, Math.round((new Date(due).getTime() - now) / 1000));
  return (
    <span class="countdown" aria-live="off">
      {duration(left)}
    </span>
  );
}

function EntryCard({ e, reload }: { e: Entry; reload: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [reason, setReason] = useState("");
  const path = { params: { path: { listing_id: e.listing_id } } };
  async function act(f: () => Promise<void>) {
    setError(null);
    try {
      await f();
      reload();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <li class="card" data-testid={`entry-${e.listing_id}`}>
      <h2>
        <a href={`#/listing/${encodeURIComponent(e.listing_id)}`}>{e.listing_title}</a>
      </h2>
      <p class="standing" data-testid="standing">
        {standing(e)}
      </p>
      <dl class="facts">
        <dt>{t("tickets")}</dt>
        <dd>{e.tickets}</dd>
        <dt>{t("amount")}</dt>
        <dd>{money(e.amount, e.currency)}</dd>
        {e.pseudonym && (
          <>
            <dt>{t("pseudonym")}</dt>
            <dd>{e.pseudonym}</dd>
          </>
        )}
        {e.ticket_ids.length > 0 && (
          <>
            <dt>{t("ticketIds")}</dt>
            <dd>{e.ticket_ids.join(", ")}</dd>
          </>
        )}
        {e.mileage_earned != null && (
          <>
            <dt>{t("mileageEarned")}</dt>
            <dd data-testid="mileage-earned">{money(e.mileage_earned, e.currency)}</dd>
          </>
        )}
      </dl>
      {e.candidate && e.second_payment && (
        <p>
          <Countdown due={e.second_payment.due_at} />{" "}
          <button
            onClick={() =>
              void act(async () => {
                const out = unwrap(await api.POST("/listings/{listing_id}/second-payment", path));
                window.location.href = out.checkout.url;
              })
            }
          >
            {t("pay")} {money(e.second_payment.amount, e.currency)}
          </button>{" "}
          <button class="secondary" onClick={() => void act(async () => void unwrap(await api.POST("/listings/{listing_id}/forfeit", path)))}>
            {t("giveUp")}
          </button>
        </p>
      )}
      {e.final_buyer && e.listing_phase === "in_transit" && (
        <div>
          <button onClick={() => void act(async () => void unwrap(await api.POST("/listings/{listing_id}/confirm", path)))}>
            {t("confirmReceipt")}
          </button>
          <Field label={t("reason")} id={`reason-${e.listing_id}`} field="reason" error={error}>
            <input id={`reason-${e.listing_id}`} value={reason} onInput={(ev) => setReason((ev.target as HTMLInputElement).value)} />
          </Field>
          <button
            class="secondary"
            onClick={() =>
              void act(async () => void unwrap(await api.POST("/listings/{listing_id}/dispute", { ...path, body: { reason } })))
            }
          >
            {t("openDispute")}
          </button>
        </div>
      )}
      <ErrorText error={error} />
    </li>
  );
}

export function EntriesPage() {
  const [list, error, reload] = useLoad(
    async () => {
      // every page (each holds the entries of up to 100 listings), oldest entry first
      const pages = await everyPage(async (cursor) =>
        unwrap(await api.GET("/me/entries", cursor ? { params: { query: { cursor } } } : {})),
      );
      const entries = pages.flatMap((p) => p.entries);
      entries.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.entry_id.localeCompare(b.entry_id));
      return { entries };
    },
    [],
    5,
  );
  const [mileage] = useLoad(async () => unwrap(await api.GET("/me/mileage", {})), []);
  return (
    <section aria-labelledby="entries-title">
      <h1 id="entries-title">{t("myEntries")}</h1>
      {mileage && (
        <p>
          {t("mileage")}: {money(mileage.balance, mileage.currency)}
        </p>
      )}
      <ErrorText error={error} />
      {list && list.entries.length === 0 && <p>{t("nothing")}</p>}
      <ul class="cards">
        {list?.entries.map((e) => <EntryCard key={e.entry_id} e={e} reload={reload} />)}
      </ul>
    </section>
  );
}
