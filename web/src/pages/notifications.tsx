// Everything the product told you, newest first; opening the list marks it read, and what
// arrives while it is open shows in it.
import { useEffect, useState } from "preact/hooks";

import { api, unwrap } from "../api/client";
import { t, when } from "../i18n";
import { noteParts, w } from "../i18n/words";
import { refreshNotes, unread, type Note } from "../notes";
import { useSignal } from "../signal";
import { ErrorText } from "../ui";

export function NotificationsPage() {
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [more, setMore] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function load(before?: string) {
    try {
      const page = unwrap(await api.GET("/me/notifications", { params: { query: { limit: 30, before } } }));
      setNotes((old) => [...(before ? (old ?? []) : []), ...page.notes]);
      setMore(page.next_before ?? null);
      const newest = page.notes[0];
      if (!before && newest && page.unread > 0) {
        unwrap(await api.POST("/me/notifications/read", { body: { upto: newest.note_id } }));
        void refreshNotes();
      }
    } catch (e) {
      setError(e);
    }
  }

  // the header's poll counts what is new: while the list is open, what arrives shows in it
  const arrived = useSignal(unread);
  useEffect(() => {
    if (notes === null || arrived > 0) void load();
  }, [arrived]);

  return (
    <>
      <h1>{w("notifications")}</h1>
      <ErrorText error={error} />
      {notes && notes.length === 0 && <p class="muted">{w("noNotes")}</p>}
      {notes && notes.length > 0 && (
        <ul class="inbox" data-testid="notes">
          {notes.map((n) => (
            <li key={n.note_id} class={n.read ? "note" : "note unread"} data-testid={`note-${n.kind}`}>
              <p>{noteParts(n.kind, n.title, n.facts)}</p>
              <p class="muted">
                <time dateTime={n.at}>{when(n.at)}</time>
                {n.listing_id && (
                  <>
                    {" · "}
                    <a href={`#/listing/${encodeURIComponent(n.listing_id)}`}>{w("openItem")}</a>
                  </>
                )}
                {n.kind === "ComplaintAnswered" && (
                  <>
                    {" · "}
                    <a href="#/complaints">{t("complaints")}</a>
                  </>
                )}
              </p>
              {n.channels.email === "failed" && <p class="error">{w("emailFailed")}</p>}
              {n.channels.sms === "failed" && <p class="error">{w("smsFailed")}</p>}
            </li>
          ))}
        </ul>
      )}
      {more && (
        <button class="secondary" onClick={() => void load(more)}>
          {w("older")}
        </button>
      )}
    </>
  );
}
