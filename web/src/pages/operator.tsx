import { Fragment } from "preact";
import { useState } from "preact/hooks";

import { api, unwrap } from "../api/client";
import { money, percent, span, statusText, t, when } from "../i18n";
import { DEADLINES, type Policy } from "../pricing";
import { ErrorText, Field, useLoad } from "../ui";

function PolicyPanel({ policy }: { policy: Policy }) {
  const rows: [string, string][] = [
    [t("policyFee"), money(policy.fee, "KRW")],
    [
      t("policyDeposit"),
      policy.deposit.fixed != null ? money(policy.deposit.fixed, "KRW") : t("depositRate", { pct: percent(policy.deposit.rate_bps ?? 0) }),
    ],
    [t("policySurplus"), t(`surplus_${policy.surplus_policy_default}`)],
    [t("policyMileage"), t("pctOfP1", { pct: percent(policy.mileage_bps) })],
    [t("policyTicketLimit"), t("limitDefault", { n: policy.ticket_limit_default, max: policy.ticket_limit_max })],
    [t("policyMaxOpen"), span(policy.max_open_days * 86_400)],
    [t("policyHold"), span(policy.payment_hold_seconds)],
  ];
  return (
    <div class="panel" data-testid="policy">
      <h2>{t("policy")}</h2>
      <dl class="facts">
        {rows.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
      <table>
        <caption class="sr-only">{t("deadlines")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("deadlines")}</th>
            <th scope="col">{t("policyDefault")}</th>
            <th scope="col">{t("policyMin")}</th>
            <th scope="col">{t("policyMax")}</th>
          </tr>
        </thead>
        <tbody>
          {DEADLINES.map((d) => (
            <tr key={d}>
              <th scope="row">{t(`deadline_${d}`)}</th>
              <td>{span(policy.deadlines[d].default)}</td>
              <td>{span(policy.deadlines[d].min)}</td>
              <td>{span(policy.deadlines[d].max)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

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

type Dead = {
  dead_id: string;
  listing_id?: string | null;
  effects: Record<string, unknown>[];
  attempts: number;
  last_error: string;
  failed_at: string;
};

function effectText(e: Record<string, unknown>): string {
  const amount = typeof e.amount === "number" && typeof e.currency === "string" ? ` ${money(e.amount, e.currency)}` : "";
  const who = (e.payment_id ?? e.buyer_id ?? e.seller_id ?? e.detail_type ?? "") as string;
  return `${String(e.kind)}${amount} ${who}`.trim();
}

function DeadEffectsRow({ dead, reload }: { dead: Dead; reload: () => void }) {
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  async function run(f: () => Promise<unknown>) {
    setError(null);
    try {
      await f();
      reload();
    } catch (err) {
      setError(err);
    }
  }
  const id = `note-${dead.dead_id}`;
  return (
    <li class="card" data-testid="dead-effects">
      <p>
        {dead.effects.map(effectText).join(", ")}
        {dead.listing_id ? ` · ${dead.listing_id}` : ""}
      </p>
      <p class="muted">
        {t("attempts", { n: dead.attempts })} · {when(dead.failed_at)} · {dead.last_error}
      </p>
      <button
        onClick={() =>
          void run(async () =>
            unwrap(await api.POST("/operator/effects/{dead_id}/retry", { params: { path: { dead_id: dead.dead_id } } })),
          )
        }
      >
        {t("retryNow")}
      </button>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () =>
            unwrap(
              await api.POST("/operator/effects/{dead_id}/resolve", {
                params: { path: { dead_id: dead.dead_id } },
                body: { note },
              }),
            ),
          );
        }}
      >
        <Field label={t("resolveNote")} id={id} field="note" error={error}>
          <input id={id} value={note} required maxLength={500} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        </Field>
        <ErrorText error={error} />
        <button type="submit" class="secondary">
          {t("markResolved")}
        </button>
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
  const [dead, deadError, reloadDead] = useLoad(async () => unwrap(await api.GET("/operator/effects", {})), [], 10);
  const [policy, policyError] = useLoad(async () => unwrap(await api.GET("/policy", {})), []);
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
      <h2>{t("deadEffects")}</h2>
      <p class="muted">{t("deadEffectsHelp")}</p>
      <ErrorText error={deadError} />
      {dead?.effects.length === 0 && <p>{t("nothing")}</p>}
      <ul class="cards">
        {dead?.effects.map((d) => <DeadEffectsRow key={d.dead_id} dead={d} reload={reloadDead} />)}
      </ul>
      <ErrorText error={policyError} />
      {policy && <PolicyPanel policy={policy} />}
    </section>
  );
}
