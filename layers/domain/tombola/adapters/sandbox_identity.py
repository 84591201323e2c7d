"""A sandbox identity verifier: a person "verifies" on the sandbox's page (name, birth date,
phone) and the sandbox records the verification in the table, with a person id derived from
what they typed, so that the same person typed on two accounts is one person.

  PSP#IDENTITY / <verification id>   the verified person id and birth date
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from tombola.adapters.dynamo_items import from_item, to_item
from tombola.ports.identity import VerificationWindow, VerifiedPerson

SANDBOX_IDENTITY_URL = "http://127.0.0.1/sandbox/identity/"


def sandbox_person_id(name: str, birth_date: date, phone: str) -> str:
    """Stands in for a CI: the same name, birth date and phone digits are the same person."""
    who = "".join(unicodedata.normalize("NFKC", name).casefold().split())  # 김 민수 = 김민수
    digits = "".join(c for c in unicodedata.normalize("NFKC", phone) if c.isdigit())
    if digits.startswith("82"):  # +82 10 …, and +82 010 … as some type it
        digits = "0" + digits[2:].removeprefix("0")
    raw = f"{who}|{birth_date.isoformat()}|{digits}"
    return "sandbox-ci-" + hashlib.sha256(raw.encode()).hexdigest()


class SandboxIdentityVerifier:
    def __init__(self, table: str, client: Any, url: str = SANDBOX_IDENTITY_URL) -> None:
        self.table = table
        self.client = client
        self.url = url

    def window(self, verification_id: str) -> VerificationWindow:
        return VerificationWindow(provider="sandbox", url=f"{self.url}{verification_id}")

    def record(self, verification_id: str, name: str, birth_date: date, phone: str) -> bool:
        """The person finished the sandbox's verification; False when that verification was
        finished before (a verification verifies one person once)."""
        item = {
            "pk": "PSP#IDENTITY",
            "sk": verification_id,
            "person_id": sandbox_person_id(name, birth_date, phone),
            "birth_date": birth_date.isoformat(),
        }
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def verified(self, verification_id: str) -> VerifiedPerson | None:
        got = self.client.get_item(
            TableName=self.table,
            Key=to_item({"pk": "PSP#IDENTITY", "sk": verification_id}),
            ConsistentRead=True,
        )
        if "Item" not in got:
            return None
        item = from_item(got["Item"])
        return VerifiedPerson(item["person_id"], date.fromisoformat(item["birth_date"]))
