"""Secrets from AWS Secrets Manager through Powertools parameters, cached for a few minutes so a
rotation reaches every warm Lambda soon without a call per request."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities import parameters

CACHE_SECONDS = 300


class SecretsManagerSecrets:
    def json(self, arn: str) -> dict[str, str]:
        if not arn:
            raise RuntimeError("no secret is configured for this function")
        value: Any = parameters.get_secret(arn, transform="json", max_age=CACHE_SECONDS)
        if not isinstance(value, dict):
            raise RuntimeError(f"secret {arn} is not a JSON object")
        return {str(k): str(v) for k, v in value.items()}
