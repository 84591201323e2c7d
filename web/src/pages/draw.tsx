import { useEffect, useState } from "preact/hooks";

import { api, unwrap, type Schemas } from "../api/client";
import { session } from "../api/session";
import { hasKey, ordinal, shortTicket, t, tx, when } from "../i18n";
import type { Key } from "../i18n/ko";
import { isQuicknet, roundTime } from "../verify/chain";
import type { Transcript, TranscriptTicket, Verdict } from "../verify/draw";
import type { MineVerdict, MyDraw } from "../verify/mine";
import { w } from "../i18n/words";
import { drawPlaces } from "../notes";
import { ErrorText, useLoad } from "../ui";
import { myEntriesOn } from "./listing";

async function wholeTranscript(id: string, onPage: (done: number, total: number) => void): Promise<Transcript> {
  const tickets: TranscriptTicket[] = [];
  let page: number | null = 0;
  let first: Omit<Transcript, "tickets"> | null = null;
  while (page !== null) {
    const out: Schemas["DrawTranscript"] = unwrap(
      await api.GET("/listings/{listing_id}/draw", { params: { path: { listing_id: id }, query: { page } } }),
    );
    first ??= out;
    tickets.push(...out.tickets);
    onPage(tickets.length, out.ticket_count);
    page = out.next_page ?? null;
  }
  return { ...first!, tickets };
}

const CHECKS = [
  ["commitment", "commitment_mismatch"],
  ["digest", "digest_mismatch"],
  ["order", "order_mismatch"],
] as const;

const CHECKS_V2 = [
  ["commitment", "commitment_mismatch"],
  ["digest", "digest_mismatch"],
  ["root", "root_mismatch"],
  ["beacon", "beacon_invalid"],
  ["order", "order_mismatch"],
] as const;

async function loadMine(id: string): Promise<{ mine: MyDraw; verdict: MineVerdict } | null> {
  const { data, response } = await api.GET("/listings/{listing_id}/draw/mine", { params: { path: { listing_id: id } } });
  if (!data) {
    if (response.status === 404 || response.status === 409) return null; // no ticket, or not sealed yet
    throw new Error(`draw/mine: ${response.status}`);
  }
  const mine = data as MyDraw;
  const { checkMine } = await import("../verify/mine"); // the curve code, only where it is used
  return { mine, verdict: await checkMine(mine) };
}

const mark = (c: "ok" | "bad" | "pending") => (c === "ok" ? "✓" : c === "bad" ? "✗" : "–");

/** A buyer's own tickets checked in this browser without the transcript (verify/mine.ts). */
function MineCheck({ mine, verdict, fullOrder }: { mine: MyDraw; verdict: MineVerdict; fullOrder: string[] | null }) {
  const drawn = mine.beacon?.used_round != null;
  // once the whole draw is verified here, every place is: mine among them
  const place = fullOrder && mine.place != null && fullOrder[mine.place - 1] === mine.buyer ? "ok" : verdict.place;
  return (
    <div class={`panel ${verdict.problems.length ? "error" : "ok"}`} data-testid="mine-check" role="status">
      <h2>{t("mineTitle")}</h2>
      <p>{t("mineLead")}</p>
      <ul data-testid="mine-checks">
        {verdict.tickets.map((x) => (
          <li key={`in-${x.ticket_id}`} data-check={x.included}>
            {mark(x.included)} {t(x.included === "bad" ? "mineIncludedBad" : "mineIncluded", { ticket: shortTicket(x.ticket_id) })}
          </li>
        ))}
        {drawn && (
          <li data-check={verdict.beacon}>
            {mark(verdict.beacon)} {t(verdict.beacon === "bad" ? "mineBeaconBad" : "mineBeaconOk")}
          </li>
        )}
        {drawn && verdict.seed === "ok" && <li data-check="ok">✓ {t("mineSeedOk")}</li>}
        {drawn &&
          verdict.tickets.map((x) => (
            <li key={`rank-${x.ticket_id}`} data-check={x.rank}>
              {mark(x.rank)} {t(x.rank === "bad" ? "mineRankBad" : "mineRank", { ticket: shortTicket(x.ticket_id) })}
            </li>
          ))}
        {mine.place != null && (
          <li data-check={place} data-testid="mine-place">
            {mark(place)} {t("minePlace", { nth: ordinal(mine.place) })}{" "}
            {t(place === "ok" ? (fullOrder ? "minePlaceVerified" : "minePlaceOk") : place === "bad" ? "minePlaceBad" : "minePlaceLater")}
          </li>
        )}
      </ul>
      {!drawn && <p class="muted">{t("minePending")}</p>}
      {verdict.problems.length > 0 && (
        <p data-testid="mine-problems">
          {t("mineProblems", { problems: verdict.problems.map((p) => (hasKey(`problem_${p}`) ? t(`problem_${p}` as Key) : p)).join(", ") })}
        </p>
      )}
      <p class="muted" data-testid="mine-time">
        {t("mineTime", { ms: verdict.ms < 10 ? verdict.ms.toFixed(1) : Math.round(verdict.ms) })}
      </p>
    </div>
  );
}

/** Where the signed-in buyer stands in the draw, in words. */
function YourPlace(props: { pseudonym: string; order: string[]; full: string[] | null; place: number | null; status: string | null; won: boolean }) {
  const { pseudonym, order, full, place, status, won } = props;
  const drawn = order.indexOf(pseudonym);
  // the whole order once verified here; before that, the place the product told this buyer
  const inLine = full ? full.indexOf(pseudonym) : place ? place - 1 : -1;
  // once a final buyer is named the draw is over for everyone else, whatever comes after
  const sold = ["final_buyer", "shipped", "delivered", "disputed", "confirmed", "settled"].includes(status ?? "");
  let words: string;
  if (won) words = w(status === "cancelled" ? "drawWonCancelled" : "drawWon");
  else if (sold) words = w("drawOverSold");
  else if (status === "unsold" || status === "cancelled") words = w("drawOverNotSold");
  else if (drawn >= 0 && drawn === order.length - 1) words = status === "awaiting_second_payment" ? t("youDrawnNow") : t("youDrawn");
  else if (drawn >= 0) words = t("youDrawnPassed", { nth: ordinal(drawn + 1) });
  else if (inLine >= 0) words = t("youInLine", { nth: ordinal(inLine + 1), before: Math.max(0, inLine - Math.max(0, order.length - 1)) });
  else if (order.length > 0) words = t("youNotReached");
  else words = t("youBeforeDraw");
  return (
    <p class="panel notice" data-testid="your-place">
      {words} <span class="muted">{tx("yourNameInDraw", { name: <span class="pseudonym">{pseudonym}</span> })}</span>
    </p>
  );
}

export function DrawPage({ id }: { id: string }) {
  const buyer = session.current()?.group === "buyer";
  const [d, error, reloadDraw] = useLoad(
    async () => unwrap(await api.GET("/listings/{listing_id}/draw", { params: { path: { listing_id: id } } })),
    [id],
    10,
  );
  const [l] = useLoad(async () => unwrap(await api.GET("/listings/{listing_id}", { params: { path: { listing_id: id } } })), [id], 10);
  const [mine] = useLoad(async () => (buyer ? myEntriesOn(id) : []), [id, buyer]);
  const sealed = d?.version === "draw-v2" && !!d.entries_root;
  const holds = (mine ?? []).some((e) => e.status === "paid");
  const [own, ownError] = useLoad(async () => (buyer && sealed && holds ? loadMine(id) : null), [id, buyer, sealed, holds, d?.seed]);
  // the panel read a newer state (the draw took place in between): read the page's too
  useEffect(() => {
    if (own?.mine.seed && d && !d.seed) reloadDraw();
  }, [own?.mine.seed, d?.seed]);
  const waiting = l?.status === "awaiting_second_payment"; // the notice may come after the page
  const [places] = useLoad(async () => (buyer ? drawPlaces() : null), [id, buyer, l?.status], buyer && waiting ? 10 : 0);
  const [progress, setProgress] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [verifyError, setVerifyError] = useState<unknown>(null);

  async function verify() {
    setVerdict(null);
    setVerifyError(null);
    try {
      const transcript = await wholeTranscript(id, (done, total) => setProgress(t("loadingTickets", { done, total })));
      const worker = new Worker(new URL("../verify/worker.ts", import.meta.url), { type: "module" });
      worker.onmessage = (ev: MessageEvent) => {
        if (ev.data.kind === "progress") setProgress(t("verifying", { done: ev.data.done, total: ev.data.total }));
        else {
          setVerdict(ev.data.verdict as Verdict);
          setProgress(null);
          worker.terminate();
        }
      };
      worker.postMessage(transcript);
    } catch (e) {
      setVerifyError(e);
      setProgress(null);
    }
  }

  if (!d) return <ErrorText error={error} />;
  const pseudonym = mine?.find((e) => e.pseudonym)?.pseudonym ?? null;
  const myTickets = (mine ?? []).filter((e) => e.status === "paid").flatMap((e) => e.ticket_ids);
  const hash = (value: string | null | undefined, testId: string) =>
    value ? (
      <code class="hash" data-testid={testId} title={value}>
        {value}
      </code>
    ) : (
      <span class="muted">{t("drawNotYet")}</span>
    );
  return (
    <section aria-labelledby="draw-title">
      <h1 id="draw-title">{t("draw")}</h1>
      {l && (
        <p>
          <a href={`#/listing/${encodeURIComponent(id)}`} data-testid="back-to-item">
            ← {l.title}
          </a>
        </p>
      )}
      <p>{t(d.version === "draw-v2" ? "drawIntroV2" : "drawIntro")}</p>
      {d.beacon && !isQuicknet(d.beacon.chain) && (
        <p class="panel notice" data-testid="beacon-test-mode">
          {t("beaconTestMode")}
        </p>
      )}
      {pseudonym && l && (
        <YourPlace
          pseudonym={pseudonym}
          order={d.order}
          full={verdict?.order ?? null}
          place={places?.get(id) ?? null}
          status={l.status}
          won={(mine ?? []).some((e) => e.final_buyer)}
        />
      )}
      {own && (own.mine.seed === null || d.seed !== null) && (
        <MineCheck mine={own.mine} verdict={own.verdict} fullOrder={verdict?.ok ? verdict.order : null} />
      )}
      {holds && sealed && !own && !ownError && <p role="status">{t("mineChecking")}</p>}
      <ErrorText error={ownError} />
      {myTickets.length > 0 && (
        <p data-testid="your-tickets">
          {t("yourTickets")}:{" "}
          {myTickets.map((tid, i) => (
            <span key={tid}>
              {i > 0 && ", "}
              <span class="ticket" title={tid}>
                {shortTicket(tid)}
              </span>
            </span>
          ))}
        </p>
      )}
      <ol class="steps" data-testid="draw-steps">
        <li>
          <h2>{t("commitment")}</h2>
          <p>{t("drawCommitmentWhen")}</p>
          {hash(d.commitment, "commitment")}
          <p class="muted">{t("drawCommitmentProves")}</p>
        </li>
        <li>
          <h2>{t("digest")}</h2>
          <p>{d.entries_digest || !l ? t("drawDigestWhen") : t("drawDigestWhenAt", { at: when(l.closes_at) })}</p>
          <p class="hash-label">{t("digestLabel")}</p>
          {hash(d.entries_digest, "digest")}
          <p class="muted">{d.entries_digest ? t("drawDigestProves", { n: d.ticket_count }) : t("drawDigestProvesLater")}</p>
          {d.version === "draw-v2" && (
            <>
              <p class="hash-label">{t("rootLabel")}</p>
              {hash(d.entries_root, "entries-root")}
              <p class="muted">{t("drawRootProves")}</p>
            </>
          )}
        </li>
        {d.beacon && (
          <li data-testid="beacon-step">
            <h2>{t("beaconStep")}</h2>
            <p>
              {t("beaconWhen", {
                round: d.beacon.planned_round,
                chain: t(isQuicknet(d.beacon.chain) ? "beaconChainQuicknet" : "beaconChainOwn"),
                at: when(d.beacon.planned_at),
                s: Math.round((Date.parse(d.beacon.planned_at) - Date.parse(l?.closes_at ?? d.beacon.planned_at)) / 1000),
              })}
            </p>
            {d.beacon.round != null && d.beacon.round !== d.beacon.planned_round && (
              <p data-testid="beacon-instead">
                {t("beaconInstead", { round: d.beacon.round })}{" "}
                {(d.beacon.reasons ?? []).map((r) => t(`beaconWhy_${r}`)).join(" ")}
              </p>
            )}
            {d.beacon.used_round != null ? (
              <>
                <p data-testid="beacon-used">{t("beaconUsed", { round: d.beacon.used_round })}</p>
                {hash(d.beacon.signature, "beacon-signature")}
              </>
            ) : (
              d.entries_root && (
                <p role="status">
                  {t("beaconPending", {
                    round: d.beacon.round ?? d.beacon.planned_round,
                    at: when(new Date(roundTime(d.beacon.chain, d.beacon.round ?? d.beacon.planned_round)).toISOString()),
                  })}
                </p>
              )
            )}
            <p class="muted">{t("beaconProves")}</p>
          </li>
        )}
        <li>
          <h2>{t("seed")}</h2>
          <p>{t("drawSeedWhen")}</p>
          {hash(d.seed, "seed")}
          <p class="muted">{t("drawSeedProves")}</p>
        </li>
      </ol>
      <h2>{t("order")}</h2>
      {d.order.length === 0 ? (
        <p>{t("notDrawnYet")}</p>
      ) : (
        <>
          <p class="muted">{t("orderExplained")}</p>
          <ol data-testid="order">
            {d.order.map((p) => (
              <li key={p} class="mono-text">
                {p}
                {p === pseudonym && <strong> ({t("you")})</strong>}
              </li>
            ))}
          </ol>
        </>
      )}
      <button onClick={() => void verify()} disabled={d.seed === null || progress !== null}>
        {t("verify")}
      </button>
      {d.seed === null && <p class="muted">{t("verifyAfterDraw")}</p>}
      {progress && <p role="status">{progress}</p>}
      <ErrorText error={verifyError} />
      {verdict && (
        <div role="status" class={verdict.ok ? "ok" : "error"}>
          <p data-testid="verdict">{verdict.ok ? t(d.version === "draw-v2" ? "verifiedV2" : "verified") : t("notVerified", { problems: verdict.problems.map((p) => (hasKey(`problem_${p}`) ? t(`problem_${p}` as Key) : p)).join(", ") })}</p>
          <ul data-testid="checks">
            {(d.version === "draw-v2" ? CHECKS_V2 : CHECKS).map(([check, problem]) => (
              <li key={check}>
                {verdict.problems.includes(problem) || (check === "beacon" && verdict.problems.includes("beacon_round_wrong")) ? "✗" : "✓"}{" "}
                {t(`check_${check}`)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
