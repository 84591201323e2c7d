// Korean by default, English on request; amounts in the listing's currency (KRW has no minor
// unit), dates in the user's own time zone.
import { signal } from "./signal";

export type Lang = "ko" | "en";

const ko = {
  appName: "톰볼라",
  browse: "진행 중인 추첨",
  myEntries: "내 응모",
  sell: "판매",
  operator: "운영",
  signIn: "로그인",
  signOut: "로그아웃",
  signedInAs: "{user} ({group})",
  user: "사용자 이름",
  group: "역할",
  buyer: "구매자",
  seller: "판매자",
  language: "언어",
  noListings: "진행 중인 추첨이 없습니다.",
  price: "가격",
  firstPayment: "응모권 1장 (P1)",
  ticketsPaid: "판매된 응모권",
  timeLeft: "남은 시간",
  closesAt: "마감",
  ifDrawnNow: "지금 당첨되면 낼 잔금 (P2)",
  tickets: "응모권 수",
  limit: "1인 최대 {n}장",
  ticketLimit: "1인당 최대 응모권 수",
  totalNow: "지금 결제할 금액",
  worstCase: "당첨 시 최대 총액 (P1 × 장수 + P2)",
  apply: "응모하고 결제하기",
  payWithMileage: "마일리지로 결제",
  status: "상태",
  draw: "추첨 결과",
  verify: "직접 검증하기",
  verifying: "검증 중… {done}/{total}",
  loadingTickets: "응모권 불러오는 중… {done}/{total}",
  verified: "일치합니다: 약정(commitment), 응모 요약(digest), 추첨 순서를 이 브라우저에서 다시 계산했습니다.",
  notVerified: "일치하지 않습니다: {problems}",
  commitment: "약정 (commitment)",
  digest: "응모 요약 (entries digest)",
  seed: "공개된 시드",
  order: "추첨 순서",
  notDrawnYet: "아직 추첨 전입니다.",
  checkout: "결제",
  pay: "결제하기",
  payFails: "결제 실패로 처리",
  paid: "결제되었습니다.",
  amount: "금액",
  expiresAt: "유효 기한",
  entryWaiting: "추첨을 기다리는 중",
  entryPending: "결제 대기 중",
  entryExpired: "결제 기한이 지났습니다",
  entryPassed: "당첨되었지만 포기했거나 잔금 기한이 지나 다음 차례로 넘어갔습니다.",
  entryNextInLine: "다른 구매자가 당첨되어 잔금을 기다리는 중입니다. 기한 안에 결제하지 않으면 다음 차례를 추첨합니다.",
  entryRefunded: "판매되지 않아 응모권 금액이 환불되었습니다 ({status}).",
  entryNotDrawn: "당첨되지 않았습니다",
  entryDrawn: "당첨! {due}까지 잔금 {amount}을 결제하세요",
  entryFinal: "최종 구매자입니다",
  entryShipped: "배송 중: {carrier} {tracking}",
  giveUp: "포기하기",
  confirmReceipt: "수령 확인",
  openDispute: "이의 제기",
  reason: "사유",
  pseudonym: "추첨에서의 내 이름",
  ticketIds: "응모권 번호",
  newListing: "새 판매 등록",
  title: "상품명",
  description: "설명",
  expectedEntrants: "예상 응모권 수 (Np)",
  closesIn: "마감까지",
  atMost: "최대 {max}",
  deposit: "보증금",
  preview: "미리보기: 응모권 1장 {p1}, {np}장이면 가격 충당",
  create: "등록하기",
  payDeposit: "보증금 결제",
  myListings: "내 판매",
  ship: "배송 등록",
  carrier: "택배사",
  tracking: "운송장 번호",
  finalBuyer: "최종 구매자",
  statement: "정산 내역",
  moneyIn: "들어온 돈",
  moneyOut: "나간 돈",
  heldInEscrow: "보관 중",
  balanced: "균형",
  payouts: "지급 대기",
  payout: "판매 대금",
  payoutIssued: "이체 대기 중",
  payoutPaid: "지급 완료",
  markPaid: "지급 완료로 기록",
  transferReference: "이체 참조 번호",
  deadEffects: "계속 실패한 처리",
  deadEffectsHelp: "여러 번 다시 시도했지만 실패한 환불·지급·적립·알림입니다. 원인을 고친 뒤 다시 실행하거나, 직접 처리했다면 메모와 함께 처리 완료로 기록하세요.",
  attempts: "{n}회 시도",
  retryNow: "다시 실행",
  resolveNote: "직접 처리한 내용",
  markResolved: "처리 완료로 기록",
  attention: "조치가 필요한 추첨",
  resume: "재개",
  nothing: "없음",
  profileNeeded: "먼저 프로필을 입력하세요.",
  profile: "내 프로필",
  profileWhy: "구매자로 확정되면 판매자가 배송을 위해 봅니다. 판매 대금은 정산 계좌로 지급되며, 운영자가 이체에 사용합니다. 다른 구매자에게는 보이지 않습니다.",
  name: "이름",
  email: "이메일",
  phone: "전화번호",
  address: "주소",
  payoutAccount: "정산 계좌",
  saveProfile: "프로필 저장",
  saved: "저장되었습니다.",
  mileage: "마일리지",
  mileageEarned: "적립된 마일리지",
  entrants: "응모자",
  entrant: "응모자 (추첨에서의 이름)",
  ticketsHeld: "결제 대기 응모권",
  entered: "첫 응모",
  more: "더 보기",
  refresh: "새로 고침",
  error: "오류",
  deadlines: "기한",
  deadline_second_payment: "잔금 결제 기한",
  deadline_ship: "발송 기한",
  deadline_delivery: "배송 기한",
  deadline_confirm: "수령 확인 기한",
  deadline_resolution: "이의 처리 기한",
  unit: "단위",
  allowedRange: "허용 범위: {min} ~ {max}",
  surplusPolicy: "초과 모금액",
  surplus_operator: "운영자에게",
  surplus_mileage: "미당첨 응모권에 마일리지로",
  fee: "수수료",
  policy: "현재 운영 정책",
  policyFee: "수수료 (k, 판매마다)",
  policyDeposit: "판매자 보증금",
  depositRate: "가격의 {pct} (올림)",
  policyMileage: "미당첨 응모권 마일리지",
  pctOfP1: "P1의 {pct}",
  policySurplus: "초과 모금액 (기본)",
  policyTicketLimit: "1인 응모권 한도",
  limitDefault: "기본 {n}장, 최대 {max}장",
  policyMaxOpen: "최장 모집 기간",
  policyHold: "결제 대기 중 응모권 보류",
  policyDefault: "기본값",
  policyMin: "최소",
  policyMax: "최대",
  status_open: "응모 중",
  status_awaiting_deposit: "보증금 대기",
  status_closed: "마감",
  status_drawing: "추첨 중",
  status_awaiting_second_payment: "잔금 대기",
  status_final_buyer: "구매자 확정",
  status_shipped: "배송 중",
  status_delivered: "배송 완료",
  status_disputed: "이의 제기",
  status_confirmed: "수령 확인",
  status_settled: "정산 완료",
  status_unsold: "미판매",
  status_cancelled: "취소",
  status_draft: "작성 중",
};

type Key = keyof typeof ko;

const en: Record<Key, string> = {
  appName: "Tombola",
  browse: "Open draws",
  myEntries: "My entries",
  sell: "Sell",
  operator: "Operator",
  signIn: "Sign in",
  signOut: "Sign out",
  signedInAs: "{user} ({group})",
  user: "User name",
  group: "Role",
  buyer: "Buyer",
  seller: "Seller",
  language: "Language",
  noListings: "No draws are open.",
  price: "Price",
  firstPayment: "One ticket (P1)",
  ticketsPaid: "Tickets sold",
  timeLeft: "Time left",
  closesAt: "Closes",
  ifDrawnNow: "Left to pay if drawn now (P2)",
  tickets: "Tickets",
  limit: "At most {n} per buyer",
  ticketLimit: "At most per buyer",
  totalNow: "To pay now",
  worstCase: "Most you pay if drawn (P1 × tickets + P2)",
  apply: "Enter and pay",
  payWithMileage: "Pay with mileage",
  status: "Status",
  draw: "The draw",
  verify: "Verify it yourself",
  verifying: "Verifying… {done}/{total}",
  loadingTickets: "Loading tickets… {done}/{total}",
  verified: "It matches: commitment, entries digest and order were recomputed in this browser.",
  notVerified: "It does not match: {problems}",
  commitment: "Commitment",
  digest: "Entries digest",
  seed: "Revealed seed",
  order: "Order drawn",
  notDrawnYet: "Not drawn yet.",
  checkout: "Checkout",
  pay: "Pay",
  payFails: "Make the payment fail",
  paid: "Paid.",
  amount: "Amount",
  expiresAt: "Valid until",
  entryWaiting: "Waiting for the draw",
  entryPending: "Waiting for payment",
  entryExpired: "The payment window passed",
  entryPassed: "You were drawn, and gave up or let the deadline pass: the draw moved on.",
  entryNextInLine: "Another buyer was drawn and has until their deadline to pay; if they do not, the draw goes on.",
  entryRefunded: "Not sold: your tickets were refunded ({status}).",
  entryNotDrawn: "Not drawn",
  entryDrawn: "Drawn! Pay the remaining {amount} by {due}",
  entryFinal: "You are the final buyer",
  entryShipped: "Shipped: {carrier} {tracking}",
  giveUp: "Give up",
  confirmReceipt: "Confirm receipt",
  openDispute: "Open a dispute",
  reason: "Reason",
  pseudonym: "Your name in the draw",
  ticketIds: "Ticket numbers",
  newListing: "New listing",
  title: "Item",
  description: "Description",
  expectedEntrants: "Expected tickets (Np)",
  closesIn: "Closes in",
  atMost: "At most {max}",
  deposit: "Deposit",
  preview: "Preview: one ticket {p1}; {np} tickets cover the price",
  create: "Create",
  payDeposit: "Pay the deposit",
  myListings: "My listings",
  ship: "Enter shipment",
  carrier: "Carrier",
  tracking: "Tracking number",
  finalBuyer: "Final buyer",
  statement: "Money statement",
  moneyIn: "In",
  moneyOut: "Out",
  heldInEscrow: "Held in escrow",
  balanced: "Balanced",
  payouts: "Payouts waiting",
  payout: "Your payout",
  payoutIssued: "waiting for the transfer",
  payoutPaid: "paid",
  markPaid: "Record as paid",
  transferReference: "Transfer reference",
  deadEffects: "Effects that kept failing",
  deadEffectsHelp: "Refunds, payouts, credits and notifications that failed after every retry. Fix the cause and run them again, or, if you did it by hand, record it as resolved with a note.",
  attempts: "{n} attempts",
  retryNow: "Run again",
  resolveNote: "What was done by hand",
  markResolved: "Record as resolved",
  attention: "Listings needing attention",
  resume: "Resume",
  nothing: "Nothing",
  profileNeeded: "Fill in your profile first.",
  profile: "Your profile",
  profileWhy: "When you become the final buyer, the seller sees it to ship to you. Sellers are paid to their payout account, which the operator uses for the transfer. Other buyers never see it.",
  name: "Name",
  email: "E-mail",
  phone: "Phone",
  address: "Address",
  payoutAccount: "Payout account",
  saveProfile: "Save profile",
  saved: "Saved.",
  mileage: "Mileage",
  mileageEarned: "Mileage earned",
  entrants: "Entrants",
  entrant: "Buyer (name in the draw)",
  ticketsHeld: "Tickets awaiting payment",
  entered: "First entered",
  more: "More",
  refresh: "Refresh",
  error: "Error",
  deadlines: "Deadlines",
  deadline_second_payment: "Second payment within",
  deadline_ship: "Ship within",
  deadline_delivery: "Delivery within",
  deadline_confirm: "Confirm receipt within",
  deadline_resolution: "Resolve a dispute within",
  unit: "Unit",
  allowedRange: "Allowed: {min} to {max}",
  surplusPolicy: "Money raised beyond the price",
  surplus_operator: "To the operator",
  surplus_mileage: "As mileage to the tickets not drawn",
  fee: "Fee",
  policy: "Policy in force",
  policyFee: "Fee (k, per listing)",
  policyDeposit: "Seller deposit",
  depositRate: "{pct} of the price, rounded up",
  policyMileage: "Mileage per ticket not drawn",
  pctOfP1: "{pct} of P1",
  policySurplus: "Money beyond the price (default)",
  policyTicketLimit: "Tickets per buyer",
  limitDefault: "{n} by default, at most {max}",
  policyMaxOpen: "Longest a listing stays open",
  policyHold: "A ticket is held awaiting payment for",
  policyDefault: "Default",
  policyMin: "Shortest",
  policyMax: "Longest",
  status_open: "Open",
  status_awaiting_deposit: "Awaiting deposit",
  status_closed: "Closed",
  status_drawing: "Drawing",
  status_awaiting_second_payment: "Awaiting P2",
  status_final_buyer: "Buyer confirmed",
  status_shipped: "Shipped",
  status_delivered: "Delivered",
  status_disputed: "Disputed",
  status_confirmed: "Received",
  status_settled: "Settled",
  status_unsold: "Unsold",
  status_cancelled: "Cancelled",
  status_draft: "Draft",
};

const dictionaries: Record<Lang, Record<Key, string>> = { ko, en };
const stored = localStorage.getItem("tombola.lang");
export const lang = signal<Lang>(stored === "en" ? "en" : "ko");

export function setLang(l: Lang): void {
  localStorage.setItem("tombola.lang", l);
  document.documentElement.lang = l;
  lang.set(l);
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return dictionaries[lang.get()][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ""));
}

const CATEGORIES: Record<Lang, Record<string, string>> = {
  ko: {
    deposit: "보증금",
    first_payments: "응모권 (P1)",
    second_payment: "잔금 (P2)",
    unaccepted_payments: "받지 않은 결제",
    operator_funded_mileage: "운영자 부담 마일리지",
    seller_payout: "판매자 정산",
    deposit_refund: "보증금 반환",
    deposit_forfeit: "보증금 몰수",
    refunds: "환불",
    operator_revenue: "운영 수익",
    mileage_issued: "마일리지 지급",
    payout: "지급",
  },
  en: {
    deposit: "Deposit",
    first_payments: "Tickets (P1)",
    second_payment: "Second payment (P2)",
    unaccepted_payments: "Payments not accepted",
    operator_funded_mileage: "Mileage funded by the operator",
    seller_payout: "Seller payout",
    deposit_refund: "Deposit returned",
    deposit_forfeit: "Deposit forfeited",
    refunds: "Refunds",
    operator_revenue: "Operator revenue",
    mileage_issued: "Mileage issued",
    payout: "Payout",
  },
};

/** A money statement line in words. */
export function categoryText(category: string): string {
  return CATEGORIES[lang.get()][category] ?? category;
}

export function statusText(status: string): string {
  const key = `status_${status}` as Key;
  return key in ko ? t(key) : status;
}

export function money(amount: number, currency: string, minorUnits = currency === "KRW" ? 0 : 2): string {
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: minorUnits,
    maximumFractionDigits: minorUnits,
  }).format(amount / 10 ** minorUnits);
}

export function when(iso: string): string {
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return lang.get() === "ko" ? `${h}시간 ${m}분 ${s}초` : `${h}h ${m}m ${s}s`;
}

const UNIT_NAMES = { day: "day", hour: "hour", minute: "minute", second: "second" } as const;

/** A unit's name alone ("일", "hours"), for the unit pickers. */
export function unitText(unit: keyof typeof UNIT_NAMES): string {
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  const parts = new Intl.NumberFormat(locale, { style: "unit", unit: UNIT_NAMES[unit], unitDisplay: "long" }).formatToParts(2);
  return parts.filter((p) => p.type === "unit").map((p) => p.value).join("").trim();
}

/** A length of time in its two largest units: "2일", "1 hour, 30 minutes". */
export function span(seconds: number): string {
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  const parts: string[] = [];
  let left = seconds;
  for (const [unit, size] of [["day", 86_400], ["hour", 3_600], ["minute", 60], ["second", 1]] as const) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0 && parts.length < 2)
      parts.push(new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(n));
  }
  return parts.join(lang.get() === "ko" ? " " : ", ") || "0";
}

/** Basis points as a percentage: 250 → "2.5%". */
export function percent(bps: number): string {
  const locale = lang.get() === "ko" ? "ko-KR" : "en-US";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 }).format(bps / 10_000);
}
