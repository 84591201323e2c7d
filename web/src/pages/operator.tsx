import { Fragment, type ComponentChildren } from "preact";
import { useState } from "preact/hooks";

import { api, ApiProblem, unwrap, type Schemas } from "../api/client";
import { accountText } from "../banks";
import { percent, span, statusText, t, tx, when } from "../i18n";
import { w } from "../i18n/words";
import { EvidencePhotos } from "../dispute";
import { DEADLINES, type Policy } from "../pricing";
import { topicText, weekText } from "../play-words";
import { ConfirmButton, ErrorText, Field, Money, useLoad, useProblem } from "../ui";
import { MAX_TEXT } from "../dispute";
import { Shipment } from "./entries";
import type { Key } from "../i18n/ko";

function PolicyPanel({ policy }: { policy: Policy }) {
  // Each currency's fee and deposit, in its own minor units (KRW first).
  const terms = Object.entries(policy.by_currency).sort(([a], [b]) => (a === "KRW" ? -1 : b === "KRW" ? 1 : a.localeCompare(b)));
  const rows: [string, ComponentChildren][] = [
    ...terms.flatMap(([code, c]): [string, ComponentChildren][] => [
      [code === "KRW" ? t("policyFee") : `${t("policyFee")} (${code})`, <Money amount={c.fee} currency={code} minor={c.minor_units} />],
      [
        code === "KRW" ? t("policyDeposit") : `${t("policyDeposit")} (${code})`,
        c.deposit.fixed != null ? <Money amount={c.deposit.fixed} currency={code} minor={c.minor_units} /> : t("depositRate", { pct: percent(c.deposit.rate_bps ?? 0) }),
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

/** The item a payout pays for: its title, with the listing's id as a small link to its page (a
 * payout issued before payouts kept the title: the id alone). */
function PayoutItem({ p }: { p: Payout }) {
  const link = (
    <a href={`#/listing/${encodeURIComponent(p.listing_id)}`} class="muted mono-text listing-id">
      {p.listing_id}
    </a>
  );
  if (!p.listing_title) return <span data-testid="payout-item">{link}</span>;
  return (
    <span data-testid="payout-item">
      {p.listing_title} <small>{link}</small>
    </span>
  );
}

function PayoutRow({ p, reload }: { p: Payout; reload: () => void }) {
  const [ref, setRef] = useState("");
  const [error, setError, clear] = useProblem();
  const id = `ref-${p.payout_id}`;
  async function paid() {
    setError(null);
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
  const amount = <Money amount={p.amount} currency={p.currency} />;
  // in full while it waits: the bank, the number and the holder to transfer to
  const account = accountText(p.payout_account);
  const now = accountText(p.profile_payout_account);
  return (
    <li class="card">
      <p>
        <PayoutItem p={p} />
      </p>
      <p>
        {amount} → <span data-testid="payout-to">{account}</span>
      </p>
      {p.warning && (
        <p class="error" role="alert" data-testid="payout-warning">
          {now !== account ? t("payoutAccountChanged", { issued: account, now }) : t("payoutAccountUnknown")}
        </p>
      )}
      <form onSubmit={(e) => e.preventDefault()}>
        <Field label={t("transferReference")} id={id} field="transfer_reference" error={error} onClear={clear}>
          <input id={id} value={ref} required maxLength={200} onInput={(e) => setRef((e.target as HTMLInputElement).value)} />
        </Field>
        <ErrorText error={error} />
        <ConfirmButton
          label={t("markPaid")}
          title={t("markPaidTitle")}
          confirmLabel={t("markPaid")}
          check={() => {
            if (ref.trim()) return true;
            setError(ApiProblem.local("invalid_input", "transfer_reference", null, "missing"));
            document.getElementById(id)?.focus();
            return false;
          }}
          onConfirm={() => void paid()}
        >
          <p>{tx("markPaidWhat", { amount, account, ref })}</p>
          <p>{t("cannotUndo")}</p>
        </ConfirmButton>
      </form>
    </li>
  );
}

/** Payouts once transferred, newest first: when, how much, to which account, by which transfer. */
function PaidPayouts({ paid, error }: { paid: Payout[] | null; error: unknown }) {
  const rows = [...(paid ?? [])].sort((a, b) => (b.paid_at ?? "").localeCompare(a.paid_at ?? ""));
  return (
    <div class="panel" data-testid="paid-payouts">
      <h2 id="paid-payouts-title">{t("payoutHistory")}</h2>
      <ErrorText error={error} />
      {paid && rows.length === 0 && <p>{t("nothing")}</p>}
      {rows.length > 0 && (
        <div class="scroll">
          {/* stacked at phone width, like the decided disputes: five columns do not fit 390 px */}
          <table class="stack" aria-labelledby="paid-payouts-title">
            <thead>
              <tr>
                <th scope="col">{t("paidAt")}</th>
                <th scope="col">{t("checkoutItem")}</th>
                <th scope="col">
                  <span class="nowrap">{t("amount")}</span>
                </th>
                <th scope="col">{t("payoutAccount")}</th>
                <th scope="col">{t("transferReference")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.payout_id}>
                  <th scope="row">{p.paid_at ? when(p.paid_at) : "—"}</th>
                  <td>
                    <PayoutItem p={p} />
                  </td>
                  <td>
                    <Money amount={p.amount} currency={p.currency} />
                  </td>
                  <td data-label={t("payoutAccount")}>{p.payout_account_masked ?? "—"}</td>
                  <td data-label={t("transferReference")} class="mono-text">
                    {p.transfer_reference ?? "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

type Dispute = Schemas["DisputeView"];
type DisputePage = Schemas["DisputeList"];
type Decision = "release" | "refund";
const DECISIONS = ["release", "refund"] as const;

function At({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} class="when">
      {when(iso)}
    </time>
  );
}

/** An open dispute in words: the buyer's reason (as written, on its lines) and photos, the
 * seller's answer, the shipment with its tracking link, the money paid, when it was opened and by
 * when to decide; each decision says what money it moves. */
function DisputeCard({ d, decide }: { d: Dispute; decide: (decision: Decision) => void }) {
  const m = (amount: number) => <Money amount={amount} currency={d.currency} />;
  const rows: [string, ComponentChildren][] = [
    [t("disputeReason"), <span class="written" data-testid="dispute-reason">{d.reason}</span>],
    ...(d.photos.length ? ([[t("disputePhotos"), <EvidencePhotos photos={d.photos} />]] as [string, ComponentChildren][]) : []),
    [
      t("disputeAnswer"),
      d.answer !== null ? (
        <span data-testid="dispute-answer">
          <span class="written">{d.answer}</span>
          {d.answered_at && (
            <>
              {" "}
              <span class="muted">
                (<At iso={d.answered_at} />)
              </span>
            </>
          )}
        </span>
      ) : (
        <span class="muted" data-testid="dispute-answer">
          {t("disputeNoAnswer")}
        </span>
      ),
    ],
    [t("disputeBuyer"), <span class="pseudonym">{d.final_buyer}</span>],
    [
      t("disputeShipment"),
      d.carrier && d.tracking_number ? (
        <span data-testid="dispute-shipment">
          {d.carrier} <Shipment carrier={d.carrier} tracking={d.tracking_number} />
        </span>
      ) : (
        "—"
      ),
    ],
    [t("disputeShipped"), d.shipped_at ? <At iso={d.shipped_at} /> : "—"],
    [t("disputeDelivered"), d.delivered_at ? <At iso={d.delivered_at} /> : t("disputeNotDelivered")],
    [t("disputePrice"), m(d.price)],
    [t("disputeTickets"), tx("disputeTicketsWhat", { n: d.paid_tickets, p1: m(d.first_payment), total: m(d.tickets_paid) })],
    [t("disputeP2"), m(d.second_payment_paid)],
    [t("disputeDeposit"), m(d.deposit)],
    [t("disputeOpened"), d.opened_at ? <At iso={d.opened_at} /> : "—"],
  ];
  if (d.resolution_due_at) rows.push([t("disputeDue"), <At iso={d.resolution_due_at} />]);
  const released = d.if_released;
  const refunded = d.if_refunded;
  const moves: Record<Decision, ComponentChildren> = {
    release: tx("disputeReleaseMoves", {
      price: m(released.seller_paid),
      deposit: m(released.deposit_returned),
      paid: m(d.tickets_paid + d.second_payment_paid),
    }),
    refund: tx(refunded.second_payment_refunded > 0 ? "disputeRefundMoves" : "disputeRefundMovesNoP2", {
      p2: m(refunded.second_payment_refunded),
      tickets: m(refunded.tickets_refunded),
      n: d.paid_tickets,
      deposit: m(refunded.deposit_forfeited),
    }),
  };
  return (
    <li class="card" data-testid={`dispute-${d.listing_id}`}>
      <h3>
        <a href={`#/listing/${encodeURIComponent(d.listing_id)}`}>{d.title}</a>
      </h3>
      <dl class="facts">
        {rows.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
      {DECISIONS.map((decision) => (
        <ConfirmButton
          key={decision}
          class={decision === "refund" ? "secondary" : ""}
          label={t(`decision_${decision}`)}
          title={t(`decision_${decision}_title`)}
          confirmLabel={t(`decision_${decision}`)}
          onConfirm={() => decide(decision)}
        >
          <p>{moves[decision]}</p>
          <p>{t("cannotUndo")}</p>
        </ConfirmButton>
      ))}
    </li>
  );
}

/** Disputes once decided, newest decision first: when, which listing, the decision and the money
 * it moved, the buyer's reason and the shipment; older pages on request. */
function DecidedDisputes({ page, error }: { page: DisputePage | null; error: unknown }) {
  const [older, setOlder] = useState<{ rows: Dispute[]; cursor: string | null } | null>(null);
  const [olderError, setOlderError] = useState<unknown>(null);
  const seen = new Set<string>();
  const rows = [...(page?.disputes ?? []), ...(older?.rows ?? [])].filter((d) => !seen.has(d.listing_id) && seen.add(d.listing_id));
  const cursor = older ? older.cursor : (page?.next_cursor ?? null);
  async function more() {
    if (!cursor) return;
    setOlderError(null);
    try {
      const next = unwrap(await api.GET("/operator/disputes", { params: { query: { status: "decided", cursor } } }));
      setOlder({ rows: [...(older?.rows ?? []), ...next.disputes], cursor: next.next_cursor });
    } catch (err) {
      setOlderError(err);
    }
  }
  const moved = (d: Dispute) =>
    d.decision === "refund" ? d.if_refunded.second_payment_refunded + d.if_refunded.tickets_refunded : d.if_released.seller_paid;
  return (
    <div class="panel" data-testid="decided-disputes">
      <h2 id="decided-disputes-title">{t("disputeHistory")}</h2>
      <ErrorText error={error} />
      {page && rows.length === 0 && <p>{t("nothing")}</p>}
      {rows.length > 0 && (
        <div class="scroll">
          <table class="stack" aria-labelledby="decided-disputes-title">
            <thead>
              <tr>
                <th scope="col">{t("decidedAt")}</th>
                <th scope="col">{t("title")}</th>
                <th scope="col">{t("disputeDecision")}</th>
                <th scope="col">{t("disputeReason")}</th>
                <th scope="col">{t("disputeShipment")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.listing_id}>
                  <th scope="row">{d.decided_at ? <At iso={d.decided_at} /> : "—"}</th>
                  <td>
                    <a href={`#/listing/${encodeURIComponent(d.listing_id)}`}>{d.title}</a>
                  </td>
                  <td>
                    {d.decision ? t(`decided_${d.decision}`) : "—"} <Money amount={moved(d)} currency={d.currency} />
                  </td>
                  <td data-label={t("disputeReason")} class="written">
                    {d.reason}
                  </td>
                  <td data-label={t("disputeShipment")}>
                    {d.carrier && d.tracking_number ? (
                      <>
                        {d.carrier} <Shipment carrier={d.carrier} tracking={d.tracking_number} />
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorText error={olderError} />
      {cursor && (
        <button type="button" class="secondary" onClick={() => void more()}>
          {t("disputesOlder")}
        </button>
      )}
    </div>
  );
}

type PlayOverview = Schemas["PlayOverview"];
type OperatorComplaint = Schemas["OperatorComplaint"];
// the harm signal's floor in KRW (tombola/domain/responsible.py HARM_FLOOR), said in its help
const HARM_FLOOR_KRW = 100_000;

/** Responsible play in numbers: people verified, with limits, on a break and excluded; whose
 * spending rose sharply; second accounts refused. Account ids only, never more of a person. */
function PlayPanel({ play, error }: { play: PlayOverview | null; error: unknown }) {
  const counts: [string, Key, number | undefined][] = [
    ["verified", "opVerified", play?.verified],
    ["with-limits", "opWithLimits", play?.with_limits],
    ["on-break", "opOnBreak", play?.on_break],
    ["excluded", "opExcluded", play?.excluded],
  ];
  return (
    <section class="panel" aria-labelledby="op-play-title" data-testid="op-play">
      <h2 id="op-play-title">{t("playTitle")}</h2>
      <ErrorText error={error} />
      {play && (
        <>
          <dl class="facts" data-testid="play-counts">
            {counts.map(([id, key, n]) => (
              <Fragment key={id}>
                <dt>{t(key)}</dt>
                <dd data-testid={`count-${id}`}>{t("opPeople", { n: n ?? 0 })}</dd>
              </Fragment>
            ))}
          </dl>
          <h3 id="harm-title">{t("opHarm")}</h3>
          <p class="muted">{tx("opHarmHelp", { floor: <Money amount={HARM_FLOOR_KRW} currency="KRW" /> })}</p>
          {play.harm_signals.length === 0 ? (
            <p>{t("nothing")}</p>
          ) : (
            <div class="scroll">
              <table class="stack" aria-labelledby="harm-title" data-testid="harm-signals">
                <thead>
                  <tr>
                    <th scope="col">{t("opAccount")}</th>
                    <th scope="col">{t("opWeek")}</th>
                    <th scope="col">{t("opSpent")}</th>
                    <th scope="col">{t("opPrevious")}</th>
                    <th scope="col">{t("opRaised")}</th>
                  </tr>
                </thead>
                <tbody>
                  {play.harm_signals.map((h) => (
                    <tr key={`${h.user_id}|${h.currency}|${h.week}`} data-testid={`harm-${h.user_id}`}>
                      <th scope="row" class="mono-text">
                        {h.user_id}
                      </th>
                      <td data-label={t("opWeek")}>
                        <span class="nowrap">{weekText(h.week)}</span>
                      </td>
                      <td data-label={t("opSpent")}>
                        <Money amount={h.spent} currency={h.currency} />
                      </td>
                      <td data-label={t("opPrevious")}>
                        <Money amount={h.previous} currency={h.currency} />
                      </td>
                      <td data-label={t("opRaised")}>
                        <At iso={h.at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3 id="refused-title">{t("opRefused")}</h3>
          <p class="muted">{t("opRefusedHelp")}</p>
          {play.refused_accounts.length === 0 ? (
            <p>{t("nothing")}</p>
          ) : (
            <div class="scroll">
              <table class="stack" aria-labelledby="refused-title" data-testid="refused-accounts">
                <thead>
                  <tr>
                    <th scope="col">{t("opRefusedAccount")}</th>
                    <th scope="col">{t("opHolder")}</th>
                    <th scope="col">{t("opWhen")}</th>
                  </tr>
                </thead>
                <tbody>
                  {play.refused_accounts.map((r) => (
                    <tr key={`${r.user_id}|${r.at}`}>
                      <th scope="row" class="mono-text">
                        {r.user_id}
                      </th>
                      <td data-label={t("opHolder")} class="mono-text">
                        {r.holder_id}
                      </td>
                      <td data-label={t("opWhen")}>
                        <At iso={r.at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** What a complaint says: its topic, who sent it and when, the listing it names, the text. */
function ComplaintFacts({ c }: { c: OperatorComplaint }) {
  return (
    <>
      <h3>{topicText(c.topic)}</h3>
      <p class="muted">
        {t("complaintFrom")} <span class="mono-text">{c.user_id}</span> · <At iso={c.opened_at} />
        {c.listing_id && (
          <>
            {" · "}
            <a href={`#/listing/${encodeURIComponent(c.listing_id)}`} class="listing-id">
              {c.listing_id}
            </a>
          </>
        )}
      </p>
      <p class="written" data-testid="complaint-text">
        {c.text}
      </p>
    </>
  );
}

/** An open complaint, with how long it has waited and the one answer it gets (asked first). */
function ComplaintCard({ c, answered }: { c: OperatorComplaint; answered: () => void }) {
  const [answer, setAnswer] = useState("");
  const [error, setError, clear] = useProblem();
  const id = `answer-${c.complaint_id}`;
  async function send() {
    setError(null);
    try {
      unwrap(await api.POST("/operator/complaints/answer", { body: { user_id: c.user_id, complaint_id: c.complaint_id, answer } }));
      answered();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <li class="card" data-testid={`op-complaint-${c.complaint_id}`}>
      <ComplaintFacts c={c} />
      <p class="standing" data-testid="complaint-age">
        {t("complaintWaitingFor", { span: span(Math.max(c.age_seconds, 1)) })}
      </p>
      <form onSubmit={(e) => e.preventDefault()}>
        <Field label={t("complaintAnswerLabel")} id={id} field="answer" error={error} onClear={clear}>
          <textarea id={id} rows={4} maxLength={MAX_TEXT} value={answer} aria-describedby={`${id}-hint`} onInput={(e) => setAnswer((e.target as HTMLTextAreaElement).value)} />
          <small id={`${id}-hint`}>{t("disputeTextHint", { max: MAX_TEXT, left: MAX_TEXT - answer.length })}</small>
        </Field>
        <ErrorText error={error} />
        <ConfirmButton
          label={t("complaintAnswerSend")}
          title={t("complaintAnswerTitle")}
          confirmLabel={t("complaintAnswerSend")}
          check={() => {
            if (answer.trim()) return true;
            setError(ApiProblem.local("invalid_input", "answer", null, "missing"));
            document.getElementById(id)?.focus();
            return false;
          }}
          onConfirm={() => void send()}
        >
          <p class="written">{answer}</p>
          <p>{t("complaintAnswerWhat", { user: c.user_id })}</p>
        </ConfirmButton>
      </form>
    </li>
  );
}

/** Complaints: the open ones oldest first, each answered once; then those answered. */
function ComplaintsPanel() {
  const [open, openError, reloadOpen] = useLoad(async () => unwrap(await api.GET("/operator/complaints", {})), [], 30);
  const [done, doneError, reloadDone] = useLoad(
    async () => unwrap(await api.GET("/operator/complaints", { params: { query: { status: "answered" } } })),
    [],
    60,
  );
  const reload = () => (reloadOpen(), reloadDone());
  return (
    <>
      <h2 id="op-complaints-title">{t("complaintsOpen")}</h2>
      <p class="muted">{t("complaintsOpenHelp")}</p>
      <ErrorText error={openError} />
      {open?.complaints.length === 0 && <p>{t("nothing")}</p>}
      {open && open.complaints.length > 0 && (
        <ul class="cards wide" aria-labelledby="op-complaints-title" data-testid="op-complaints">
          {open.complaints.map((c) => (
            <ComplaintCard key={`${c.user_id}|${c.complaint_id}`} c={c} answered={reload} />
          ))}
        </ul>
      )}
      <div class="panel" data-testid="op-complaints-answered">
        <h2 id="op-answered-title">{t("complaintsAnswered")}</h2>
        <ErrorText error={doneError} />
        {done?.complaints.length === 0 && <p>{t("nothing")}</p>}
        {done && done.complaints.length > 0 && (
          <ul class="inbox" aria-labelledby="op-answered-title">
            {done.complaints.map((c) => (
              <li key={`${c.user_id}|${c.complaint_id}`} class="note" data-testid={`op-answered-${c.complaint_id}`}>
                <ComplaintFacts c={c} />
                <p>
                  <strong>{t("complaintAnswer")}:</strong> <span class="written">{c.answer}</span>
                </p>
                <p class="muted">
                  {c.answered_at && <At iso={c.answered_at} />} · {t("complaintAnsweredAfter", { span: span(Math.max(c.age_seconds, 1)) })}
                </p>
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
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

function Effect({ e }: { e: Record<string, unknown> }) {
  const who = (e.payment_id ?? e.buyer_id ?? e.seller_id ?? e.detail_type ?? "") as string;
  return (
    <span>
      {String(e.kind)}
      {typeof e.amount === "number" && typeof e.currency === "string" && (
        <>
          {" "}
          <Money amount={e.amount} currency={e.currency} />
        </>
      )}
      {who && ` ${who}`}
    </span>
  );
}

function DeadEffectsRow({ dead, reload }: { dead: Dead; reload: () => void }) {
  const [note, setNote] = useState("");
  const [error, setError, clear] = useProblem();
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
        {dead.effects.map((e, i) => (
          <span key={i}>
            {i > 0 && ", "}
            <Effect e={e} />
          </span>
        ))}
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
        <Field label={t("resolveNote")} id={id} field="note" error={error} onClear={clear}>
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
  const [error, setError, clear] = useProblem();
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
        <Field label={t("reconcileDay")} id="recon-day" field="day" error={error} onClear={clear}>
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
                    <td>{m.provider_amount != null ? <Money amount={m.provider_amount} currency={m.currency} /> : "—"}</td>
                    <td>{m.our_amount != null ? <Money amount={m.our_amount} currency={m.currency} /> : "—"}</td>
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
  const [payouts, payoutsError, reloadWaiting] = useLoad(async () => unwrap(await api.GET("/operator/payouts", {})), [], 10);
  const [paid, paidError, reloadPaid] = useLoad(
    async () => unwrap(await api.GET("/operator/payouts", { params: { query: { status: "paid" } } })),
    [],
    30,
  );
  const reloadPayouts = () => (reloadWaiting(), reloadPaid());
  const [disputed, disputedError, reloadOpen] = useLoad(async () => unwrap(await api.GET("/operator/disputes", {})), [], 10);
  const [decided, decidedError, reloadDecided] = useLoad(
    async () => unwrap(await api.GET("/operator/disputes", { params: { query: { status: "decided" } } })),
    [],
    30,
  );
  const reloadDisputes = () => (reloadOpen(), reloadDecided());
  const [dead, deadError, reloadDead] = useLoad(async () => unwrap(await api.GET("/operator/effects", {})), [], 10);
  const [policy, policyError] = useLoad(async () => unwrap(await api.GET("/policy", {})), []);
  const [undelivered, undeliveredError, reloadUndelivered] = useLoad(async () => unwrap(await api.GET("/operator/undelivered", {})), [], 30);
  const [play, playError] = useLoad(async () => unwrap(await api.GET("/operator/play", {})), [], 30);
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
      <h2>{t("disputesOpen")}</h2>
      <ErrorText error={disputedError} />
      {disputed?.disputes.length === 0 && <p>{t("nothing")}</p>}
      <ul class="cards wide">
        {disputed?.disputes.map((d) => (
          <DisputeCard
            key={d.listing_id}
            d={d}
            decide={(decision) =>
              void act(
                async () =>
                  unwrap(
                    await api.POST("/listings/{listing_id}/dispute/resolution", {
                      params: { path: { listing_id: d.listing_id } },
                      body: { decision },
                    }),
                  ),
                reloadDisputes,
              )
            }
          />
        ))}
      </ul>
      <DecidedDisputes page={decided} error={decidedError} />
      <ComplaintsPanel />
      <PlayPanel play={play} error={playError} />
      <h2>{t("payouts")}</h2>
      <ErrorText error={payoutsError} />
      {payouts?.payouts.length === 0 && <p>{t("nothing")}</p>}
      <ul class="cards">
        {payouts?.payouts.map((p) => <PayoutRow key={p.payout_id} p={p} reload={reloadPayouts} />)}
      </ul>
      <PaidPayouts paid={paid?.payouts ?? null} error={paidError} />
      <h2>{t("deadEffects")}</h2>
      <p class="muted">{t("deadEffectsHelp")}</p>
      <ErrorText error={deadError} />
      {dead?.effects.length === 0 && <p>{t("nothing")}</p>}
      <ul class="cards">
        {dead?.effects.map((d) => <DeadEffectsRow key={d.dead_id} dead={d} reload={reloadDead} />)}
      </ul>
      <h2 id="undelivered-title">{w("undelivered")}</h2>
      <ErrorText error={undeliveredError} />
      {undelivered?.notes.length === 0 && <p>{w("undeliveredNone")}</p>}
      {undelivered && undelivered.notes.length > 0 && (
        <ul class="inbox" aria-labelledby="undelivered-title" data-testid="undelivered">
          {undelivered.notes.map((n) => (
            <li key={`${n.user_id}|${n.note_id}`} class="note">
              <p>
                {w("undeliveredWhat", { user: n.user_id, kind: n.kind })} · <time dateTime={n.at}>{when(n.at)}</time>
                {n.listing_id && (
                  <>
                    {" · "}
                    <a href={`#/listing/${encodeURIComponent(n.listing_id)}`}>{n.listing_id}</a>
                  </>
                )}
              </p>
              {Object.entries(n.failures).map(([channel, why]) => (
                <p key={channel} class="muted">
                  {channel}: {why}
                </p>
              ))}
              <ConfirmButton
                class="secondary"
                label={w("undeliveredDismiss")}
                title={w("undeliveredDismissTitle")}
                confirmLabel={w("undeliveredDismiss")}
                onConfirm={() =>
                  void act(
                    async () => unwrap(await api.POST("/operator/undelivered/dismiss", { body: { user_id: n.user_id, note_id: n.note_id } })),
                    reloadUndelivered,
                  )
                }
              >
                <p>{w("undeliveredDismissWhat", { user: n.user_id })}</p>
              </ConfirmButton>
            </li>
          ))}
        </ul>
      )}
      <ReconciliationPanel />
      <ErrorText error={policyError} />
      {policy && <PolicyPanel policy={policy} />}
    </section>
  );
}
