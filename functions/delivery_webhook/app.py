"""POST /webhooks/delivery: signed carrier events, applied once each."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import make_resolver, verified_body
from tombola.adapters.observability import api_handler
from tombola.api.models import CarrierEventIn
from tombola.api.views import WebhookAck
from tombola.config import NonEmpty, Settings
from tombola.services import delivery


class DeliveryWebhookSettings(Settings):
    carrier_secret_arn: NonEmpty  # the carrier's own secret: the provider's verifies nothing here


settings = cold_start(DeliveryWebhookSettings)

app = make_resolver()


@app.post(
    "/webhooks/delivery",
    **contract.post(401, 404, 409, public=True, summary="Signed carrier events"),
)
def carrier_event() -> WebhookAck:
    d = deps()
    return delivery.handle_carrier_event(
        d,
        CarrierEventIn.model_validate_json(verified_body(app, d, d.settings.carrier_secret_arn)),
    )


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
