"""POST /webhooks/payments: signed payment provider events, applied once each."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import counting_rejects, headers_of, make_resolver, raw_body
from tombola.adapters.observability import api_handler
from tombola.api.views import WebhookAck
from tombola.config import NonEmpty, PaymentSettings
from tombola.services import payments


class PaymentsWebhookSettings(PaymentSettings):
    state_machine_arn: NonEmpty
    webhook_secret_arn: NonEmpty


settings = cold_start(PaymentsWebhookSettings)

app = make_resolver()


@app.post(
    "/webhooks/payments",
    **contract.post(401, 404, 409, 503, public=True, summary="Signed payment provider events"),
)
def payment_event() -> WebhookAck:
    """Verified by the provider's own scheme (the sandbox's HMAC, or PortOne's through its SDK,
    the payment then read back from PortOne)."""
    d = deps()
    with counting_rejects(app, d):
        event = d.payments.verified_event(raw_body(app), headers_of(app))
    return payments.handle_verified_event(d, event)


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
