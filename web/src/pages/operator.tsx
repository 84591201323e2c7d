import { Fragment } from "preact";
import { useState } from "preact/hooks";

import { api, unwrap, type Schemas } from "../api/client";
import { money, percent, span, statusText, t, when } from "../i18n";
import { DEADLINES, type Policy } from "../pricing";
import { ErrorText, Field, useLoad } from "../ui";

function PolicyPanel({ policy }: { policy: Policy }) {
  // Each currency's fee and deposit, in its own minor units (KRW first).
  const terms = Object.entries(policy.by_currency).sort(([a], [b]) => (a === "KRW" ? -1 : b === "KRW" ? 1 : a.localeCompare(b)));
  const rows: [string, string][] = [
    ...terms.flatMap(([code, c]): [string, string][] => [
      [code === "KRW" ? t("policyFee") : `${t("policyFee")} (${code})`, money(c.fee, code, c.minor_units)],
      [
        code === "KRW" ? t("policyDeposit") : `${t("policyDeposit")} (${code})`,
        c.deposit.fixed != null ? money(c.deposit.fixed, code, c.minor_units) : t("depositRate", { pct: percent(c.deposit.rate_bps ?? 0) }),
      ],
    ]),
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

type Payout = Schemas["PayoutView"];

function PayoutRow({ p, reload }: { p: Payout; reload: () => void }) {
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
      {p.warning && (
        <p class="error" role="alert" data-testid="payout-warning">
          {p.profile_payout_account !== p.payout_account
            ? t("payoutAccountChanged", { issued: p.payout_account ?? "—", now: p.profile_payout_account ?? "—" })
            : t("payoutAccountUnknown")}
        </p>
      )}
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

type Reconciliation = Schemas["ReconciliationView"];
const RECON_STATUSES = ["matched", "missing_here", "missing_there", "amount_differs"] as const;

function ReconciliationPanel() {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const [day, setDay] = useState(yesterday);
  const [report, setReport] = useState<Reconciliation | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function run(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      setReport(unwrap(await api.GET("/operator/reconciliation", { params: { query: { day } } })));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div class="panel" data-testid="reconciliation">
      <h2>{t("reconciliation")}</h2>
      <p class="muted">{t("reconciliationHelp")}</p>
      <form onSubmit={run}>
        <Field label={t("reconcileDay")} id="recon-day" field="day" error={error}>
          <input id="recon-day" type="date" value={day} required max={new Date().toISOString().slice(0, 10)} onInput={(e) => setDay((e.target as HTMLInputElement).value)} />
        </Field>
        <ErrorText error={error} />
        <button type="submit">{t("reconcileRun")}</button>
      </form>
      {report && (
        <>
          <dl class="facts">
            {RECON_STATUSES.map((s) => (
              <Fragment key={s}>
                <dt>{t(`recon_${s}`)}</dt>
                <dd>{report.counts[s] ?? 0}</dd>
              </Fragment>
            ))}
          </dl>
          {report.mismatches.length > 0 && (
            <table>
              <caption class="sr-only">{t("reconciliation")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("reconRecord")}</th>
                  <th scope="col">{t("reconProvider")}</th>
                  <th scope="col">{t("reconOurs")}</th>
                </tr>
              </thead>
              <tbody>
                {report.mismatches.map((m) => (
                  <tr key={`${m.kind}-${m.provider_id}`}>
                    <th scope="row">
                      {t(`recon_${m.status}`)} · {m.kind} {m.provider_id}
                      {m.listing_id ? ` · ${m.listing_id}` : ""}
                    </th>
                    <td>{m.provider_amount != null ? money(m.provider_amount, m.currency) : "—"}</td>
                    <td>{m.our_amount != null ? money(m.our_amount, m.currency) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
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
      <ReconciliationPanel />
      <ErrorText error={policyError} />
      {policy && <PolicyPanel policy={policy} />}
    </section>
  );
}
