// Small pieces every page uses: errors in words next to their field, amounts that never wrap,
// a confirmation before an irreversible step, tabs, loading and a refresh timer.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";

import { ApiProblem } from "./api/problem";
import { errorText, fieldProblemText, known } from "./errors";
import { money, t } from "./i18n";
import { signal } from "./signal";

/** A refusal and how to clear one field's part of it when that field changes. */
export function useProblem(): [unknown, (e: unknown) => void, (field: string) => void] {
  const [error, setError] = useState<unknown>(null);
  const clear = (field: string) => setError((e: unknown) => (e instanceof ApiProblem ? e.without(field) : e));
  return [error, setError, clear];
}

function ErrorLine({ text, detail, code, showDetail }: { text: string; detail: string; code?: string; showDetail: boolean }) {
  // The server's own words (English) are a detail: a tooltip, or a <details> when this client
  // has only a general sentence for the code.
  return (
    <div class="error" role="alert" data-code={code} title={!showDetail && detail ? detail : undefined}>
      <p>{text}</p>
      {showDetail && detail && (
        <details>
          <summary>{t("errorDetails")}</summary>
          <span lang="en">{code ? `${code}: ` : ""}{detail}</span>
        </details>
      )}
    </div>
  );
}

/** A refusal in words: ``field``'s part of it, or the form's own line (unless every problem is
 * shown next to its field already; ``all``: always, for a button that has no fields). */
export function ErrorText({ error, field, currency, all = false }: { error: unknown; field?: string; currency?: string; all?: boolean }) {
  if (!error) return null;
  if (error instanceof ApiProblem) {
    if (field !== undefined) {
      const mine = error.about(field);
      if (!mine.length) return null;
      return (
        <>
          {mine.map((p, i) => (
            <ErrorLine key={i} text={fieldProblemText(error, p, currency)} detail={p.message || error.message} code={error.code} showDetail={false} />
          ))}
        </>
      );
    }
    // the form's own line, unless every problem is shown next to its field already
    const fields = error.problems.length ? error.problems.map((p) => p.field) : [error.field];
    if (!all && fields.every((f) => f && FIELDS.has(f.split(".").pop() ?? ""))) return null;
    return <ErrorLine text={errorText(error, currency)} detail={error.message} code={error.code} showDetail={!known(error)} />;
  }
  if (field !== undefined) return null;
  return <ErrorLine text={errorText(error)} detail={error instanceof Error ? error.message : String(error)} showDetail />;
}

// Fields the forms show errors next to (so the form-level message does not repeat them).
const FIELDS = new Set(["tickets", "title", "price", "expected_entrants", "closes_at", "payment_method",
  "carrier", "tracking_number", "reason", "answer", "name", "email", "phone", "address", "payout_account",
  "transfer_reference", "description", "ticket_limit", "surplus_policy", "second_payment", "ship",
  "delivery", "confirm", "resolution", "bank", "number", "holder_name", "note", "day", "user", "week", "month",
  "birth_date", "text", "topic", "listing_id"]);

/** A labelled field with its problem in words below it; changing it clears that problem. */
export function Field(props: {
  label: string;
  id: string;
  error?: unknown;
  field?: string;
  onClear?: (field: string) => void;
  currency?: string;
  children: ComponentChildren;
}) {
  const field = props.field ?? props.id;
  const clear = props.onClear ? () => props.onClear!(field) : undefined;
  return (
    <div class="field" onInput={clear} onChange={clear}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      <ErrorText error={props.error} field={field} currency={props.currency} />
    </div>
  );
}

/** An amount, kept on one line. */
export function Money({ amount, currency, minor, testId }: { amount: number; currency: string; minor?: number; testId?: string }) {
  return (
    <span class="money" data-testid={testId}>
      {money(amount, currency, minor)}
    </span>
  );
}

/** A button for a step that cannot be undone: it first asks, in a modal dialog saying what will
 * happen and what money moves; Cancel (focused first) does nothing. ``check`` runs before the
 * dialog opens (a missing reason is said next to its field instead). */
export function ConfirmButton(props: {
  label: ComponentChildren;
  title: string;
  confirmLabel: string;
  children: ComponentChildren;
  onConfirm: () => void;
  class?: string;
  disabled?: boolean;
  check?: () => boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const id = useId();
  function close(confirmed: boolean) {
    dialog.current?.close();
    if (confirmed) props.onConfirm();
  }
  return (
    <>
      <button
        type="button"
        ref={trigger}
        class={props.class}
        disabled={props.disabled}
        onClick={() => {
          if (props.check && !props.check()) return;
          dialog.current?.showModal();
        }}
      >
        {props.label}
      </button>
      <dialog ref={dialog} class="confirm" aria-labelledby={`${id}-title`} aria-describedby={`${id}-what`} onClose={() => trigger.current?.focus()}>
        <h2 id={`${id}-title`}>{props.title}</h2>
        <div id={`${id}-what`}>{props.children}</div>
        <p class="actions">
          <button type="button" class="secondary" autoFocus onClick={() => close(false)}>
            {t("cancel")}
          </button>
          <button type="button" onClick={() => close(true)}>
            {props.confirmLabel}
          </button>
        </p>
      </dialog>
    </>
  );
}

/** Tabs (WAI-ARIA: arrow keys move between them); only the chosen panel is rendered. */
export function Tabs<K extends string>(props: {
  label: string;
  tabs: { id: K; label: string }[];
  current: K;
  onChange: (id: K) => void;
  children: ComponentChildren;
}) {
  const base = useId();
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  function key(e: KeyboardEvent) {
    const i = props.tabs.findIndex((tab) => tab.id === props.current);
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = props.tabs[(i + step + props.tabs.length) % props.tabs.length].id;
    props.onChange(next);
    refs.current[next]?.focus();
  }
  return (
    <>
      <div role="tablist" aria-label={props.label} class="tabs" onKeyDown={key}>
        {props.tabs.map((tab) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`${base}-${tab.id}`}
            ref={(el) => void (refs.current[tab.id] = el)}
            aria-selected={tab.id === props.current}
            aria-controls={`${base}-panel`}
            tabIndex={tab.id === props.current ? 0 : -1}
            onClick={() => props.onChange(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-${props.current}`}>
        {props.children}
      </div>
    </>
  );
}

/** How many pages' parts are still waiting for their first answer: ``main`` is aria-busy while
 * any is, so a screen reader (and a test) knows when the page has what it will show. */
export const firstLoads = signal(0);

/** Loads ``load()`` now and every ``everySeconds``; returns [data, error, reload]. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everySeconds = 0): [T | null, unknown, () => void] {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const answered = useRef(false);
  useEffect(() => {
    let live = true;
    let waiting = !answered.current;
    if (waiting) firstLoads.set(firstLoads.get() + 1);
    const settle = () => {
      if (!waiting) return;
      waiting = false;
      firstLoads.set(firstLoads.get() - 1);
    };
    load().then(
      (d) => {
        if (live) {
          answered.current = true;
          setData(d);
          setError(null);
        }
        settle();
      },
      (e) => {
        if (live) {
          answered.current = true;
          setError(e);
        }
        settle();
      },
    );
    return () => {
      live = false;
      settle();
    };
  }, [...deps, tick]);
  useEffect(() => {
    if (!everySeconds) return;
    const id = setInterval(() => setTick((n) => n + 1), everySeconds * 1000);
    return () => clearInterval(id);
  }, [everySeconds]);
  return [data, error, () => setTick((n) => n + 1)];
}
