"""Shared plumbing for the vendor API clients: one retry policy, and keeping keys out of text.

`RetryPolicy` is the retry policy of every API client (GA4, Search Console, Ahrefs, Semrush and
the alert webhook), built on tenacity with dlt's `wait_exponential_retry_after` as the model:
what a client's `classify` calls transient (dropped or reset connections, timeouts, 429 and 5xx
whatever the body says) is retried, waiting what the server asked for (`Retry-After` in seconds
or as an HTTP date, or Google's RetryInfo `retryDelay`) or else 1, 2, 4, ... seconds, each wait
capped; it gives up after `max_attempts`, or before a wait would take the call past
`max_elapsed` seconds (attempts and waits together). Every retry is logged with what it concerns
(`Search Console acme.com 2026-11-03 page 2: HTTP 429 (attempt 2/6); retrying in 4.0s`).

`request_with_retries` applies it to one httpx request. Some vendors (Semrush) put the API key in
the query string, so every URL and error text that reaches a log line or an exception goes
through `redact_url` / `redact_text` first.
"""

from __future__ import annotations

import dataclasses
import email.utils
import logging
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import tenacity

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_WAIT = 60.0
SECRET_PARAMS = frozenset({"key", "api_key", "apikey", "token", "access_token", "client_secret"})
REDACTED = "REDACTED"
_SECRET_IN_TEXT = re.compile(
    r"(?i)\b(" + "|".join(sorted(SECRET_PARAMS, key=len, reverse=True)) + r")=[^&\s'\"),]+"
)


# keeping secrets out of text ----------------------------------------------------------------
def redact_url(url: httpx.URL | str) -> str:
    """`url` with the values of credential-bearing query parameters replaced by `REDACTED`."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = [
        (name, REDACTED if name.lower() in SECRET_PARAMS else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe=",:")))


def redact_text(text: str, secrets: Collection[str]) -> str:
    """`text` with every occurrence of each (non-empty) secret replaced by `REDACTED`, and any
    credential query parameter (`key=...`) written in it too: transport errors quote the URL."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _SECRET_IN_TEXT.sub(lambda match: f"{match.group(1)}={REDACTED}", text)


def describe_error(error: BaseException, secrets: Collection[str] = ()) -> str:
    """`ReadTimeout: timed out`: the exception's type and (redacted, shortened) message."""
    text = redact_text(str(error), secrets).strip()
    name = type(error).__name__
    return f"{name}: {text[:300]}" if text else name


# how long the server asked us to wait -----------------------------------------------------------
def parse_retry_after(value: str | None) -> float | None:
    """A `Retry-After` value in seconds: delta-seconds, or an HTTP date (0 when it has passed)."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def google_retry_delay(details: Any) -> float | None:
    """The delay of a google.rpc.RetryInfo among an error's `details`: JSON (`"retryDelay":
    "4.5s"`) or the protobuf message a gRPC error carries."""
    if not isinstance(details, list | tuple):
        return None
    for detail in details:
        if isinstance(detail, dict):
            delay = detail.get("retryDelay")
            if isinstance(delay, str) and re.fullmatch(r"\d+(\.\d+)?s", delay.strip()):
                return float(delay.strip()[:-1])
        elif hasattr(detail, "retry_delay"):
            duration = detail.retry_delay
            return duration.seconds + duration.nanos / 1e9
    return None


def retry_after_seconds(response: Any) -> float | None:
    """The wait a response asks for: its `Retry-After` header, else a Google JSON error's
    RetryInfo. Works on httpx and requests responses alike."""
    asked = parse_retry_after(response.headers.get("Retry-After"))
    if asked is not None:
        return asked
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    return google_retry_delay(error.get("details")) if isinstance(error, dict) else None


# the policy -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transient:
    """Why an attempt failed in a way that trying again may fix, and the wait the server asked
    for (None: back off exponentially)."""

    reason: str
    retry_after: float | None = None


# (the exception an attempt raised, or None; what it returned) -> Transient, or None when
# trying again would not help (success, or an error such as 403 that stays an error).
Classify = Callable[[BaseException | None, Any], Transient | None]


@dataclass(frozen=True)
class RetryPolicy:
    """How every API client retries: at most `max_attempts` attempts, and no wait that would take
    one call past `max_elapsed` seconds (time spent in attempts plus waits); waits are what the
    server asked for or `initial_wait` doubled per attempt, each at most `max_wait`. `sleep` is
    injectable so tests never wait. Per-request timeouts are the clients' (a stalled response
    ends in a read timeout, which is transient)."""

    max_attempts: int = 6
    max_elapsed: float = 600.0
    initial_wait: float = 1.0
    max_wait: float = MAX_RETRY_WAIT
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_elapsed <= 0 or self.initial_wait < 0 or self.max_wait < 0:
            raise ValueError("max_elapsed must be positive, initial_wait and max_wait not negative")

    def but(
        self, *, max_attempts: int | None = None, sleep: Callable[[float], None] | None = None
    ) -> RetryPolicy:
        """This policy with the clients' shorthand arguments applied (None keeps a field)."""
        changes: dict[str, Any] = {}
        if max_attempts is not None:
            changes["max_attempts"] = max_attempts
        if sleep is not None:
            changes["sleep"] = sleep
        return dataclasses.replace(self, **changes) if changes else self

    def call(
        self,
        attempt: Callable[[], T],
        *,
        what: str,
        classify: Classify,
        secrets: Collection[str] = (),
    ) -> T:
        """`attempt()` until it succeeds, fails for good, or the policy gives up.

        Gives up by raising the last exception, or by returning the last result when that was
        the transient one (an HTTP 503 response: the caller reports it with the API's message).
        `what` names the request in log lines (the day, page or target it concerns); it must not
        hold a secret, and error texts are redacted of `secrets` and credential parameters.
        """
        spent = 0.0
        judged: dict[int, Transient | None] = {}

        def timed() -> T:
            nonlocal spent
            started = time.monotonic()
            try:
                return attempt()
            finally:
                spent += time.monotonic() - started

        def transient(state: tenacity.RetryCallState) -> Transient | None:
            number = state.attempt_number
            if number not in judged:
                outcome = state.outcome
                assert outcome is not None
                if outcome.failed:
                    judged[number] = classify(outcome.exception(), None)
                else:
                    judged[number] = classify(None, outcome.result())
            return judged[number]

        def reason(state: tenacity.RetryCallState) -> str:
            found = transient(state)
            return redact_text(found.reason, secrets) if found else "failed"

        def wait(state: tenacity.RetryCallState) -> float:
            found = transient(state)
            asked = found.retry_after if found else None
            backoff = self.initial_wait * 2.0 ** (state.attempt_number - 1)
            return min(self.max_wait, max(0.0, backoff if asked is None else asked))

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts:
                return True
            return spent + state.idle_for + state.upcoming_sleep > self.max_elapsed

        def before_sleep(state: tenacity.RetryCallState) -> None:
            log.warning(
                "%s: %s (attempt %d/%d); retrying in %.1fs",
                what,
                reason(state),
                state.attempt_number,
                self.max_attempts,
                state.upcoming_sleep,
            )

        def give_up(state: tenacity.RetryCallState) -> Any:
            why = f"giving up after {state.attempt_number} attempt(s)"
            if state.attempt_number < self.max_attempts:
                why += (
                    f": waiting {state.upcoming_sleep:.1f}s more would pass the "
                    f"{self.max_elapsed:.0f}s limit"
                )
            log.error("%s: %s; %s", what, reason(state), why)
            outcome = state.outcome
            assert outcome is not None
            if outcome.failed:
                raise outcome.exception()
            return outcome.result()

        retrying = tenacity.Retrying(
            retry=lambda state: transient(state) is not None,
            wait=wait,
            stop=stop,
            sleep=self.sleep,
            before_sleep=before_sleep,
            retry_error_callback=give_up,
        )
        return retrying(timed)


DEFAULT_POLICY = RetryPolicy()


# httpx ------------------------------------------------------------------------------------------
def httpx_classifier(retry_statuses: Collection[int] = RETRY_STATUSES) -> Classify:
    """Transient for httpx: a transport error (refused, reset, timed out, cut short), or a
    response whose status is in `retry_statuses`, whatever its body."""

    def classify(error: BaseException | None, response: Any) -> Transient | None:
        if error is not None:
            # A URL without http(s) is a configuration error: no attempt can fix it.
            if isinstance(error, httpx.TransportError) and not isinstance(
                error, httpx.UnsupportedProtocol
            ):
                return Transient(describe_error(error))
            return None
        if response.status_code in retry_statuses:
            return Transient(f"HTTP {response.status_code}", retry_after_seconds(response))
        return None

    return classify


def request_with_retries(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    what: str | None = None,
    retry_statuses: Collection[int] = RETRY_STATUSES,
    secrets: Collection[str] = (),
) -> httpx.Response:
    """Send the request under `policy`, retrying transport errors and `retry_statuses`.

    Returns the first response whose status is not retried, or the last response once the
    policy gives up (callers report it, normally with `raise_for_status`); a transport error on
    the last attempt is raised. `what` (default: the method and redacted URL) names the request
    in log lines; `secrets` (e.g. a webhook token in the path) are redacted there too.
    """
    label = what or redact_text(f"{method} {redact_url(url)}", secrets)
    return policy.call(
        lambda: client.request(method, url, params=params, json=json),
        what=label,
        classify=httpx_classifier(retry_statuses),
        secrets=secrets,
    )


def raise_for_status(response: httpx.Response, detail: str | None = None) -> httpx.Response:
    """`response.raise_for_status()`, with the URL redacted and the API's own message appended."""
    try:
        return response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        message = (
            f"HTTP {response.status_code} {response.reason_phrase} for "
            f"{response.request.method} {redact_url(response.request.url)}"
        )
        if detail:
            message += f": {detail}"
        raise httpx.HTTPStatusError(message, request=exc.request, response=response) from None


class _RedactUrls(logging.Filter):
    """Redacts httpx's own request log line (`HTTP Request: GET <url> ...`), which would
    otherwise print a query-string key at INFO level."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                redact_url(a) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


def _install_httpx_log_filter() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactUrls) for f in httpx_log.filters):
        httpx_log.addFilter(_RedactUrls())


_install_httpx_log_filter()


class ApiClient:
    """One httpx connection to an API: base URL, explicit timeout (connect, read, write: a
    stalled response ends in a read timeout, which the policy retries) and fixed headers or
    auth set once; counts the requests it sends (retries included) in `requests`.

    `retry` is the policy (default: `DEFAULT_POLICY`); `max_attempts` and `sleep`, when given,
    override its fields, as a shorthand for tests and callers that only change those.
    """

    default_base_url = ""

    def __init__(
        self,
        base_url: str | None,
        *,
        timeout: float,
        retry: RetryPolicy | None = None,
        max_attempts: int | None = None,
        sleep: Callable[[float], None] | None = None,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.retry = (retry or DEFAULT_POLICY).but(max_attempts=max_attempts, sleep=sleep)
        self.requests = 0
        self._http = httpx.Client(
            base_url=(base_url or self.default_base_url).rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers=headers or {},
            auth=auth,
            event_hooks={"request": [self._count_request]},
        )

    def _count_request(self, request: httpx.Request) -> None:
        self.requests += 1

    def _send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        secrets: Collection[str] = (),
    ) -> httpx.Response:
        return request_with_retries(
            self._http,
            method,
            path,
            params=params,
            json=json,
            policy=self.retry,
            what=what,
            secrets=secrets,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self._http.base_url)!r})"
