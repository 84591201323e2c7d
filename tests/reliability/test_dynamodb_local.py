"""The DynamoDB Local harness: the template's table on Amazon's own engine, real concurrent
conditional transactions against it, and cursors checked as DynamoDB checks them (moto serialises
every call and is lenient where DynamoDB is strict)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tombola_dev.doubles import ManualClock

from tests.support.dynamodb_local import DynamoDBLocal
from tombola.adapters.dynamo import DynamoStore
from tombola.adapters.dynamo_items import to_item
from tombola.domain.errors import Conflict, SamePerson, SpendShort
from tombola.state.changes import Change, SpendCharge
from tombola.state.records import PayoutAccount, ProfileRecord, StandingRecord


def _sorted(indexes: list[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
    return sorted((i["IndexName"], i["KeySchema"], i["Projection"]) for i in indexes)


def test_the_table_is_the_templates_with_its_indexes(dynamodb_local: DynamoDBLocal) -> None:
    props = dynamodb_local.table_properties()
    name, client = dynamodb_local.new_table()
    table = client.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == props["KeySchema"]
    assert sorted(map(str, table["AttributeDefinitions"])) == sorted(
        map(str, props["AttributeDefinitions"])
    )
    assert table["BillingModeSummary"]["BillingMode"] == props["BillingMode"]
    assert _sorted(table["GlobalSecondaryIndexes"]) == _sorted(props["GlobalSecondaryIndexes"])
    assert {i["IndexStatus"] for i in table["GlobalSecondaryIndexes"]} == {"ACTIVE"}
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": props["TimeToLiveSpecification"]["AttributeName"],
    }
    # each test gets its own empty table in the one server
    other, _ = dynamodb_local.new_table()
    assert other != name
    assert client.scan(TableName=other)["Count"] == 0


def test_sixteen_threads_racing_for_ten_never_oversell(dynamodb_local: DynamoDBLocal) -> None:
    name, client = dynamodb_local.new_table()
    key = to_item({"pk": "QUOTA#L1#0", "sk": "QUOTA"})
    client.put_item(TableName=name, Item=key | to_item({"remaining": 10}))
    threads, start = 16, threading.Barrier(16)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def take() -> None:
        own = dynamodb_local.client()  # each its own connection: requests really overlap
        start.wait()
        while True:
            try:
                own.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": name,
                                "Key": key,
                                "UpdateExpression": "SET remaining = remaining - :one",
                                "ConditionExpression": "remaining >= :one",
                                "ExpressionAttributeValues": to_item({":one": 1}),
                            }
                        }
                    ]
                )
                outcome = "took one"
            except ClientError as err:
                codes = {r.get("Code") for r in err.response.get("CancellationReasons") or []}
                outcome = f"{err.response['Error']['Code']}: {','.join(sorted(map(str, codes)))}"
                if "TransactionConflict" in codes:  # as the application does: try again
                    with lock:
                        outcomes["conflict, retried"] += 1
                    continue
            with lock:
                outcomes[outcome] += 1
            return

    workers = [threading.Thread(target=take) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not any(w.is_alive() for w in workers)
    assert outcomes["took one"] == 10, outcomes
    assert outcomes["TransactionCanceledException: ConditionalCheckFailed"] == 6, outcomes
    left = client.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]
    assert left["remaining"] == {"N": "0"}


def _listings(client: Any, name: str, n: int) -> None:
    for i in range(n):
        client.put_item(
            TableName=name,
            Item=to_item(
                {
                    "pk": f"LISTING#L{i}",
                    "sk": "META",
                    "gsi1pk": "STATUS#open",
                    "gsi1sk": f"2026-01-0{i + 1}T00:00:00+00:00#L{i}",
                    "data": {"listing_id": f"L{i}"},
                }
            ),
        )


def _by_status(client: Any, name: str, **extra: Any) -> dict[str, Any]:
    got: dict[str, Any] = client.query(
        TableName=name,
        IndexName="ByStatus",
        KeyConditionExpression="gsi1pk = :p",
        ExpressionAttributeValues=to_item({":p": "STATUS#open"}),
        **extra,
    )
    return got


@pytest.mark.parametrize(
    "cursor",
    [
        {"pk": "LISTING#L0", "sk": "META"},  # the table's key without the index's
        {"gsi1pk": "STATUS#open", "gsi1sk": "2026-01-01T00:00:00+00:00#L0"},  # no table key
        {"gsi1pk": "STATUS#open", "gsi1sk": "x", "pk": "LISTING#L0", "sk": "META", "x": "y"},
        {"gsi1pk": "STATUS#closed", "gsi1sk": "x", "pk": "LISTING#L0", "sk": "META"},
    ],
    ids=["table-key-only", "index-key-only", "extra-attribute", "other-partition"],
)
def test_a_crafted_cursor_on_an_index_is_refused(
    dynamodb_local: DynamoDBLocal, cursor: dict[str, str]
) -> None:
    name, client = dynamodb_local.new_table()
    _listings(client, name, 3)
    # a genuine cursor carries the index's key and the table's, and continues the query
    first = _by_status(client, name, Limit=1)
    assert set(first["LastEvaluatedKey"]) == {"gsi1pk", "gsi1sk", "pk", "sk"}
    rest = _by_status(client, name, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [i["pk"]["S"] for i in first["Items"] + rest["Items"]] == [
        "LISTING#L0",
        "LISTING#L1",
        "LISTING#L2",
    ]
    with pytest.raises(ClientError) as refused:
        _by_status(client, name, ExclusiveStartKey=to_item(cursor))
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_a_consistent_read_on_an_index_is_refused(dynamodb_local: DynamoDBLocal) -> None:
    name, client = dynamodb_local.new_table()
    with pytest.raises(ClientError) as refused:
        _by_status(client, name, ConsistentRead=True)
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_the_dynamo_store_commits_a_change_on_it(dynamodb_local: DynamoDBLocal) -> None:
    name, client = dynamodb_local.new_table()
    store = DynamoStore(name, ManualClock(), client=client)
    profile = ProfileRecord(
        user_id="u1",
        name="Sam",
        email="sam@example.com",
        phone="+82 10 1234 5678",
        address="Seoul",
        payout_account=PayoutAccount(bank="088", number="110123456789", holder_name="김민지"),
    )
    assert store.get_profile("u1") is None
    assert store.commit(Change(profiles=[profile], dedupe=["profile:u1:1"])) == []
    assert store.get_profile("u1") == profile
    # the same change again: its dedupe key exists, nothing is written
    renamed = profile.model_copy(update={"name": "Samuel"})
    assert store.commit(Change(profiles=[renamed], dedupe=["profile:u1:1"])) is None
    assert store.get_profile("u1") == profile
    store.put_profile(renamed)
    assert store.get_profile("u1") == renamed


def test_eight_purchases_racing_at_a_spend_limit_never_pass_it(
    dynamodb_local: DynamoDBLocal,
) -> None:
    """A day's limit of 3,000 and eight purchases of 1,000 at once, each decided on its own
    read: exactly three count, however the requests overlap (the room left is the condition)."""
    name, _ = dynamodb_local.new_table()
    threads, start = 8, threading.Barrier(8)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    window = "KRW#D2026-06-01"

    def buy() -> None:
        store = DynamoStore(name, ManualClock(), client=dynamodb_local.client())
        start.wait()
        for _ in range(50):
            spent = store.spent("ann", [window])[window]
            if spent + 1_000 > 3_000:
                outcome = "refused on the read"
                break
            charge = SpendCharge("ann", window, 1_000, 3_000 - 1_000)
            try:
                store.commit(Change(spends=[charge], standing_read=("ann", 0)))
            except SpendShort:
                outcome = "refused by the condition"
                break
            except Conflict:  # a transaction conflict: decide again, as the services do
                continue
            outcome = "counted"
            break
        with lock:
            outcomes[outcome] += 1

    workers = [threading.Thread(target=buy) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not any(w.is_alive() for w in workers)
    assert outcomes["counted"] == 3, outcomes
    assert sum(outcomes.values()) == 8
    check = DynamoStore(name, ManualClock(), client=dynamodb_local.client())
    assert check.spent("ann", [window]) == {window: 3_000}


def test_six_accounts_of_one_person_verifying_at_once_one_is_kept(
    dynamodb_local: DynamoDBLocal,
) -> None:
    """The person's claim is written once (attribute_not_exists), with each account's standing
    in the same transaction: one account is verified, the others are refused and nothing of
    theirs is written."""
    name, _ = dynamodb_local.new_table()
    start = threading.Barrier(6)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def verify(user: str) -> None:
        store = DynamoStore(name, ManualClock(), client=dynamodb_local.client())
        standing = StandingRecord(user_id=user, version=1, person="p-kim")
        start.wait()
        for _ in range(50):
            try:
                store.commit(Change(standing=standing, person_claims=[("p-kim", user)]))
            except SamePerson:
                outcome = "refused"
                break
            except Conflict:  # a transaction conflict: try again
                continue
            outcome = "verified"
            break
        with lock:
            outcomes[outcome] += 1

    workers = [threading.Thread(target=verify, args=(f"u{i}",)) for i in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert outcomes == Counter({"verified": 1, "refused": 5}), outcomes
    check = DynamoStore(name, ManualClock(), client=dynamodb_local.client())
    holder = check.person_holder("p-kim")
    assert holder is not None
    assert [u for u in (f"u{i}" for i in range(6)) if check.get_standing(u)] == [holder]
