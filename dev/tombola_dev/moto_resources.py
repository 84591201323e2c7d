"""What template.yaml declares, created on moto: tables, secrets, event buses, SES identities,
the role, a placeholder for each function and the real state machine (the stack's wiring)."""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from typing import Any

import boto3

from tombola_dev.photo_uploads import honour_copy_conditions
from tombola_dev.template import Template, load_definition, resolve

REGION = "us-east-1"
ACCOUNT = "123456789012"


def create_resources(
    template: Template, refs: dict[str, str], attrs: dict[tuple[str, str], str]
) -> str:
    """Every resource but the event rules (``eventbridge.route_rule``), in the order
    CloudFormation would need them; ``refs`` and ``attrs`` get what ``!Ref`` and ``!GetAtt``
    resolve to. Returns the state machine's ARN."""
    stage = refs.get("Stage", "dev")
    for name, props in template.tables().items():
        table = f"tombola-{stage}-{name}"
        boto3.client("dynamodb").create_table(**create_table_request(table, props))
        refs[name] = table
    for name, res in template.of_type("AWS::SecretsManager::Secret").items():
        refs[name] = create_secret(res["Properties"], refs, attrs)
    for name, res in template.of_type("AWS::Events::EventBus").items():
        bus = resolve(res["Properties"]["Name"], refs, attrs)
        boto3.client("events").create_event_bus(Name=bus)
        refs[name] = bus
    for res in template.of_type("AWS::SES::EmailIdentity").values():
        email = resolve(res["Properties"]["EmailIdentity"], refs, attrs)
        boto3.client("ses").verify_email_identity(EmailAddress=email)
    for name, res in template.of_type("AWS::S3::Bucket").items():
        refs[name] = create_bucket(f"tombola-{stage}-{name.lower()}", res["Properties"], refs)
        attrs[(name, "Arn")] = f"arn:aws:s3:::{refs[name]}"
        attrs[(name, "RegionalDomainName")] = f"{refs[name]}.s3.{REGION}.amazonaws.com"
    for name in template.of_type("AWS::CloudFront::Distribution"):
        # not run here (the local stack serves the web client and the photos itself): a name
        # that is nobody's, for the variables that mention it
        attrs[(name, "DomainName")] = f"{name.lower()}.cloudfront.invalid"
    role = create_role()
    lam = boto3.client("lambda")
    for fn in template.functions().values():
        arn = lam.create_function(
            FunctionName=f"tombola-{fn.logical_id}",
            Runtime="python3.12",
            Role=role,
            Handler=fn.handler,
            Code={"ZipFile": placeholder_zip()},
        )["FunctionArn"]
        refs[fn.logical_id] = f"tombola-{fn.logical_id}"
        attrs[(fn.logical_id, "Arn")] = arn
    sm_name, sm_props = template.state_machine()
    subs = {
        k: resolve(v, refs, attrs) for k, v in sm_props.get("DefinitionSubstitutions", {}).items()
    }
    definition = load_definition(template, subs)
    sm_arn = str(
        boto3.client("stepfunctions").create_state_machine(
            name=f"tombola-{stage}-listing", definition=definition, roleArn=role, type="STANDARD"
        )["stateMachineArn"]
    )
    refs[sm_name] = sm_arn
    attrs[(sm_name, "Name")] = f"tombola-{stage}-listing"
    return sm_arn


def create_table_request(name: str, props: dict[str, Any]) -> dict[str, Any]:
    """CreateTable's arguments for a table's template properties (``Template.tables()``): keys,
    attributes, billing mode and GSIs with their projections (moto and DynamoDB Local alike)."""
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return kwargs


def create_bucket(bucket: str, props: dict[str, Any], refs: dict[str, str]) -> str:
    """A bucket as the template declares it: private, with its CORS and lifecycle rules (moto
    keeps the rules, it does not expire anything), and CopyObject's conditions as S3 has them."""
    honour_copy_conditions()
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    rules = props.get("CorsConfiguration", {}).get("CorsRules", [])
    if rules:
        s3.put_bucket_cors(
            Bucket=bucket,
            CORSConfiguration={"CORSRules": [_cors_rule(rule, refs) for rule in rules]},
        )
    lifecycle = props.get("LifecycleConfiguration", {}).get("Rules", [])
    if lifecycle:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={"Rules": [_lifecycle_rule(rule) for rule in lifecycle]},
        )
    return bucket


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A template's lifecycle rule (the properties it uses) as PutBucketLifecycleConfiguration
    takes it."""
    known = {"Id", "Status", "Prefix", "ExpirationInDays", "AbortIncompleteMultipartUpload"}
    unknown = set(rule) - known
    if unknown:
        raise ValueError(f"lifecycle rule properties not handled here: {sorted(unknown)}")
    out: dict[str, Any] = {"Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")}}
    if "Id" in rule:
        out["ID"] = rule["Id"]
    if "ExpirationInDays" in rule:
        out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        days = int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return out


def _cors_rule(rule: dict[str, Any], refs: dict[str, str]) -> dict[str, Any]:
    origins = rule["AllowedOrigins"]
    if isinstance(origins, dict):  # a CommaDelimitedList parameter
        origins = str(resolve(origins, refs, {})).split(",")
    out: dict[str, Any] = {"AllowedOrigins": origins, "AllowedMethods": rule["AllowedMethods"]}
    if "AllowedHeaders" in rule:
        out["AllowedHeaders"] = rule["AllowedHeaders"]
    if "MaxAge" in rule:
        out["MaxAgeSeconds"] = int(rule["MaxAge"])
    return out


def create_secret(
    props: dict[str, Any], refs: dict[str, str], attrs: dict[tuple[str, str], str]
) -> str:
    """A secret as CloudFormation would create it: its generated string under its key, its
    SecretString, or, with neither, no value at all (an empty secret)."""
    name = resolve(props["Name"], refs, attrs)
    sm = boto3.client("secretsmanager")
    if "GenerateSecretString" not in props and "SecretString" not in props:
        return str(sm.create_secret(Name=name)["ARN"])
    if "SecretString" in props:
        text = str(resolve(props["SecretString"], refs, attrs))
        return str(sm.create_secret(Name=name, SecretString=text)["ARN"])
    generate = props["GenerateSecretString"]
    value = json.loads(generate.get("SecretStringTemplate") or "{}")
    if generate.get("GenerateStringKey"):
        length = int(generate.get("PasswordLength", 32))
        value[generate["GenerateStringKey"]] = secrets.token_hex(length)[:length]
    return str(sm.create_secret(Name=name, SecretString=json.dumps(value))["ARN"])


def create_role() -> str:
    iam = boto3.client("iam")
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    return str(
        iam.create_role(RoleName="tombola-local", AssumeRolePolicyDocument=json.dumps(doc))["Role"][
            "Arn"
        ]
    )


def placeholder_zip() -> bytes:
    """A function's code as moto keeps it: never run (invokes are routed to the handlers)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()
