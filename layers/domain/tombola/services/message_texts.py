"""What a notice says, in Korean and English: one subject and one plain sentence per kind of
event, filled with the notice's facts (amount, deadline, carrier …). The web client words the
in-app copy itself from the same kind and facts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from tombola.domain.money import CURRENCIES
from tombola.ports.messages import Message

KST = ZoneInfo("Asia/Seoul")

# kind → (Korean subject, Korean sentence, English subject, English sentence)
WORDS: dict[str, tuple[str, str, str, str]] = {
    "ListingOpened": (
        "판매가 시작되었습니다",
        "'{title}' 추첨이 열렸습니다.",
        "Your listing is open",
        "'{title}' is open for entries.",
    ),
    "ListingClosed": (
        "응모가 마감되었습니다",
        "'{title}' 응모가 {paid_tickets}장으로 마감되었습니다.",
        "Your listing closed",
        "'{title}' closed with {paid_tickets} {paid_tickets|ticket|tickets}.",
    ),
    "ListingCancelled": (
        "판매가 취소되었습니다",
        "'{title}'의 보증금이 기한 안에 들어오지 않아 취소되었습니다.",
        "Your listing was cancelled",
        "'{title}' was cancelled: its deposit did not arrive in time.",
    ),
    "SecondPaymentDue": (
        "당첨! 잔금을 결제하세요",
        "'{title}'에 당첨되었습니다. {due}까지 잔금 {amount}을 결제하면 구매가 확정됩니다. "
        "기한이 지나면 다음 사람에게 기회가 넘어갑니다.",
        "You were drawn: pay the rest to win",
        "You were drawn for '{title}'. Pay the remaining {amount} by {due} and it is yours; "
        "after that the turn passes to the next in line.",
    ),
    "CandidatePassed": (
        "결제 기회가 지나갔습니다",
        "'{title}' 잔금 결제 기회가 다음 사람에게 넘어갔습니다.",
        "Your turn to pay has passed",
        "Your turn to pay for '{title}' passed to the next in line.",
    ),
    "DrawTookPlace": (
        "추첨 결과를 알려 드립니다",
        "'{title}' 추첨에서 다른 분이 먼저 뽑혔습니다.{line} 그분이 {due}까지 잔금을 결제하지 "
        "않으면 다음 순번이 뽑히고, 회원님 차례가 되면 알려 드립니다.",
        "The draw took place",
        "Another entrant was drawn first for '{title}'.{line} If they do not pay the rest by "
        "{due}, the next in line is drawn, and you will be told if it is you.",
    ),
    "SoldToAnother": (
        "다른 분께 판매되었습니다",
        "'{title}'은(는) 다른 응모자에게 돌아갔습니다. 참여해 주셔서 감사합니다.",
        "It went to another entrant",
        "'{title}' went to another entrant. Thank you for taking part.",
    ),
    "CandidateGaveUp": (
        "결제를 포기하셨습니다",
        "'{title}' 잔금 결제를 포기하셔서 다음 순번에게 기회가 넘어갔습니다. 응모권 금액은 "
        "환불되지 않습니다.",
        "You gave up your turn",
        "You gave up your turn to pay for '{title}'; it passed to the next in line. Your ticket "
        "price is not refunded.",
    ),
    "FinalBuyer": (
        "구매자가 정해졌습니다",
        "'{title}'의 최종 구매자가 정해졌습니다. {span} 안에 발송해 주세요.",
        "A final buyer is chosen",
        "'{title}' has its final buyer. Ship it within {span}.",
    ),
    "YouBought": (
        "구매가 확정되었습니다",
        "'{title}'은(는) 이제 회원님의 것입니다. 더 낼 금액은 없고, 판매자가 {span} 안에 "
        "발송합니다.",
        "It is yours",
        "'{title}' is yours: nothing more to pay, and the seller ships it within {span}.",
    ),
    "ShipRequested": (
        "상품을 발송해 주세요",
        "'{title}'을(를) {span} 안에 발송하고 송장번호를 입력해 주세요.",
        "Please ship the item",
        "Ship '{title}' within {span} and enter its tracking number.",
    ),
    "ComplaintAnswered": (
        "불편 신고에 답변이 왔습니다",
        "운영자가 회원님의 불편 신고에 답변했습니다. 앱의 불편 신고 화면에서 확인해 주세요.",
        "Your complaint was answered",
        "The operator answered your complaint: read it on the Complaints page of the app.",
    ),
    "Shipped": (
        "상품이 발송되었습니다",
        "'{title}'이(가) {carrier} {tracking_number}(으)로 발송되었습니다.",
        "Your item is on its way",
        "'{title}' was shipped: {carrier} {tracking_number}.",
    ),
    "Delivered": (
        "상품이 배송되었습니다",
        "'{title}'이(가) 배송 완료되었습니다. 받으셨다면 수령을 확인해 주세요.",
        "Your item was delivered",
        "'{title}' was delivered. Confirm receipt once you have it.",
    ),
    "ConfirmRequested": (
        "수령을 확인해 주세요",
        "'{title}'을(를) 받으셨다면 {span} 안에 수령 확인이나 이의 제기를 해 주세요.",
        "Please confirm receipt",
        "Confirm receipt of '{title}', or open a dispute, within {span}.",
    ),
    "Disputed": (
        "구매자가 이의를 제기했습니다",
        "'{title}'에 이의가 제기되었습니다: {reason}",
        "A buyer opened a dispute",
        "The buyer of '{title}' opened a dispute: {reason}",
    ),
    "DisputeOpen": (
        "이의 제기를 처리해 주세요",
        "'{title}'의 이의 제기가 결정을 기다립니다: {reason}",
        "A dispute needs a decision",
        "The dispute on '{title}' needs a decision: {reason}",
    ),
    "DisputeAnswered": (
        "판매자가 이의 제기에 답했습니다",
        "'{title}' 이의 제기에 판매자가 답했습니다: {answer}",
        "The seller answered the dispute",
        "The seller of '{title}' answered the dispute: {answer}",
    ),
    "ShipmentCorrected": (
        "송장번호가 정정되었습니다",
        "'{title}'의 송장번호가 {carrier} {tracking_number}(으)로 정정되었습니다.",
        "The tracking number was corrected",
        "The seller corrected the tracking number of '{title}': {carrier} {tracking_number}.",
    ),
    "ShipmentAccident": (
        "배송 사고가 보고되었습니다",
        "'{title}' 배송에 사고가 보고되었습니다.",
        "A shipment reported an accident",
        "The carrier reported an accident with '{title}'.",
    ),
    "Settled": (
        "거래가 정산되었습니다",
        "'{title}' 거래가 끝나 정산되었습니다.",
        "The sale is settled",
        "The sale of '{title}' is settled.",
    ),
    "Unsold": (
        "판매되지 않고 끝났습니다",
        "'{title}'은(는) 판매되지 않았습니다. 환불은 규칙대로 처리됩니다.",
        "The listing ended unsold",
        "'{title}' ended unsold; refunds follow the rules.",
    ),
    "Cancelled": (
        "거래가 취소되었습니다",
        "'{title}' 거래가 취소되었습니다. 환불은 규칙대로 처리됩니다.",
        "The sale was cancelled",
        "The sale of '{title}' was cancelled; refunds follow the rules.",
    ),
    "UnsoldRefunded": (
        "판매되지 않아 환불됩니다",
        "'{title}'은(는) 판매되지 않았습니다. 결제하신 {amount}이 돌아갑니다: 카드 결제분은 "
        "카드로, 마일리지 결제분은 마일리지로.",
        "Not sold: your payment comes back",
        "'{title}' did not sell. The {amount} you paid comes back to you: to your card what you "
        "paid by card, as mileage what you paid in mileage.",
    ),
    "CancelledRefunded": (
        "거래가 취소되어 환불됩니다",
        "'{title}' 거래가 취소되었습니다. 결제하신 {amount}이 돌아갑니다: 카드 결제분은 "
        "카드로, 마일리지 결제분은 마일리지로.",
        "Cancelled: your payment comes back",
        "The sale of '{title}' was cancelled. The {amount} you paid comes back to you: to your "
        "card what you paid by card, as mileage what you paid in mileage.",
    ),
    "UnsoldNothingBack": (
        "판매되지 않고 끝났습니다",
        "'{title}'은(는) 판매되지 않았습니다. 회원님의 결제 차례가 지나갔으므로 응모권 금액은 "
        "환불되지 않습니다.",
        "The listing ended unsold",
        "'{title}' did not sell. Your turn to pay passed, so your ticket price is not refunded.",
    ),
    "CancelledNothingBack": (
        "거래가 취소되었습니다",
        "'{title}' 거래가 취소되었습니다. 회원님의 결제 차례가 지나갔으므로 응모권 금액은 "
        "환불되지 않습니다.",
        "The sale was cancelled",
        "The sale of '{title}' was cancelled. Your turn to pay passed, so your ticket price is "
        "not refunded.",
    ),
    "DisputeReleased": (
        "이의 제기가 결정되었습니다",
        "'{title}' 이의 제기에 대해 운영자가 판매자에게 대금을 지급하기로 결정했습니다.",
        "The dispute was decided",
        "The operator decided the dispute on '{title}': the payment goes to the seller.",
    ),
    "DisputeRefunded": (
        "이의 제기가 결정되었습니다",
        "'{title}' 이의 제기에 대해 운영자가 거래를 취소하고 구매자에게 환불하기로 결정했습니다.",
        "The dispute was decided",
        "The operator decided the dispute on '{title}': the sale is cancelled and the buyer "
        "refunded.",
    ),
    "PaymentRefunded": (
        "결제가 환불되었습니다",
        "'{title}' 결제 {amount}이 환불되었습니다.{because}",
        "Your payment was refunded",
        "Your payment of {amount} for '{title}' was refunded.{because}",
    ),
}
FACTS = (
    "amount",
    "currency",
    "due_at",
    "seconds",
    "carrier",
    "tracking_number",
    "reason",
    "answer",
    "paid_tickets",
    "place",
    "why",
)

# why a payment came back (the fact ``why``), as its payer understands it
WHY: dict[str, tuple[str, str]] = {
    "closed": (
        "결제가 도착하기 전에 응모가 마감되어 응모권을 드릴 수 없었습니다.",
        "The listing closed before your payment arrived, so no tickets could be issued.",
    ),
    "full": (
        "결제 대기 시간이 지나는 사이 응모권이 모두 팔려 응모권을 드릴 수 없었습니다.",
        "Your hold ran out before you paid and the tickets sold out meanwhile, so no tickets "
        "could be issued.",
    ),
    "limit": (
        "결제 대기 시간이 지난 뒤 다른 응모로 1인 최대 응모권 수에 이르러 응모권을 드릴 수 "
        "없었습니다.",
        "Your hold ran out before you paid, and with the tickets you hold now these would pass "
        "the most one buyer may have, so no tickets could be issued.",
    ),
    "spend_limit": (
        "이 결제로 직접 정하신 지출 한도를 넘게 되어 받지 않았습니다.",
        "This payment would have taken you past the spend limit you set, so it was not taken.",
    ),
    "play": (
        "지금은 참여할 수 없는 상태라(본인인증, 나이 또는 지출 한도 선택) 결제를 받지 않았습니다.",
        "You cannot take part right now (verification, age, or a spend limit to choose), so the "
        "payment was not taken.",
    ),
    "paused": (
        "쉬어가기 또는 참여 제한 기간이라 결제를 받지 않았습니다.",
        "You are on a break or have excluded yourself from play, so the payment was not taken.",
    ),
}


PLURAL = re.compile(r"\{(\w+)\|([^|}]*)\|([^}]*)\}")


def _plural(template: str, facts: Mapping[str, object]) -> str:
    """``{n|ticket|tickets}``: the singular when the fact is 1, else the plural."""
    return PLURAL.sub(lambda m: m[2] if facts.get(m[1]) == 1 else m[3], template)


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


def facts_of(detail: Mapping[str, object]) -> dict[str, str | int]:
    """The notice's facts worth keeping for its words (never the recipients or addresses)."""
    return {
        k: v if isinstance(v, int) else str(v)
        for k, v in detail.items()
        if k in FACTS and v is not None and not isinstance(v, bool)
    }


def _amount(facts: Mapping[str, str | int], korean: bool) -> str:
    amount, currency = facts.get("amount"), str(facts.get("currency") or "KRW")
    if not isinstance(amount, int):
        return ""
    digits = CURRENCIES.get(currency, 2)
    whole = f"{amount / 10**digits:,.{digits}f}"
    if currency == "KRW":
        return f"{whole}원" if korean else f"₩{whole}"
    return f"{whole} {currency}"


def _due(facts: Mapping[str, str | int], korean: bool) -> str:
    raw = facts.get("due_at")
    if not isinstance(raw, str):
        return ""
    at = datetime.fromisoformat(raw).astimezone(KST)
    return f"{at.month}월 {at.day}일 {at:%H:%M}" if korean else f"{at.day} {at:%b %H:%M} KST"


def _line(facts: Mapping[str, str | int], korean: bool) -> str:
    """Where the reader stands in the draw order, when the notice knows it."""
    place = facts.get("place")
    if not isinstance(place, int) or place < 1:
        return ""
    if korean:
        return f" 회원님은 추첨 순서 {place}번째입니다."
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f" You are {place}{suffix} in the draw order."


def _because(facts: Mapping[str, str | int], korean: bool) -> str:
    """Why a payment came back, when the notice says."""
    words = WHY.get(str(facts.get("why") or ""))
    if words is None:
        return ""
    return f" {words[0] if korean else words[1]}"


def _span(facts: Mapping[str, str | int], korean: bool) -> str:
    seconds = facts.get("seconds")
    if not isinstance(seconds, int):
        return ""
    for size, ko, en in ((86_400, "일", "days"), (3_600, "시간", "hours"), (60, "분", "minutes")):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n}{ko}" if korean else f"{n} {en}"
    return f"{seconds}초" if korean else f"{seconds} seconds"


def render(kind: str, title: str, facts: Mapping[str, str | int]) -> Message:
    """Korean first, then English: one message both readers understand."""
    ko_subject, ko_text, en_subject, en_text = WORDS.get(kind, (kind, "", kind, ""))
    texts = []
    for korean, template in ((True, ko_text), (False, en_text)):
        values = _Blank(facts)
        values.update(
            title=title,
            amount=_amount(facts, korean),
            due=_due(facts, korean),
            span=_span(facts, korean),
            line=_line(facts, korean),
            because=_because(facts, korean),
        )
        texts.append(_plural(template, facts).format_map(values))
    return Message(
        subject=f"[Tombola] {ko_subject} / {en_subject}",
        text="\n\n".join(t for t in texts if t),
    )


SMS_TITLE = 20  # characters of the title an SMS keeps


def sms_text(kind: str, title: str, facts: Mapping[str, str | int]) -> str:
    """Short: the Korean sentence only, the title cut, no free text (a reason, an answer) of
    anyone's."""
    _, ko_text, _, _ = WORDS.get(kind, (kind, kind, kind, kind))
    title = title if len(title) <= SMS_TITLE else title[: SMS_TITLE - 1] + "…"
    values = _Blank({k: v for k, v in facts.items() if k not in {"reason", "answer"}})
    values.update(
        title=title,
        amount=_amount(facts, True),
        due=_due(facts, True),
        span=_span(facts, True),
        line=_line(facts, True),
        because=_because(facts, True),
    )
    return f"[Tombola] {_plural(ko_text, facts).format_map(values).rstrip(': ')}"
