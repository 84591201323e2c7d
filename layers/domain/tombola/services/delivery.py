"""Signed carrier events: location, delivered, accident [0067]."""

from __future__ import annotations

from tombola.api.models import CarrierEventIn
from tombola.api.views import WebhookAck
from tombola.domain.errors import InvalidInput
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.tracking import same_tracking_number
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, move, next_version
from tombola.services.notices import notify
from tombola.services.runner import decide_and_apply
from tombola.services.waits import resume_waits
from tombola.state.changes import Change

MAX_TRACKING_EVENTS = 20


def handle_carrier_event(deps: Deps, event: CarrierEventIn) -> WebhookAck:
    data = event.data

    def decide() -> tuple[Change, str]:
        listing = next_version(load_listing(deps, data.listing_id))
        # the carrier may write the number with hyphens or spaces where the seller's was kept bare
        shipment = listing.shipment
        if shipment is None or not same_tracking_number(
            shipment.tracking_number, data.tracking_number
        ):
            raise InvalidInput(
                "no shipment with that tracking number on this listing",
                field="data.tracking_number",
            )
        change = Change(listing=listing, dedupe=[f"carrier:{event.id}"])
        at = (data.at or deps.clock.now()).isoformat()
        listing.tracking_events.append(
            {"type": event.type, "location": data.location, "at": at, "detail": data.detail}
        )
        del listing.tracking_events[:-MAX_TRACKING_EVENTS]  # the head stays a constant size
        if event.type == "shipment.delivered" and listing.status is ListingStatus.SHIPPED:
            if listing.settling is not None:  # the outcome is fixed: the report is only kept
                return change, "recorded"
            move(listing, ListingStatus.DELIVERED, deps.clock.now())
            listing.delivered_at = data.at or deps.clock.now()
            resume_waits(listing, change, ("delivery",), event="delivered")
            change.effects.append(notify("Delivered", listing, [listing.final_buyer or ""]))
            return change, "delivered"
        if event.type == "shipment.accident":
            recipients = [listing.final_buyer or "", listing.seller_id, "operator"]
            change.effects.append(notify("ShipmentAccident", listing, recipients))
        return change, "recorded"

    return WebhookAck(
        event_id=event.id, result=decide_and_apply(deps, decide, duplicate="duplicate")
    )
