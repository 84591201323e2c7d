"""The local stack: the whole system on 127.0.0.1, no Docker, no AWS account.

    python -m tombola_dev.serve [--port 3000] [--moto-port 5000] [--tick-seconds N]

- moto in-process (DynamoDB, Step Functions running statemachines/ for real, EventBridge, SES,
  SNS), also served on --moto-port for the AWS CLI (`--endpoint-url`);
- the API routes of template.yaml on --port, each request turned into an API Gateway event for
  the function the template names, with the JWT authorizer stood in by locally signed tokens;
- a ticker firing the scheduled functions at the template's rates (--tick-seconds N: a minute of
  schedule lasts N seconds, so the close runs every N s, the 5-minute sweep every 5N s);
- a sandbox payment provider and carrier under /sandbox/, which send signed webhooks;
- S3's side of the listing photos: presigned upload forms posted to /sandbox/s3/<bucket>, checked
  as S3 checks them, and the photos served at /photos/* as CloudFront serves them deployed;
- notifications printed and appended to .local/notifications.log.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from moto import mock_aws
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.ses.models import ses_backends

from tombola.adapters import container
from tombola.adapters.dynamo import DynamoStore
from tombola.adapters.observability import PowertoolsTelemetry
from tombola_dev import auth
from tombola_dev.client import Client
from tombola_dev.conformance import Conformance
from tombola_dev.moto_resources import ACCOUNT, REGION
from tombola_dev.photo_uploads import PhotoRoutes
from tombola_dev.sandbox_routes import Routes, SandboxProvider
from tombola_dev.stack import MOTO_CONFIG, Stack, fake_credentials
from tombola_dev.template import ROOT, Template

# Not named "tombola…": Powertools filters records of loggers named after its service.
log = logging.getLogger("localstack")
NOTIFICATIONS_LOG = ROOT / ".local" / "notifications.log"
MAX_REQUEST_BYTES = 10 * 1024 * 1024


WEB_DIST = ROOT / "web" / "dist"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


UPLOAD = re.compile(r"^/sandbox/s3/(?P<bucket>[a-z0-9][a-z0-9.-]{1,62})$")


@dataclass(frozen=True)
class Raw:
    body: bytes
    content_type: str


@dataclass(frozen=True)
class WebClient:
    """The built web client (web/dist) at /, as CloudFront serves it deployed."""

    root: Path

    def file(self, path: str) -> Raw | None:
        name = "index.html" if path in {"", "/"} else path.lstrip("/")
        if not (path in {"", "/"} or path.startswith("/assets/")):
            return None
        target = (self.root / name).resolve()
        if self.root.resolve() not in target.parents or not target.is_file():
            return None
        return Raw(target.read_bytes(), TYPES.get(target.suffix, "application/octet-stream"))


class LocalApi:
    """Routes one HTTP request: the sandbox endpoints (the provider's and carrier's in
    sandbox_routes), the web client, or the template's API routes."""

    def __init__(self, stack: Stack, base_url: str, web: WebClient | None = None) -> None:
        self.stack = stack
        self.web = web or WebClient(WEB_DIST)
        self.photos = PhotoRoutes(stack.refs["PhotosBucket"])  # S3's and CloudFront's side
        self.self_client = Client(base_url)
        self.sandbox: Routes = [
            ("GET", re.compile(r"^/sandbox/health$"), self.health),
            ("POST", re.compile(r"^/sandbox/tokens$"), self.token),
            *SandboxProvider(stack, self._post_webhook).routes(),
            ("GET", re.compile(r"^/sandbox/notifications$"), self.notifications),
        ]

    def _post_webhook(self, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        """A sandbox webhook, sent over HTTP to this stack's own route (``self_client``)."""
        return self.self_client.call("POST", path, raw=raw, headers=headers)

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        route_path = path.split("?", 1)[0]
        upload = UPLOAD.match(route_path)
        if upload and method == "POST":  # a presigned POST form, as S3 takes it
            status, xml = self.photos.upload(upload["bucket"], headers, body)
            return status, Raw(xml, "application/xml")
        if method == "GET" and route_path.startswith("/photos/"):  # as CloudFront serves them
            status, data, kind = self.photos.photo(route_path.removeprefix("/photos/"))
            return status, Raw(data, kind)
        for m, pattern, fn in self.sandbox:
            match = pattern.match(route_path)
            if match and m == method:
                try:
                    parsed = json.loads(body) if body.strip() else {}
                except ValueError:  # not UTF-8, or not JSON
                    return 400, {"error": {"code": "invalid_body", "message": "send JSON"}}
                if not isinstance(parsed, dict):
                    return 400, {"error": {"code": "invalid_body", "message": "send an object"}}
                return fn(parsed, **match.groupdict())
        if method == "GET" and route_path == "/config.json":
            return 200, {"auth": "local"}  # the web client: same origin, the local sign-in
        static = self.web.file(route_path) if method in {"GET", "HEAD"} else None
        if static is not None:
            return 200, static
        query = dict(parse_qsl(path.split("?", 1)[1])) if "?" in path else None
        claims = auth.verify(headers.get("authorization"))
        response = self.stack.http(
            method, route_path, raw=body or None, claims=claims, headers=headers, query=query
        )
        content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
        if isinstance(response.body, str) and not content_type.startswith("application/json"):
            return response.status, Raw(response.body.encode(), content_type)  # /docs
        return response.status, response.body

    # ------------------------------------------ sandbox endpoints of the stack (not the provider's)
    def health(self, body: Any) -> tuple[int, Any]:
        return 200, {"ok": True, "state_machine": self.stack.state_machine_arn}

    def token(self, body: Any) -> tuple[int, Any]:
        """The local sign-in: a token for the user name typed (Korean names too, as
        ``auth.user_name`` keeps them), in the groups asked for."""
        typed = body.get("user")
        groups = body.get("groups") or [body.get("group", "buyer")]
        try:
            user = auth.user_name(typed if isinstance(typed, str) else "")
        except ValueError as exc:
            return 400, {"error": {"code": "invalid_input", "field": "user", "message": str(exc)}}
        try:
            return 200, {"token": auth.mint(user, [str(g) for g in groups]), "user": user}
        except ValueError as exc:
            return 400, {"error": {"code": "invalid_input", "field": "groups", "message": str(exc)}}

    def notifications(self, body: Any) -> tuple[int, Any]:
        if not NOTIFICATIONS_LOG.exists():
            return 200, []
        return 200, [json.loads(line) for line in NOTIFICATIONS_LOG.read_text().splitlines()]


def make_handler(api: LocalApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            started = time.monotonic()
            try:
                length = int(self.headers.get("content-length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_REQUEST_BYTES:  # API Gateway's own limit
                self._reply(413 if length > 0 else 400, {"error": {"code": "invalid_length"}})
                self.close_connection = True
                return
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                status, out = api.handle(self.command, self.path, headers, body)
            except Exception as exc:  # a bug: say so, keep serving
                log.exception("request failed")
                status, out = 500, {"error": {"code": "internal", "message": str(exc)}}
            self._reply(status, out)
            if not self.path.startswith("/sandbox/health"):
                ms = (time.monotonic() - started) * 1000
                log.info("%s %s %d %.0fms", self.command, self.path, status, ms)

        def _reply(self, status: int, out: Any) -> None:
            content_type = "application/json"
            if isinstance(out, Raw):
                payload, content_type = out.body, out.content_type
            elif isinstance(out, str):
                payload = out.encode()
            else:
                payload = json.dumps(out).encode()
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def __getattr__(self, name: str) -> Any:
            # Every method reaches the router, as at API Gateway (an unknown one answers 404).
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            return  # one line per request is logged by _serve

    return Handler


# How often the log of listing status transitions looks (a scan of every listing).
TRANSITIONS_EVERY = 5.0


class Background:
    """The ticker, the event pump, and the watcher that logs listing status transitions."""

    def __init__(self, stack: Stack, tick_override: int | None) -> None:
        self.stack = stack
        self.tick_override = tick_override
        self.last_run: dict[str, float] = {}
        self.stop = threading.Event()
        self.statuses: dict[str, str] = {}
        self.sent_seen = 0
        self.transitions_seen_at = 0.0
        self.invocations_seen = -1  # the stack's invocation count when the schedules last ran
        self.transitions_checked = -1  # … and when the status log last looked

    def start(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._loop, args=(1, self.tick), daemon=True),
            threading.Thread(target=self._loop, args=(0.5, self.pump), daemon=True),
        ]
        for t in threads:
            t.start()
        return threads

    def _loop(self, every: float, fn: Callable[[], None]) -> None:
        while not self.stop.wait(every):
            try:
                fn()
            except Exception:
                log.exception("background task failed")

    def tick(self) -> None:
        """Fire each schedule when its rate has passed since its last run (with --tick-seconds,
        its rate in minutes times N seconds: each schedule runs as often as the others, relative
        to them, as deployed). A stack where nothing was invoked since the schedules last ran
        (no request, no timer, no event) keeps the template's own rates: every query moto
        answers scans the whole table, and idle test stacks that ran each schedule every
        second took most of a core from the tests beside them."""
        now = time.monotonic()
        busy = self.stack.invocation_count != self.invocations_seen
        due = {
            fn
            for fn, rate in self.stack.template.schedules()
            if now - self.last_run.get(fn, now - 10**9) >= (self.period(rate) if busy else rate)
        }
        if not due:
            return
        self.last_run.update(dict.fromkeys(due, now))
        results = self.stack.run_schedules(due)
        self.invocations_seen = self.stack.invocation_count
        for result in results:
            if result.get("closed"):
                log.info("schedule closed %s", ", ".join(result["closed"]))
            if result.get("resumed"):
                log.info("sweep resumed %s", ", ".join(result["resumed"]))

    def period(self, rate: float) -> float:
        return rate if self.tick_override is None else self.tick_override * rate / 60

    def pump(self) -> None:
        self.stack.deliver_events()
        self._log_notifications()
        count = self.stack.invocation_count
        if (
            count != self.transitions_checked
            and time.monotonic() - self.transitions_seen_at >= TRANSITIONS_EVERY
        ):
            self._log_transitions()
            self.transitions_seen_at, self.transitions_checked = time.monotonic(), count

    def _log_transitions(self) -> None:
        store = container.deps().store
        assert isinstance(store, DynamoStore)
        for listing in store.every_listing():
            before = self.statuses.get(listing.listing_id)
            now = listing.status.value
            if before != now:
                self.statuses[listing.listing_id] = now
                log.info("listing %s %s -> %s", listing.listing_id, before or "new", now)

    def _log_notifications(self) -> None:
        sent = ses_backends[ACCOUNT][REGION].sent_messages
        NOTIFICATIONS_LOG.parent.mkdir(exist_ok=True)
        with NOTIFICATIONS_LOG.open("a") as out:
            for message in sent[self.sent_seen :]:
                record = {
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "to": message.destinations["ToAddresses"],
                    "subject": message.subject,
                    "body": message.body,
                }
                out.write(json.dumps(record) + "\n")
                log.info("notify %s: %s", ", ".join(record["to"]), message.subject)
        self.sent_seen = len(sent)


# Locally a person walks a listing through in minutes, so sellers may choose waits of seconds;
# everything else is the template's defaults (--param overrides either).
LOCAL_PARAMETERS = {
    f"{name}SecondsMin": "1"
    for name in ("SecondPayment", "Ship", "Delivery", "Confirm", "Resolution")
}


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    p.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5000")))
    p.add_argument(
        "--tick-seconds",
        type=int,
        default=int(os.environ["TICK_SECONDS"]) if os.environ.get("TICK_SECONDS") else None,
        help="a minute of schedule lasts this many seconds (the close runs this often)",
    )
    p.add_argument(
        "--check-contract",
        action="store_true",
        help="check every API response against functions/openapi/openapi.json (the tests do)",
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a template parameter, e.g. --param SecondPaymentSeconds=30",
    )
    args = p.parse_args(argv)
    try:
        args.parameters = LOCAL_PARAMETERS | overrides(args.param, Template.load().parameters)
    except ValueError as err:
        p.error(str(err))  # exits 2 with the usage
    return args


def overrides(given: list[str], known: Iterable[str]) -> dict[str, str]:
    """``--param NAME=VALUE`` as a dict; a name template.yaml's Parameters do not have (a typo
    that would otherwise change nothing, silently) is refused, naming the ones it has."""
    names = sorted(known)
    out: dict[str, str] = {}
    for pair in given:
        name, eq, value = pair.partition("=")
        if not eq or not name.strip():
            raise ValueError(
                f"--param {pair!r}: write it as NAME=VALUE, e.g. SecondPaymentSeconds=30"
            )
        if name.strip() not in names:
            raise ValueError(
                f"--param {name.strip()}: template.yaml has no such parameter; "
                f"it has {', '.join(names)}"
            )
        out[name.strip()] = value
    return out


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers will
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    for name, port in (("PORT", args.port), ("MOTO_PORT", args.moto_port)):
        if not port_free(args.host, port):
            print(f"port {port} is in use: stop what uses it or set {name}", file=sys.stderr)
            return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    fake_credentials()
    os.environ["MOTO_PORT"] = str(args.moto_port)
    started = time.monotonic()
    with mock_aws(config=MOTO_CONFIG):
        stack = Stack(parameters=args.parameters, keep_invocations=False).create()
        if args.check_contract:
            stack.conformance = Conformance.load()
        os.environ["POWERTOOLS_LOG_LEVEL"] = os.environ.get("LOCAL_LOG_LEVEL", "WARNING")
        container.reset()
        with stack.lambda_routing():
            moto_server = ThreadedMotoServer(
                ip_address=args.host, port=args.moto_port, verbose=False
            )
            moto_server.start()
            base = f"http://{args.host}:{args.port}"
            container.override(
                checkout_url=f"{base}/#/checkout/",  # the web client's checkout page
                identity_url=f"{base}/#/verify/",  # its sandbox identity verification page
                # photos: uploaded to and served by this stack (photo_uploads.py)
                photo_base_url=base,
                photo_upload_url=f"{base}/sandbox/s3/{stack.refs['PhotosBucket']}",
                telemetry=PowertoolsTelemetry(emit_metrics=False),
            )
            NOTIFICATIONS_LOG.unlink(missing_ok=True)  # each run's log starts fresh
            server = ThreadingHTTPServer(
                (args.host, args.port), make_handler(LocalApi(stack, base))
            )
            server.daemon_threads = True
            background = Background(stack, args.tick_seconds)
            background.start()
            signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
            log.info(
                "Tombola local stack ready in %.1fs: API %s  (AWS CLI: --endpoint-url http://%s:%d)"
                "  schedules: %s",
                time.monotonic() - started,
                base,
                args.host,
                args.moto_port,
                ", ".join(
                    f"{fn} every {background.period(rate):g}s"
                    for fn, rate in stack.template.schedules()
                ),
            )
            log.info("routes: %s", ", ".join(f"{r.method} {r.path}" for r in stack.routes))
            log.info(
                "webhook signing secrets (the sandbox provider signs with the first, the carrier "
                "with the second): aws --endpoint-url http://%s:%d secretsmanager "
                "get-secret-value --secret-id %s (and %s)",
                args.host,
                args.moto_port,
                stack.refs["WebhookSigningSecret"],
                stack.refs["CarrierSigningSecret"],
            )
            try:
                server.serve_forever(poll_interval=0.2)
            except KeyboardInterrupt:
                log.info("stopping")
            finally:
                background.stop.set()
                server.server_close()
                moto_server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
