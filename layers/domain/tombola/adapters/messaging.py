"""The Notifier port over SES (e-mail) and SNS (SMS)."""

from __future__ import annotations

from typing import Any

from tombola.ports.messages import Notification


class SesSnsNotifier:
    def __init__(self, sender: str, ses: Any, sns: Any) -> None:
        self.sender = sender
        self.ses = ses
        self.sns = sns

    def send(self, notification: Notification) -> None:
        data = notification.data
        subject = str(data.get("subject", notification.template))
        lines = [
            f"{k}: {v}"
            for k, v in sorted(data.items())
            if k not in {"recipients", "email", "phone"}
        ]
        text = f"{subject}\n\n" + "\n".join(lines)
        if data.get("email"):
            self.ses.send_email(
                Source=self.sender,
                Destination={"ToAddresses": [str(data["email"])]},
                Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}},
            )
        if data.get("phone"):
            phone = "".join(c for c in str(data["phone"]) if c.isdigit() or c == "+")
            self.sns.publish(
                PhoneNumber=phone, Message=f"Tombola: {subject} ({data.get('title', '')})"
            )
