// The signed-in person's notes: the unread count for the header and the newest "you were drawn"
// still unread, polled while the page is open (the in-app channel that cannot fail).
import { api, unwrap, type Schemas } from "./api/client";
import { session } from "./api/session";
import { stillDue } from "./drawn";
import { signal } from "./signal";

export type Note = Schemas["NoteView"];

export const unread = signal(0);
export const drawnNote = signal<Note | null>(null);

const POLL_SECONDS = 10;
let timer: ReturnType<typeof setInterval> | undefined;

export async function refreshNotes(): Promise<void> {
  if (!session.current()) {
    unread.set(0);
    drawnNote.set(null);
    return;
  }
  try {
    const page = unwrap(await api.GET("/me/notifications", { params: { query: { limit: 20 } } }));
    unread.set(page.unread);
    drawnNote.set(stillDue(page.notes));
  } catch {
    // the header is best effort; the page itself shows errors
  }
}

export function watchNotes(): void {
  if (timer !== undefined) return;
  void refreshNotes();
  timer = setInterval(() => void refreshNotes(), POLL_SECONDS * 1000);
  session.subscribe(() => void refreshNotes());
}
