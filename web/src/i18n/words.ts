// What the product told a person (notes) and the steps of an order (timeline), in Korean and
// English, worded from the server's kind and facts so every channel says the same thing.
import { h, type ComponentChildren } from "preact";

import { lang, money, ordinal, plural, when } from "../i18n";

type Facts = Record<string, string | number>;
type Pair = { ko: string; en: string };

const NOTES: Record<string, Pair> = {
  ListingOpened: { ko: "'{title}' 추첨이 열렸습니다.", en: "'{title}' is open for entries." },
  ListingClosed: { ko: "'{title}' 응모가 {paid_tickets}장으로 마감되었습니다.", en: "'{title}' closed with {paid_tickets} {paid_tickets|ticket|tickets}." },
  ListingCancelled: { ko: "'{title}'의 보증금이 기한 안에 들어오지 않아 취소되었습니다.", en: "'{title}' was cancelled: its deposit did not arrive in time." },
  SecondPaymentDue: { ko: "당첨! '{title}' 잔금 {amount}을 {due}까지 결제하세요.", en: "You were drawn for '{title}': pay {amount} by {due}." },
  CandidatePassed: { ko: "'{title}' 잔금 결제 기회가 다음 사람에게 넘어갔습니다.", en: "Your turn to pay for '{title}' passed to the next in line." },
  DrawTookPlace: {
    ko: "'{title}' 추첨에서 다른 분이 먼저 뽑혔습니다.{line} 그분이 {due}까지 잔금을 결제하지 않으면 다음 순번이 뽑히고, 회원님 차례가 되면 알려 드립니다.",
    en: "Another entrant was drawn first for '{title}'.{line} If they do not pay the rest by {due}, the next in line is drawn, and you will be told if it is you.",
  },
  SoldToAnother: { ko: "'{title}'은(는) 다른 응모자에게 돌아갔습니다. 참여해 주셔서 감사합니다.", en: "'{title}' went to another entrant. Thank you for taking part." },
  CandidateGaveUp: {
    ko: "'{title}' 잔금 결제를 포기하셔서 다음 순번에게 기회가 넘어갔습니다. 응모권 금액은 환불되지 않습니다.",
    en: "You gave up your turn to pay for '{title}'; it passed to the next in line. Your ticket price is not refunded.",
  },
  FinalBuyer: { ko: "'{title}'의 최종 구매자가 정해졌습니다. 발송해 주세요.", en: "'{title}' has its final buyer: ship it." },
  YouBought: { ko: "'{title}'은(는) 이제 회원님의 것입니다. 더 낼 금액은 없고, 판매자가 곧 발송합니다.", en: "'{title}' is yours: nothing more to pay; the seller ships it next." },
  ShipRequested: { ko: "'{title}'을(를) 발송하고 송장번호를 입력해 주세요.", en: "Ship '{title}' and enter its tracking number." },
  ComplaintAnswered: {
    ko: "운영자가 회원님의 불편 신고에 답변했습니다. 불편 신고 화면에서 확인해 주세요.",
    en: "The operator answered your complaint: read it on the Complaints page.",
  },
  Shipped: { ko: "'{title}'이(가) {carrier} {tracking_number}(으)로 발송되었습니다.", en: "'{title}' was shipped: {carrier} {tracking_number}." },
  Delivered: { ko: "'{title}'이(가) 배송 완료되었습니다. 받으셨다면 수령을 확인해 주세요.", en: "'{title}' was delivered. Confirm receipt once you have it." },
  ConfirmRequested: { ko: "'{title}'을(를) 받으셨다면 수령 확인이나 이의 제기를 해 주세요.", en: "Confirm receipt of '{title}', or open a dispute." },
  Disputed: { ko: "'{title}'에 이의가 제기되었습니다: {reason}", en: "The buyer of '{title}' opened a dispute: {reason}" },
  DisputeAnswered: { ko: "'{title}' 이의 제기에 판매자가 답했습니다: {answer}", en: "The seller of '{title}' answered the dispute: {answer}" },
  ShipmentCorrected: {
    ko: "'{title}'의 송장번호가 {carrier} {tracking_number}(으)로 정정되었습니다.",
    en: "The seller corrected the tracking number of '{title}': {carrier} {tracking_number}.",
  },
  ShipmentAccident: { ko: "'{title}' 배송에 사고가 보고되었습니다.", en: "The carrier reported an accident with '{title}'." },
  Settled: { ko: "'{title}' 거래가 끝나 정산되었습니다.", en: "The sale of '{title}' is settled." },
  Unsold: { ko: "'{title}'은(는) 판매되지 않았습니다. 환불은 규칙대로 처리됩니다.", en: "'{title}' ended unsold; refunds follow the rules." },
  Cancelled: { ko: "'{title}' 거래가 취소되었습니다. 환불은 규칙대로 처리됩니다.", en: "The sale of '{title}' was cancelled; refunds follow the rules." },
  UnsoldRefunded: {
    ko: "'{title}'은(는) 판매되지 않았습니다. 결제하신 {amount}이 돌아갑니다: 카드 결제분은 카드로, 마일리지 결제분은 마일리지로.",
    en: "'{title}' did not sell. The {amount} you paid comes back to you: to your card what you paid by card, as mileage what you paid in mileage.",
  },
  CancelledRefunded: {
    ko: "'{title}' 거래가 취소되었습니다. 결제하신 {amount}이 돌아갑니다: 카드 결제분은 카드로, 마일리지 결제분은 마일리지로.",
    en: "The sale of '{title}' was cancelled. The {amount} you paid comes back to you: to your card what you paid by card, as mileage what you paid in mileage.",
  },
  UnsoldNothingBack: {
    ko: "'{title}'은(는) 판매되지 않았습니다. 회원님의 결제 차례가 지나갔으므로 응모권 금액은 환불되지 않습니다.",
    en: "'{title}' did not sell. Your turn to pay passed, so your ticket price is not refunded.",
  },
  CancelledNothingBack: {
    ko: "'{title}' 거래가 취소되었습니다. 회원님의 결제 차례가 지나갔으므로 응모권 금액은 환불되지 않습니다.",
    en: "The sale of '{title}' was cancelled. Your turn to pay passed, so your ticket price is not refunded.",
  },
  DisputeReleased: {
    ko: "'{title}' 이의 제기에 대해 운영자가 판매자에게 대금을 지급하기로 결정했습니다.",
    en: "The operator decided the dispute on '{title}': the payment goes to the seller.",
  },
  DisputeRefunded: {
    ko: "'{title}' 이의 제기에 대해 운영자가 거래를 취소하고 구매자에게 환불하기로 결정했습니다.",
    en: "The operator decided the dispute on '{title}': the sale is cancelled and the buyer refunded.",
  },
  PaymentRefunded: { ko: "'{title}' 결제 {amount}이 환불되었습니다.{because}", en: "Your payment of {amount} for '{title}' was refunded.{because}" },
};

// why a payment came back (the fact ``why``; the server's message_texts.WHY says the same)
const WHY: Record<string, Pair> = {
  closed: {
    ko: "결제가 도착하기 전에 응모가 마감되어 응모권을 드릴 수 없었습니다.",
    en: "The listing closed before your payment arrived, so no tickets could be issued.",
  },
  full: {
    ko: "결제 대기 시간이 지나는 사이 응모권이 모두 팔려 응모권을 드릴 수 없었습니다.",
    en: "Your hold ran out before you paid and the tickets sold out meanwhile, so no tickets could be issued.",
  },
  limit: {
    ko: "결제 대기 시간이 지난 뒤 다른 응모로 1인 최대 응모권 수에 이르러 응모권을 드릴 수 없었습니다.",
    en: "Your hold ran out before you paid, and with the tickets you hold now these would pass the most one buyer may have, so no tickets could be issued.",
  },
  spend_limit: {
    ko: "이 결제로 직접 정하신 지출 한도를 넘게 되어 받지 않았습니다.",
    en: "This payment would have taken you past the spend limit you set, so it was not taken.",
  },
  play: {
    ko: "지금은 참여할 수 없는 상태라(본인인증, 나이 또는 지출 한도 선택) 결제를 받지 않았습니다.",
    en: "You cannot take part right now (verification, age, or a spend limit to choose), so the payment was not taken.",
  },
  paused: {
    ko: "쉬어가기 또는 참여 제한 기간이라 결제를 받지 않았습니다.",
    en: "You are on a break or have excluded yourself from play, so the payment was not taken.",
  },
};

const STEPS: Record<string, Pair> = {
  published: { ko: "판매 시작", en: "Listed" },
  entered: { ko: "응모", en: "Entered" },
  closed: { ko: "응모 마감", en: "Entries closed" },
  drawn: { ko: "추첨: 당첨", en: "Drawn" },
  other_drawn: { ko: "추첨: 다른 분이 당첨", en: "Another buyer was drawn" },
  passed: { ko: "결제 기회 지나감", en: "Your turn passed" },
  paid: { ko: "잔금 결제", en: "Rest paid (P2)" },
  shipped: { ko: "발송", en: "Shipped" },
  delivered: { ko: "배송 완료", en: "Delivered" },
  confirmed: { ko: "수령 확인", en: "Receipt confirmed" },
  disputed: { ko: "이의 제기", en: "Disputed" },
  decision: { ko: "운영자 결정", en: "Operator's decision" },
  released: { ko: "결정: 판매자에게 지급", en: "Decided: seller paid" },
  refunded: { ko: "결정: 구매자에게 환불", en: "Decided: buyer refunded" },
  settled: { ko: "정산 완료", en: "Settled" },
  unsold: { ko: "판매되지 않음 (환불)", en: "Ended unsold (refunds)" },
  cancelled: { ko: "취소됨 (환불)", en: "Cancelled (refunds)" },
};

const WORDS = {
  notifications: { ko: "알림", en: "Notifications" },
  unread: { ko: "읽지 않음", en: "unread" },
  noNotes: { ko: "아직 받은 알림이 없습니다.", en: "Nothing yet." },
  older: { ko: "이전 알림 더 보기", en: "Older" },
  emailFailed: { ko: "이메일을 보내지 못했습니다", en: "the e-mail could not be sent" },
  smsFailed: { ko: "문자를 보내지 못했습니다", en: "the text message could not be sent" },
  openItem: { ko: "상품 보기", en: "Open the item" },
  youWereDrawn: { ko: "당첨! '{title}' 잔금 {amount}을 {due}까지 결제하세요", en: "You were drawn for '{title}': pay {amount} by {due}" },
  payNow: { ko: "지금 결제하기", en: "Pay now" },
  order: { ko: "진행 단계", en: "Your order, step by step" },
  sale: { ko: "판매 진행 단계", en: "The sale, step by step" },
  paidSoFar: { ko: "지금까지 결제한 금액", en: "Paid so far" },
  depositPaid: { ko: "낸 보증금", en: "Deposit paid" },
  stepDone: { ko: "완료", en: "done" },
  stepNow: { ko: "진행 중", en: "now" },
  stepNext: { ko: "예정", en: "ahead" },
  dueBy: { ko: "{due}까지", en: "by {due}" },
  track: { ko: "배송 조회", en: "Track" },
  closesWhenFull: { ko: "응모권 {n}장이 다 팔리면 그 즉시 마감하고 추첨합니다", en: "closes and draws the moment all {n} {n|ticket|tickets} are paid" },
  drawWon: { ko: "회원님이 이 상품을 샀습니다.", en: "You bought this item." },
  drawOverSold: { ko: "추첨이 끝났습니다: 다른 분이 샀습니다.", en: "The draw is over: another buyer bought it." },
  drawOverNotSold: { ko: "추첨이 끝났습니다: 판매되지 않았습니다.", en: "The draw is over: the item was not sold." },
  drawWonCancelled: {
    ko: "회원님이 최종 구매자였지만 거래가 취소되었습니다. 결제하신 금액은 환불됩니다.",
    en: "You were the final buyer, but the sale was cancelled: what you paid is refunded.",
  },
  placeInOrder: { ko: "회원님은 추첨 순서 {nth}입니다.", en: "You are {nth} in the draw order." },
  undelivered: { ko: "전달되지 않은 알림", en: "Messages that did not go out" },
  undeliveredNone: { ko: "없습니다.", en: "None." },
  undeliveredWhat: { ko: "{user}님께: {kind}", en: "To {user}: {kind}" },
  undeliveredDismiss: { ko: "처리 완료", en: "Dealt with" },
  undeliveredDismissTitle: { ko: "목록에서 내릴까요?", en: "Take it off the list?" },
  undeliveredDismissWhat: {
    ko: "{user}님께 다른 방법으로 알렸거나 더 알릴 것이 없을 때만 내리세요. 앱의 알림함에는 그대로 남습니다.",
    en: "Only once {user} was told another way, or nothing is left to tell. It stays in their in-app notifications.",
  },
  noTexts: {
    ko: "휴대폰 번호가 아니어서 문자 알림은 보낼 수 없습니다. 알림은 이메일과 이 앱의 알림함으로 받습니다.",
    en: "Not a mobile number, so no text messages: you are told by e-mail and in this app's notifications.",
  },
} satisfies Record<string, Pair>;

function fill(template: string, vars: Record<string, string>): string {
  return plural(template, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, /^\d+$/.test(v) ? Number(v) : v]))).replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? "");
}

/** One of this module's words in the current language. */
export function w(key: keyof typeof WORDS, vars: Record<string, string | number> = {}): string {
  return fill(WORDS[key][lang.get()], Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])));
}

/** " You are 3rd in the draw order." when the note knows the reader's place, else nothing. */
function placeLine(facts: Facts): string {
  const place = facts.place;
  if (typeof place !== "number" || place < 1) return "";
  return " " + w("placeInOrder", { nth: ordinal(place) });
}

/** " The listing closed before your payment arrived …" when the note says why, else nothing. */
function becauseLine(facts: Facts): string {
  const why = WHY[String(facts.why ?? "")];
  return why ? " " + why[lang.get()] : "";
}

/** A note in words: what happened, with its amount and deadline in the reader's terms. */
export function noteText(kind: string, title: string, facts: Facts): string {
  const pair = NOTES[kind];
  if (!pair) return title ? `${kind}: ${title}` : kind;
  const currency = String(facts.currency ?? "KRW");
  const vars: Record<string, string> = { title };
  for (const [k, v] of Object.entries(facts)) vars[k] = String(v);
  if (typeof facts.amount === "number") vars.amount = money(facts.amount, currency);
  if (typeof facts.due_at === "string") vars.due = when(facts.due_at);
  vars.line = placeLine(facts);
  vars.because = becauseLine(facts);
  return fill(pair[lang.get()], vars);
}

/** ``noteText`` as markup: the amount and the deadline each kept on one line. */
export function noteParts(kind: string, title: string, facts: Facts): ComponentChildren[] {
  const pair = NOTES[kind];
  if (!pair) return [noteText(kind, title, facts)];
  const currency = String(facts.currency ?? "KRW");
  const vars: Record<string, ComponentChildren> = { title };
  for (const [k, v] of Object.entries(facts)) vars[k] = String(v);
  if (typeof facts.amount === "number") vars.amount = h("span", { class: "money" }, money(facts.amount, currency));
  if (typeof facts.due_at === "string") vars.due = h("span", { class: "money" }, when(facts.due_at));
  vars.line = placeLine(facts);
  vars.because = becauseLine(facts);
  return plural(pair[lang.get()], facts).split(/\{(\w+)\}/).map((part, i) => (i % 2 ? (vars[part] ?? "") : part));
}

export function stepText(step: string): string {
  return STEPS[step]?.[lang.get()] ?? step;
}
