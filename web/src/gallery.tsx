// A listing's photos: one large image in a fixed 4:3 box (nothing below it moves as it loads),
// thumbnails to choose another (arrow keys, Home and End move along them; only the chosen one is
// a tab stop), every image lazy-loaded, each named by the listing's title and its place.
// And the seller's public handle with their count of completed sales.
import { useRef, useState } from "preact/hooks";

import type { Listing } from "./api/client";
import { t } from "./i18n";
import "./gallery.css";

export function Gallery({ photos, title }: { photos: string[]; title: string }) {
  const [chosen, setChosen] = useState(0);
  const thumbs = useRef<(HTMLButtonElement | null)[]>([]);
  if (!photos.length) return null;
  const total = photos.length;
  const current = Math.min(chosen, total - 1);
  const alt = (n: number) => t("photoAlt", { title, n: n + 1, total });

  function choose(n: number) {
    const next = (n + total) % total;
    setChosen(next);
    thumbs.current[next]?.focus();
  }

  function onKey(e: KeyboardEvent) {
    const moves: Record<string, number> = {
      ArrowRight: current + 1,
      ArrowDown: current + 1,
      ArrowLeft: current - 1,
      ArrowUp: current - 1,
      Home: 0,
      End: total - 1,
    };
    if (!(e.key in moves)) return;
    e.preventDefault();
    choose(moves[e.key]);
  }

  return (
    <section class="gallery" aria-label={t("photos")} data-testid="gallery">
      <figure class="gallery-main">
        <img src={photos[current]} alt={alt(current)} loading="lazy" decoding="async" width={800} height={600} />
        <figcaption class="muted" aria-live="polite">
          {t("photoPosition", { n: current + 1, total })}
        </figcaption>
      </figure>
      {total > 1 && (
        <ul class="gallery-thumbs" aria-label={t("photosChoose")} onKeyDown={onKey}>
          {photos.map((src, n) => (
            <li key={src}>
              <button
                type="button"
                class="gallery-thumb"
                ref={(el) => {
                  thumbs.current[n] = el;
                }}
                tabIndex={n === current ? 0 : -1}
                aria-pressed={n === current}
                aria-label={alt(n)}
                onClick={() => choose(n)}
              >
                <img src={src} alt="" loading="lazy" decoding="async" width={64} height={64} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** "판매자 s-1a2b3c · 판매 완료 3건": who sells it, as everyone sees them, and their record. */
export function SellerLine({ l }: { l: Listing }) {
  const n = l.seller_completed_sales;
  return (
    <p class="muted" data-testid="seller">
      {t("sellerHandle", { handle: l.seller })} · {n === 0 ? t("newSeller") : t("completedSales", { n })}
    </p>
  );
}
