// Which "you were drawn" still needs paying, from a person's notes (newest first).
import type { Schemas } from "./api/client";

type Note = Schemas["NoteView"];

const SETTLED_TURN = new Set(["YouBought", "FinalBuyer", "CandidatePassed", "CandidateGaveUp", "Unsold", "UnsoldRefunded", "UnsoldNothingBack", "Cancelled", "CancelledRefunded", "CancelledNothingBack", "Settled", "SoldToAnother"]);

/** The newest "you were drawn" whose deadline is ahead and that no later note on the same
 * listing answered (paid: final buyer; passed; the listing ended). Notes come newest first. */
export function stillDue(notes: Note[], now = Date.now()): Note | null {
  for (const [i, n] of notes.entries()) {
    if (n.kind !== "SecondPaymentDue") continue;
    const due = typeof n.facts.due_at === "string" ? Date.parse(n.facts.due_at) : 0;
    if (due <= now) return null;
    const answered = notes.slice(0, i).some((m) => m.listing_id === n.listing_id && SETTLED_TURN.has(m.kind));
    return answered ? null : n;
  }
  return null;
}

