// The seller adds photos to a listing awaiting its deposit or open (and a final buyer to their
// dispute, dispute.tsx, the same way): each file is checked here first (type, size, how many more
// fit: the server's rules, said before asking it), then the API signs an upload form, the browser
// posts the file straight to storage (with its progress), and the API attaches it once it checks
// what was stored.
import { useState } from "preact/hooks";

import { api, unwrap, type Listing, type Schemas } from "./api/client";
import { Gallery } from "./gallery";
import { t } from "./i18n";
import { ErrorText } from "./ui";

// As the server's rules (layers/domain/tombola/domain/photos.py); the server refuses the same.
export const TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type PhotoType = (typeof TYPES)[number];
const MAX_BYTES = 5 * 1024 * 1024;
const MAX_PHOTOS = 8;

const isPhotoType = (type: string): type is PhotoType => (TYPES as readonly string[]).includes(type);
const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** What is wrong with these files before any is sent, in words; null when all may go.
 * ``tooMany`` says the limit (a listing's by default). */
export function refusal(files: File[], left: number, tooMany = () => t("photoLimit", { max: MAX_PHOTOS, left })): string | null {
  if (files.length > left) return tooMany();
  for (const f of files) {
    if (!isPhotoType(f.type)) return t("photoWrongType", { name: f.name });
    if (f.size > MAX_BYTES) return t("photoTooLarge", { name: f.name, size: megabytes(f.size) });
    if (f.size === 0) return t("photoEmpty", { name: f.name });
  }
  return null;
}

/** Post ``file`` with the signed form, reporting the share sent so far. */
function send(upload: { url: string; fields: Record<string, string> }, file: File, sent: (share: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(upload.fields)) body.append(k, v);
    body.append("file", file); // last: the storage ignores fields after the file
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.onprogress = (e) => e.lengthComputable && sent(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(t("photoUploadFailed"))));
    xhr.onerror = () => reject(new Error(t("photoUploadFailed")));
    xhr.send(body);
  });
}

export type Progress = { n: number; total: number; share: number };

/** Each file in turn: a signed form (``ask``), the file posted to storage, then ``attach``;
 * returns how many were attached (a failure stops there and is thrown). */
export async function uploadEach(
  files: File[],
  ask: (type: PhotoType, size: number) => Promise<Schemas["PhotoUploadView"]>,
  attach: (photoId: string) => Promise<unknown>,
  progress: (p: Progress) => void,
  done: (n: number) => void = () => {},
): Promise<void> {
  for (const [k, file] of files.entries()) {
    progress({ n: k + 1, total: files.length, share: 0 });
    const form = await ask(file.type as PhotoType, file.size);
    await send(form.upload, file, (share) => progress({ n: k + 1, total: files.length, share }));
    await attach(form.photo_id);
    done(k + 1);
  }
}

/** Uploading ``busy``'s photo, with its progress. */
export function UploadProgress({ busy }: { busy: Progress }) {
  return (
    <p role="status" data-testid="photo-progress">
      {t("photoUploading", { n: busy.n, total: busy.total })}{" "}
      <progress max={1} value={busy.share} aria-label={t("photoUploading", { n: busy.n, total: busy.total })} />
    </p>
  );
}

export function PhotoUpload({ l, onAdded }: { l: Listing; onAdded: () => void }) {
  const [busy, setBusy] = useState<Progress | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState(0);
  const open = l.status === "awaiting_deposit" || l.status === "open";
  const left = MAX_PHOTOS - l.photos.length;
  const path = { listing_id: l.listing_id };

  async function add(input: HTMLInputElement) {
    const files = Array.from(input.files ?? []);
    setRefused(null);
    setError(null);
    setAdded(0);
    const wrong = refusal(files, left);
    if (wrong || !files.length) {
      setRefused(wrong);
      input.value = "";
      return;
    }
    let done = 0;
    try {
      await uploadEach(
        files,
        async (type, size) => unwrap(await api.POST("/listings/{listing_id}/photos", { params: { path }, body: { content_type: type, size } })),
        async (photo_id) => unwrap(await api.POST("/listings/{listing_id}/photos/{photo_id}", { params: { path: { ...path, photo_id } } })),
        setBusy,
        (n) => (done = n),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
      setAdded(done);
      input.value = "";
      if (done) onAdded();
    }
  }

  return (
    <div class="panel photo-upload" aria-labelledby={`photos-${l.listing_id}`} role="group" aria-busy={busy !== null}>
      <h2 id={`photos-${l.listing_id}`}>{t("photos")}</h2>
      <Gallery photos={l.photos} title={l.title} />
      {open && left > 0 && (
        <div class="field">
          <label for={`photo-file-${l.listing_id}`}>{t("addPhotos")}</label>
          <input
            id={`photo-file-${l.listing_id}`}
            type="file"
            accept={TYPES.join(",")}
            multiple
            disabled={busy !== null}
            aria-describedby={`photo-hint-${l.listing_id}`}
            onChange={(e) => void add(e.currentTarget)}
          />
          <small id={`photo-hint-${l.listing_id}`}>{t("photosHint", { max: MAX_PHOTOS, left })}</small>
        </div>
      )}
      {open && left <= 0 && <p class="muted">{t("photoLimit", { max: MAX_PHOTOS, left: 0 })}</p>}
      {!open && (
        <p class="muted" data-testid="photos-closed">
          {t("photosUntilClose")}
        </p>
      )}
      {busy && <UploadProgress busy={busy} />}
      {!busy && added > 0 && (
        <p role="status" class="ok">
          {added === 1 ? t("photoAdded") : t("photosAdded", { n: added })}
        </p>
      )}
      {refused && (
        <p class="error" role="alert" data-testid="photo-refused">
          {refused}
        </p>
      )}
      <ErrorText error={error} />
    </div>
  );
}
