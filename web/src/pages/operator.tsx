import { useState } from "preact/hooks";

import { api, unwrap } from "../api/client";
import { money, statusText, t, when } from "../i18n";
import { ErrorText, Field, useLoad } from "../ui";

function PayoutRow({ p, reload }: { p: { payout_id: string; amount: number; currency: string; payout_account?: string | null; listing_id: string }; reload: () => void }) {
  const [ref, setRef] = useState("");
  const [error, setError] = useState<unknown>(null);
  async function paid(e: Event) {
    e.preventDefault();
    try {
      unwrap(
        await api.POST("/operator/payouts/{payout_id}/paid", {
          params: { path: { payout_id: p.payout_id } },
          body: { transfer_reference: ref },
        }),
      );
      reload();
    } catch (err) {
      setError(err);
    }
  }
  const id = `ref-${p.payout_id}`;
  return (
    <li class="card">
      <p>
        {money(p.amount, p.currency)} → {p.payout_account ?? "—"} ({p.listing_id})
      </p>
      <form onSubmit={paid}>
        <Field label={t("transferReference")} id={id} field="transfer_reference" error={error}>
          <input id={id} value={ref} required onInput={(e) => setRef((e.target as HTMLInputElement).value)} />
        </Field>
        <ErrorText error={error} />
        <button type="submit">{t("markPaid")}</button>
      </form>
    </li>
  );
}

export function OperatorPage() {
  const [attention, attentionError, reloadAttention] = useLoad(async () => unwrap(await api.GET("/operator/attention", {})), [], 10);
  const [payouts, payoutsError, reloadPayouts] = useLoad(async () => unwrap(await api.GET("/operator/payouts", {})), [], 10);
  const [disputed, , reloadDisputes] = useLoad(
    async () => unwrap(await api.GET("/listings", { params: { query: { status: "disputed" } } })),
    [],
    10,
  );
  const [error, setError] = useState<unknown>(null);
  async function act(f: () => Promise<unknown>, reload: () => void) {
    setError(null);
    try {
      await f();
      reload();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <section aria-labelledby="operator-title">
      <h1 id="operator-title">{t("operator")}</h1>
      <ErrorText error={error} />
      <h2>{t("attention")}</h2>
      <ErrorText error={attentionError} />
      {attention?.listings.length === 0 && <p>{t("nothing")}</p>}
      <ul class="cards">
        {attention?.listings.map((a) => (
          <li class="card" key={a.listing_id}>
            <p>
              {a.title} · {statusText(a.status)} · {a.error} · {when(a.since)}
            </p>
            <button
              onClick={() =>
                void act(
                  async () => unwrap(await api.POST("/listings/{listing_id}/resume", { params: { path: { listing_id: a.listing_id } } })),
                  reloadAttention,
                )
              }
            >
              {t("resume")}
            </button>
          </li>
        ))}
      </ul>
      <h2>{t("status_disputed")}</h2>
      {disputed?.listings.length === 0 && <p>{t("nothing")}</p>}
      <ul class="cards">
        {disputed?.listings.map((l) => (
          <li class="card" key={l.listing_id}>
            <p>{l.title}</p>
            {(["release", "refund"] as const).map((decision) => (
              <button
                key={decision}
                class={decision === "refund" ? "secondary" : ""}
                onClick={() =>
                  void act(
                    async () =>
                      unwrap(
                        await api.POST("/listings/{listing_id}/dispute/resolution", {
                          params: { path: { listing_id: l.listing_id } },
                          body: { decision },
                        }),
                      ),
                    reloadDisputes,
                  )
                }
              >
                {decision}
              </button>
            ))}
          </li>
        ))}
      </ul>
      <h2>{t("payouts")}</h2>
      <ErrorText error={payoutsError} />
      {payouts?.payouts.length === 0 && <p>{t("nothing")}</p>}
      <ul class="cards">
        {payouts?.payouts.map((p) => <PayoutRow key={p.payout_id} p={p} reload={reloadPayouts} />)}
      </ul>
    </section>
  );
}
