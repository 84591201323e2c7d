// A dispute, as its final buyer opens it and as the buyer and the seller follow it: the buyer's
// reason (several lines) and photos (uploaded the way listing photos are, photo-upload.tsx), the
// seller's one answer, by when the operator decides and, once decided, what.
import { useState } from "preact/hooks";

import { api, ApiProblem, unwrap, type Schemas } from "./api/client";
import { t, when } from "./i18n";
import { refusal, TYPES, UploadProgress, uploadEach, type Progress } from "./photo-upload";
import { ConfirmButton, ErrorText, Field, useLoad, useProblem } from "./ui";
import "./dispute.css";

type Case = Schemas["DisputeCase"];

// As the server's rules (api/models.py MAX_DISPUTE_TEXT, domain/photos.py MAX_DISPUTE_PHOTOS).
export const MAX_TEXT = 1000;
const MAX_PHOTOS = 4;

/** A text box for several lines, with how much is left. */
function TextBox({ id, value, set, hint }: { id: string; value: string; set: (v: string) => void; hint: "disputeTextHint" | "disputeAnswerHint" }) {
  return (
    <>
      <textarea id={id} value={value} rows={5} maxLength={MAX_TEXT} aria-describedby={`${id}-hint`} onInput={(e) => set((e.target as HTMLTextAreaElement).value)} />
      <small id={`${id}-hint`}>{t(hint, { max: MAX_TEXT, left: MAX_TEXT - value.length })}</small>
    </>
  );
}

/** The dispute's photos, ``files``, each signed, posted to storage and attached. */
function uploadEvidence(listingId: string, files: File[], progress: (p: Progress | null) => void): Promise<void> {
  const path = { listing_id: listingId };
  return uploadEach(
    files,
    async (type, size) => unwrap(await api.POST("/listings/{listing_id}/dispute/photos", { params: { path }, body: { content_type: type, size } })),
    async (photo_id) => unwrap(await api.POST("/listings/{listing_id}/dispute/photos/{photo_id}", { params: { path: { ...path, photo_id } } })),
    progress,
  ).finally(() => progress(null));
}

const tooMany = (left: number) => () => t("disputePhotoLimit", { max: MAX_PHOTOS, left });

/** Photo files to send, checked here first (type, size, how many fit). */
function PhotoPicker({ id, left, label, onPick, disabled }: { id: string; left: number; label: string; onPick: (files: File[]) => void; disabled?: boolean }) {
  const [refused, setRefused] = useState<string | null>(null);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept={TYPES.join(",")}
        multiple
        disabled={disabled}
        aria-describedby={`${id}-hint`}
        onChange={(e) => {
          const input = e.currentTarget;
          const files = Array.from(input.files ?? []);
          const wrong = refusal(files, left, tooMany(left));
          setRefused(wrong);
          if (wrong) input.value = "";
          onPick(wrong ? [] : files);
        }}
      />
      <small id={`${id}-hint`}>{t("photosHint", { max: MAX_PHOTOS, left })}</small>
      {refused && (
        <p class="error" role="alert" data-testid="dispute-photo-refused">
          {refused}
        </p>
      )}
    </div>
  );
}

/** The final buyer opens a dispute: the reason (several lines) and, if they like, photos; it asks
 * first, then sends the reason and uploads the photos. */
export function DisputeForm({ listingId, onOpened }: { listingId: string; onOpened: () => void }) {
  const [reason, setReason] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState<Progress | null>(null);
  const [error, setError, clear] = useProblem();
  const [photoError, setPhotoError] = useState<unknown>(null);
  const id = `reason-${listingId}`;
  const path = { params: { path: { listing_id: listingId } } };
  async function open() {
    setError(null);
    setPhotoError(null);
    try {
      unwrap(await api.POST("/listings/{listing_id}/dispute", { ...path, body: { reason } }));
    } catch (err) {
      setError(err);
      return;
    }
    try {
      if (files.length) await uploadEvidence(listingId, files, setBusy);
    } catch (err) {
      setPhotoError(err); // the dispute is open: the photos can be added again from its case
    }
    onOpened();
  }
  return (
    <div class="dispute-form">
      <Field label={t("reason")} id={id} field="reason" error={error} onClear={clear}>
        <TextBox id={id} value={reason} set={setReason} hint="disputeTextHint" />
      </Field>
      <PhotoPicker id={`dispute-photos-${listingId}`} left={MAX_PHOTOS} label={t("disputePhotosPick")} onPick={setFiles} disabled={busy !== null} />
      {files.length > 0 && <p class="muted">{t("disputePhotosChosen", { n: files.length })}</p>}
      <ConfirmButton
        class="secondary"
        label={t("openDispute")}
        title={t("openDisputeTitle")}
        confirmLabel={t("openDisputeConfirm")}
        disabled={busy !== null}
        check={() => {
          if (reason.trim()) return true;
          setError(ApiProblem.local("invalid_input", "reason", null, "missing"));
          document.getElementById(id)?.focus();
          return false;
        }}
        onConfirm={() => void open()}
      >
        <p>{t("openDisputeWhat")}</p>
      </ConfirmButton>
      {busy && <UploadProgress busy={busy} />}
      <ErrorText error={error} />
      {photoError !== null && (
        <>
          <p class="error" role="alert">
            {t("disputePhotoFailed")}
          </p>
          <ErrorText error={photoError} />
        </>
      )}
    </div>
  );
}

/** The buyer's photos: each opens the full image. */
export function EvidencePhotos({ photos }: { photos: string[] }) {
  if (!photos.length) return null;
  return (
    <ul class="dispute-photos" aria-label={t("disputePhotos")} data-testid="dispute-photos">
      {photos.map((src, n) => (
        <li key={src}>
          <a href={src} target="_blank" rel="noopener noreferrer">
            <img src={src} alt={t("disputePhotoAlt", { n: n + 1, total: photos.length })} loading="lazy" decoding="async" width={96} height={96} />
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The buyer adds photos to their dispute while the operator has not decided it. */
function AddEvidence({ listingId, c, onAdded }: { listingId: string; c: Case; onAdded: () => void }) {
  const [busy, setBusy] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [key, setKey] = useState(0); // a fresh file input after each batch
  const left = c.max_photos - c.photos.length;
  if (left <= 0) return null;
  async function add(files: File[]) {
    if (!files.length) return;
    setError(null);
    try {
      await uploadEvidence(listingId, files, setBusy);
    } catch (err) {
      setError(err);
    } finally {
      setKey((k) => k + 1);
      onAdded();
    }
  }
  return (
    <div>
      <PhotoPicker key={key} id={`dispute-add-${listingId}`} left={left} label={t("disputeAddPhotos")} onPick={(f) => void add(f)} disabled={busy !== null} />
      {busy && <UploadProgress busy={busy} />}
      <ErrorText error={error} />
    </div>
  );
}

/** The seller's one answer, asked first (it cannot be changed). */
function AnswerForm({ listingId, onSent }: { listingId: string; onSent: () => void }) {
  const [answer, setAnswer] = useState("");
  const [error, setError, clear] = useProblem();
  const id = `answer-${listingId}`;
  async function send() {
    setError(null);
    try {
      unwrap(await api.POST("/listings/{listing_id}/dispute/answer", { params: { path: { listing_id: listingId } }, body: { answer } }));
      onSent();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div class="dispute-form">
      <Field label={t("disputeAnswerLabel")} id={id} field="answer" error={error} onClear={clear}>
        <TextBox id={id} value={answer} set={setAnswer} hint="disputeAnswerHint" />
      </Field>
      <ConfirmButton
        label={t("disputeAnswerSend")}
        title={t("disputeAnswerTitle")}
        confirmLabel={t("disputeAnswerSend")}
        check={() => {
          if (answer.trim()) return true;
          setError(ApiProblem.local("invalid_input", "answer", null, "missing"));
          document.getElementById(id)?.focus();
          return false;
        }}
        onConfirm={() => void send()}
      >
        <p>{t("disputeAnswerWhat")}</p>
      </ConfirmButton>
      <ErrorText error={error} />
    </div>
  );
}

/** The dispute on a listing, for its final buyer or its seller (from their order's timeline,
 * kept fresh): what the buyer wrote and showed, the seller's answer, the operator's deadline or
 * decision; the buyer may add photos and the seller answer while it is undecided. */
export function DisputeCase({ listingId, role }: { listingId: string; role: "buyer" | "seller" }) {
  const [view, error, reload] = useLoad(
    async () => unwrap(await api.GET("/listings/{listing_id}/timeline", { params: { path: { listing_id: listingId } } })),
    [listingId],
    10,
  );
  const c = view?.dispute;
  if (!c) return <ErrorText error={error} />;
  const open = view.status === "disputed" && !c.decision;
  return (
    <section class="panel dispute" aria-labelledby={`dispute-${listingId}-title`} data-testid="dispute-case">
      <h3 id={`dispute-${listingId}-title`}>{t("disputeCase")}</h3>
      <dl class="facts">
        <dt>{t("disputeReason")}</dt>
        <dd class="written" data-testid="dispute-reason">
          {c.reason}
        </dd>
        {c.photos.length > 0 && (
          <>
            <dt>{t("disputePhotos")}</dt>
            <dd>
              <EvidencePhotos photos={c.photos} />
            </dd>
          </>
        )}
        <dt>{t("disputeAnswer")}</dt>
        <dd class="written" data-testid="dispute-answer">
          {c.answer ?? <span class="muted">{t("disputeNoAnswer")}</span>}
        </dd>
      </dl>
      {c.decision ? (
        <p data-testid="dispute-decision">{t(`disputeDecided_${c.decision}`, { at: c.decided_at ? when(c.decided_at) : "—" })}</p>
      ) : (
        c.resolution_due_at && <p data-testid="dispute-due">{t("disputeDecideBy", { due: when(c.resolution_due_at) })}</p>
      )}
      {open && role === "buyer" && <AddEvidence listingId={listingId} c={c} onAdded={reload} />}
      {open && role === "seller" && c.answer === null && <AnswerForm listingId={listingId} onSent={reload} />}
    </section>
  );
}
