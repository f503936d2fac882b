"""The Web API client: every call goes to SLACK_API_URL, with slack_sdk's retry handlers.

A retry resends the request. That is harmless for a read, but a post, an upload or a new
channel whose answer was lost (a dropped connection, a 5xx after Slack did the work) would be
made twice, so slack_sdk's connection-error and server-error handlers are told to leave those
methods alone: the outbox looks such a post up in Slack before it ever sends it again. A 429
means Slack did nothing, so it is retried for every method, after the Retry-After Slack asked.
"""

from __future__ import annotations

from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

TIMEOUT_SECONDS = 10
RATE_LIMIT_RETRIES = 3

NOT_SAFE_TO_RESEND = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.meMessage",
        "chat.scheduleMessage",
        "conversations.create",
        "files.completeUploadExternal",
    }
)
"""Web API methods that, called again, make a second message, channel or file."""


def method_of(url: str) -> str:
    """The Web API method a request URL calls: ``…/api/chat.postMessage?x=1`` → ``chat.postMessage``."""
    return urlsplit(url).path.rsplit("/", 1)[-1]


def resending_is_unsafe(method: str) -> bool:
    return method in NOT_SAFE_TO_RESEND or method.startswith("files.upload")


def never_sent(error: BaseException | None) -> bool:
    """Whether the request cannot have reached Slack whole: urllib raises a bare ``URLError``
    only while connecting or writing it. An error while reading the answer (``RemoteDisconnected``,
    a reset, a read timeout) may come after Slack did the work; ``HTTPError`` is an answer."""
    return isinstance(error, URLError) and not isinstance(error, HTTPError)


class NoDuplicateConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """slack_sdk's connection-error retries, except for a call that may have reached Slack and
    would post twice if sent again."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if resending_is_unsafe(method_of(request.url)) and not never_sent(error):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class NoDuplicateServerErrorRetryHandler(ServerErrorRetryHandler):
    """slack_sdk's 5xx retries, except for a call that would post twice: Slack may have done the
    work before it answered 500 or 503."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if resending_is_unsafe(method_of(request.url)):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def retry_handlers(*, rate_limit_retries: int = RATE_LIMIT_RETRIES) -> list[RetryHandler]:
    """Connection errors and 5xx are retried for what is safe to send twice; 429 (honouring
    Retry-After) for everything. Nothing hand-made."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return [
        NoDuplicateConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        NoDuplicateServerErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
    ]


def build_client(
    token: str | None, base_url: str, *, timeout: int = TIMEOUT_SECONDS, rate_limit_retries: int = RATE_LIMIT_RETRIES
) -> WebClient:
    handlers = retry_handlers(rate_limit_retries=rate_limit_retries)
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=handlers)


def name_and_zone(client: WebClient, user_id: str) -> tuple[str | None, str | None]:
    """users.info → (display name, IANA timezone): what the people cache keeps."""
    user: dict[str, Any] = client.users_info(user=user_id)["user"]
    return user.get("real_name") or user.get("name"), user.get("tz")
