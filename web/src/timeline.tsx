// One listing's order, step by step, for its buyer or seller: done (when), under way (by when),
// and what comes after; the amount paid so far and the shipment's tracking link.
import { useState } from "preact/hooks";

import { api, unwrap, type Schemas } from "./api/client";
import { trackingUrl } from "./carriers";
import { when } from "./i18n";
import { stepText, w } from "./i18n/words";
import { Money, useLoad } from "./ui";

type Timeline = Schemas["TimelineView"];

/** Folded until opened (then loaded and kept fresh); ``open`` unfolds it from the start. */
export function OrderTimeline(props: { listingId: string; open?: boolean; everySeconds?: number; seller?: boolean; refreshKey?: string }) {
  const { listingId, open = false, everySeconds = 10, seller = false, refreshKey = "" } = props;
  const [shown, setShown] = useState(open);
  // loaded again at once when the page around it saw the order move (``refreshKey``), not at
  // the next poll: a step just taken never shows as still to do
  const [view] = useLoad<Timeline | null>(
    async () =>
      shown ? unwrap(await api.GET("/listings/{listing_id}/timeline", { params: { path: { listing_id: listingId } } })) : null,
    [listingId, shown, refreshKey],
    shown ? everySeconds : 0,
  );
  return (
    <details class="timeline" open={shown} onToggle={(e) => setShown((e.target as HTMLDetailsElement).open)} data-testid={`timeline-${listingId}`}>
      <summary>{w(seller ? "sale" : "order")}</summary>
      {view && <Steps view={view} />}
    </details>
  );
}

function Steps({ view }: { view: Timeline }) {
  const link = view.shipment ? trackingUrl(view.shipment.carrier, view.shipment.tracking_number) : null;
  return (
    <>
      <p>
        {view.role === "seller" ? w("depositPaid") : w("paidSoFar")}:{" "}
        <Money amount={view.paid_so_far} currency={view.currency} testId="paid-so-far" />
      </p>
      <ol class="steps-line">
        {view.steps.map((s) => (
          <li key={s.step} class={`step ${s.state}`} data-testid={`step-${s.step}`} data-state={s.state}>
            <span class="dot" aria-hidden="true">
              {s.state === "done" ? "✓" : s.state === "now" ? "●" : "○"}
            </span>
            <span class="what">{stepText(s.step)}</span>
            <span class="sr-only"> ({w(s.state === "done" ? "stepDone" : s.state === "now" ? "stepNow" : "stepNext")})</span>
            {s.at && (
              <time class="muted" dateTime={s.at}>
                {when(s.at)}
              </time>
            )}
            {s.due_at && <span class="due">{w("dueBy", { due: when(s.due_at) })}</span>}
            {s.step === "shipped" && s.state === "done" && view.shipment && (
              <span class="muted">
                {view.shipment.carrier} {view.shipment.tracking_number}
                {link && (
                  <>
                    {" · "}
                    <a href={link} target="_blank" rel="noopener noreferrer">
                      {w("track")}
                    </a>
                  </>
                )}
              </span>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}
