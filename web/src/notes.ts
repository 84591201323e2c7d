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
    latest = page.notes;
    showDue();
  } catch {
    // the header is best effort; the page itself shows errors
  }
}

let latest: Note[] = [];
const answered = new Set<string>(); // listings whose turn this person just paid or gave up here
let lapse: ReturnType<typeof setTimeout> | undefined;

/** The banner from the newest notes, without the turns answered on this page, and gone by
 * itself the moment its deadline passes (not at the next poll). */
function showDue(): void {
  const due = stillDue(latest.filter((n) => !(n.listing_id && answered.has(n.listing_id))));
  drawnNote.set(due);
  if (lapse !== undefined) clearTimeout(lapse);
  lapse = undefined;
  const at = due && typeof due.facts.due_at === "string" ? Date.parse(due.facts.due_at) : NaN;
  if (Number.isFinite(at)) lapse = setTimeout(showDue, Math.max(0, at - Date.now()) + 250);
}

/** This person just paid the rest, or gave up, on ``listingId``: the banner goes now; the
 * note that says so follows (looked for every couple of seconds for a while). */
export function turnAnswered(listingId: string): void {
  answered.add(listingId);
  showDue();
  notesSoon();
}

export function watchNotes(): void {
  if (timer !== undefined) return;
  void refreshNotes();
  timer = setInterval(() => void refreshNotes(), POLL_SECONDS * 1000);
  session.subscribe(() => void refreshNotes());
  // coming back from a payment page (or any move) is when the header is most likely stale
  window.addEventListener("hashchange", () => void refreshNotes());
}

const BURST_SECONDS = 2;
const BURST_FOR_SECONDS = 20;
let burst: ReturnType<typeof setInterval> | undefined;

/** Just after a payment the answer ("you bought it") is a webhook and a notice away: look every
 * couple of seconds for a while rather than leave "you were drawn: pay" up for a whole poll. */
export function notesSoon(): void {
  void refreshNotes();
  if (burst !== undefined) clearInterval(burst);
  let left = BURST_FOR_SECONDS / BURST_SECONDS;
  burst = setInterval(() => {
    void refreshNotes();
    if (--left <= 0) {
      clearInterval(burst);
      burst = undefined;
    }
  }, BURST_SECONDS * 1000);
}

/** Each listing's place in the draw order the product told this person ("the draw took place:
 * you are 3rd"), from their newest notes: no need to verify the whole draw to know it. */
export async function drawPlaces(): Promise<Map<string, number>> {
  const page = unwrap(await api.GET("/me/notifications", { params: { query: { limit: 100 } } }));
  const places = new Map<string, number>();
  for (const n of page.notes) {
    const place = n.facts.place;
    if (n.kind === "DrawTookPlace" && n.listing_id && typeof place === "number" && !places.has(n.listing_id)) places.set(n.listing_id, place);
  }
  return places;
}
