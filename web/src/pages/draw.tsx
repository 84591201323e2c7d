import { useState } from "preact/hooks";

import { api, unwrap, type Schemas } from "../api/client";
import { t } from "../i18n";
import type { Transcript, TranscriptTicket, Verdict } from "../verify/draw";
import { ErrorText, useLoad } from "../ui";

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

export function DrawPage({ id }: { id: string }) {
  const [d, error] = useLoad(
    async () => unwrap(await api.GET("/listings/{listing_id}/draw", { params: { path: { listing_id: id } } })),
    [id],
    10,
  );
  const [progress, setProgress] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [verifyError, setVerifyError] = useState<unknown>(null);

  async function verify() {
    setVerdict(null);
    setVerifyError(null);
    try {
      const transcript = await wholeTranscript(id, (done, total) =>
        setProgress(t("loadingTickets", { done, total })),
      );
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
  return (
    <section aria-labelledby="draw-title">
      <h1 id="draw-title">{t("draw")}</h1>
      <dl class="facts mono">
        <dt>{t("commitment")}</dt>
        <dd>{d.commitment}</dd>
        <dt>{t("digest")}</dt>
        <dd>{d.entries_digest ?? "—"}</dd>
        <dt>{t("seed")}</dt>
        <dd>{d.seed ?? "—"}</dd>
        <dt>{t("tickets")}</dt>
        <dd>{d.ticket_count}</dd>
      </dl>
      <h2>{t("order")}</h2>
      {d.order.length === 0 ? <p>{t("notDrawnYet")}</p> : (
        <ol data-testid="order">
          {d.order.map((p) => <li key={p}>{p}</li>)}
        </ol>
      )}
      <button onClick={() => void verify()} disabled={d.seed === null || progress !== null}>
        {t("verify")}
      </button>
      {progress && <p role="status">{progress}</p>}
      <ErrorText error={verifyError} />
      {verdict && (
        <p role="status" class={verdict.ok ? "ok" : "error"} data-testid="verdict">
          {verdict.ok ? t("verified") : t("notVerified", { problems: verdict.problems.join(", ") })}
        </p>
      )}
    </section>
  );
}
