"""The Notifier port over SES (e-mail) and SNS (SMS)."""

from __future__ import annotations

from typing import Any

from botocore import exceptions as boto

from tombola.ports.messages import Channel, Message, TryLater

# what SES and SNS answer when they may take the same message a little later
TRANSIENT = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalFailure",
    "InternalError",
    "KMSThrottlingException",
}


class SesSnsNotifier:
    def __init__(self, sender: str, ses: Any, sns: Any) -> None:
        self.sender = sender
        self.ses = ses
        self.sns = sns

    def send(self, channel: Channel, address: str, message: Message) -> None:
        try:
            self._send(channel, address, message)
        except boto.ClientError as err:
            if err.response.get("Error", {}).get("Code") in TRANSIENT:
                raise TryLater(err.response["Error"]["Code"]) from err
            raise
        except boto.ConnectionError as err:  # the provider was never reached: nothing was sent
            # (a read timeout is not here: the message may have gone out; at most once)
            raise TryLater(type(err).__name__) from err

    def _send(self, channel: Channel, address: str, message: Message) -> None:
        if channel == "email":
            self.ses.send_email(
                Source=self.sender,
                Destination={"ToAddresses": [address]},
                Message={
                    "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"}},
                },
            )
        else:
            self.sns.publish(PhoneNumber=address, Message=message.text)
