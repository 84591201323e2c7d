// Complaints (#/complaints): a person tells the operator about a problem with the service (their
// account, a payment, the draw, a listing, their limits), not with an item bought (that is a
// dispute, on the order's card); and reads their complaints, each waiting or with the operator's
// answer. Linked from the responsible-play page, the profile and the footer; the notification
// that a complaint was answered leads here.
import { useState } from "preact/hooks";

import { api, ApiProblem, everyPage, unwrap, type Schemas } from "../api/client";
import { session } from "../api/session";
import { t, tx, when } from "../i18n";
import { TOPICS, topicText, type Topic } from "../play-words";
import { ErrorText, Field, useLoad, useProblem } from "../ui";

type Complaint = Schemas["ComplaintView"];
// As the server's rules (api/models.py: DisputeText; services/complaints.py: MAX_OPEN).
const MAX_TEXT = 1000;
const MAX_OPEN = 5;

/** The listings a person may name: those they entered (a buyer) or listed (a seller). */
async function myListings(): Promise<{ id: string; title: string }[]> {
  const group = session.current()?.group;
  const seen = new Map<string, string>();
  if (group === "buyer") {
    const pages = await everyPage(async (cursor) => unwrap(await api.GET("/me/entries", cursor ? { params: { query: { cursor } } } : {})));
    for (const e of pages.flatMap((p) => p.entries)) seen.set(e.listing_id, e.listing_title);
  } else if (group === "seller") {
    const pages = await everyPage(async (cursor) => unwrap(await api.GET("/me/listings", cursor ? { params: { query: { cursor } } } : {})));
    for (const l of pages.flatMap((p) => p.listings)) seen.set(l.listing_id, l.title);
  }
  return [...seen].map(([id, title]) => ({ id, title }));
}

function ComplaintForm({ listings, about, onSent }: { listings: { id: string; title: string }[]; about: string; onSent: () => void }) {
  const [topic, setTopic] = useState<Topic>(about ? "listing" : "account");
  const [text, setText] = useState("");
  const [listing, setListing] = useState(about);
  const [error, setError, clear] = useProblem();
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  // one key per complaint: a retried request (a lost answer, a double click) is kept once
  const [attempt, setAttempt] = useState(() => crypto.randomUUID());
  // a listing named in the address but not among the person's own (yet): offered all the same
  const options = about && !listings.some((l) => l.id === about) ? [...listings, { id: about, title: about }] : listings;
  async function send(e: Event) {
    e.preventDefault();
    setSent(false);
    if (!text.trim()) {
      setError(ApiProblem.local("invalid_input", "text", null, "missing"));
      document.getElementById("complaint-text")?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    try {
      unwrap(
        await api.POST("/me/complaints", {
          body: { topic, text, listing_id: listing || null },
          headers: { "Idempotency-Key": `complaint-${attempt}` },
        }),
      );
      setAttempt(crypto.randomUUID());
      setText("");
      setSent(true);
      onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="panel complaint-form" onSubmit={send} noValidate aria-labelledby="complaint-new-title" data-testid="complaint-form">
      <h2 id="complaint-new-title">{t("complaintNew")}</h2>
      <Field label={t("complaintTopic")} id="complaint-topic" field="topic" error={error} onClear={clear}>
        <select id="complaint-topic" value={topic} onChange={(e) => setTopic((e.target as HTMLSelectElement).value as Topic)}>
          {TOPICS.map((k) => (
            <option key={k} value={k}>
              {topicText(k)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t("complaintText")} id="complaint-text" field="text" error={error} onClear={clear}>
        <textarea
          id="complaint-text"
          rows={6}
          maxLength={MAX_TEXT}
          value={text}
          aria-describedby="complaint-text-hint"
          onInput={(e) => (setSent(false), setText((e.target as HTMLTextAreaElement).value))}
        />
        <small id="complaint-text-hint">{t("disputeTextHint", { max: MAX_TEXT, left: MAX_TEXT - text.length })}</small>
      </Field>
      {options.length > 0 && (
        <Field label={t("complaintListing")} id="complaint-listing" field="listing_id" error={error} onClear={clear}>
          <select id="complaint-listing" value={listing} onChange={(e) => setListing((e.target as HTMLSelectElement).value)}>
            <option value="">{t("complaintNoListing")}</option>
            {options.map((l) => (
              <option key={l.id} value={l.id}>
                {l.title}
              </option>
            ))}
          </select>
        </Field>
      )}
      <p class="muted">{t("complaintsAtMost", { n: MAX_OPEN })}</p>
      <ErrorText error={error} />
      <button type="submit" disabled={busy}>
        {t("complaintSend")}
      </button>
      {sent && (
        <p role="status" class="ok" data-testid="complaint-sent">
          {t("complaintSent")}
        </p>
      )}
    </form>
  );
}

function ComplaintCard({ c, title }: { c: Complaint; title?: string }) {
  return (
    <li class="card" data-testid={`complaint-${c.complaint_id}`}>
      <h3>{topicText(c.topic)}</h3>
      <p class="muted">
        {tx("complaintOpened", { at: <time dateTime={c.opened_at}>{when(c.opened_at)}</time> })}
        {c.listing_id && (
          <>
            {" · "}
            <a href={`#/listing/${encodeURIComponent(c.listing_id)}`}>{t("complaintAbout", { title: title ?? c.listing_id })}</a>
          </>
        )}
      </p>
      <p class="written" data-testid="complaint-text">
        {c.text}
      </p>
      {c.status === "answered" && c.answer !== null && c.answer !== undefined ? (
        <div class="answer" data-testid="complaint-answer">
          <h4>{t("complaintAnswer")}</h4>
          <p class="written">{c.answer}</p>
          {c.answered_at && <p class="muted">{tx("complaintAnsweredAt", { at: <time dateTime={c.answered_at}>{when(c.answered_at)}</time> })}</p>}
        </div>
      ) : (
        <p class="standing" data-testid="complaint-waiting">
          {t("complaintWaiting")}
        </p>
      )}
    </li>
  );
}

export function ComplaintsPage({ query }: { query?: URLSearchParams }) {
  const me = session.current();
  const [list, error, reload] = useLoad(async () => (me ? unwrap(await api.GET("/me/complaints", {})) : null), [me?.user], 30);
  const [listings] = useLoad(async () => (me ? myListings() : []), [me?.user]);
  if (!me)
    return (
      <section class="panel" aria-labelledby="complaints-title">
        <h1 id="complaints-title">{t("complaints")}</h1>
        <p>{t("complaintsLead")}</p>
        <p>
          <a href="#/signin">{t("signIn")}</a>
        </p>
      </section>
    );
  const titles = new Map((listings ?? []).map((l) => [l.id, l.title]));
  const complaints = list?.complaints ?? [];
  return (
    <section aria-labelledby="complaints-title" class="complaints">
      <h1 id="complaints-title">{t("complaints")}</h1>
      <p>{t("complaintsLead")}</p>
      <p class="panel notice" data-testid="not-a-dispute">
        {t("complaintsNotDispute")}{" "}
        {me.group === "buyer" && <a href="#/entries">{t("myEntries")}</a>}
      </p>
      {/* the form waits for the person's listings: choosing one before they arrived would be lost */}
      {listings && <ComplaintForm listings={listings} about={query?.get("listing") ?? ""} onSent={reload} />}
      <h2 id="complaints-mine-title">{t("complaintsMine")}</h2>
      <ErrorText error={error} />
      {list && complaints.length === 0 && <p>{t("complaintsNone")}</p>}
      {complaints.length > 0 && (
        <ul class="cards wide" aria-labelledby="complaints-mine-title" data-testid="complaints-mine">
          {complaints.map((c) => (
            <ComplaintCard key={c.complaint_id} c={c} title={c.listing_id ? titles.get(c.listing_id) : undefined} />
          ))}
        </ul>
      )}
    </section>
  );
}
