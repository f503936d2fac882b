"""Who the bot is in its one workspace (single-token install), without asking Slack per request.

Bolt's own single-workspace authorization asks ``auth.test`` when the app is built or on the
first request: with the Web API unreachable, the server would not boot, or would answer every
command and event with a 500. Here the team id, bot user id and bot id are learned from
``auth.test`` once, kept in the database (storage/workspace_identity.py) and in the process,
and read from there by :meth:`KnownIdentity.authorize`. When nothing is known yet, a request is
authorized from its own (signed) team id and ``authorizations`` (the bot user id Bolt needs to
skip the bot's own messages), and ``auth.test`` is asked off the request path, on the
after-answer pool, at most once a minute; the clock asks it too (bot/jobs/identity.py).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy.exc import SQLAlchemyError

from bot.core.identity import Identity
from bot.services import workspace_identity as repo
from bot.slack.deps import Deps

log = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(hours=6)
"""How old a learned identity may get before ``auth.test`` is asked again (after an answer)."""
RETRY_AFTER = timedelta(minutes=1)
"""How long after a failed (or started) attempt the next one may start."""


def token_key(token: str) -> str:
    """The key the identity is stored under: a digest of the token, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class KnownIdentity:
    """The workspace identity of one bot token, shared by every request of the process."""

    def __init__(self, deps: Deps, client: WebClient, token: str, *, pool: Executor | None = None) -> None:
        self._deps = deps
        self._client = client
        self._token = token
        self._key = token_key(token)
        self._pool = pool
        self._lock = threading.Lock()
        self._known: Identity | None = None
        self._read_at: datetime | None = None
        self._tried_at: datetime | None = None
        self._in_flight = False

    @property
    def token(self) -> str:
        return self._token

    def current(self) -> Identity | None:
        """What is known, from memory; the database is read again at most once a minute while
        nothing is (another process may have learned it)."""
        now = self._deps.clock()
        with self._lock:
            if self._known is not None and self._known.learned_at is not None:
                return self._known
            if self._read_at is not None and now - self._read_at < RETRY_AFTER:
                return self._known
            self._read_at = now
        try:
            stored = repo.known(self._deps.sessions, self._key)
        except SQLAlchemyError:
            log.warning("could not read the stored workspace identity", exc_info=True)
            return self._known
        with self._lock:
            if stored is not None:
                self._known = stored
            return self._known

    def team_id(self) -> str | None:
        known = self.current()
        return known.team_id if known else None

    def authorize(
        self, enterprise_id: str | None, team_id: str | None, slack_authorizations: Any = None
    ) -> AuthorizeResult:
        """Bolt's ``authorize``: never calls Slack."""
        known = self.current()
        if known is None or known.learned_at is None:
            bot_user = _bot_user_of(slack_authorizations)
            if known is None and team_id:
                known = self._keep_team(team_id, enterprise_id, bot_user)
            self.refresh_later()
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id or (known.team_id if known else None),
                bot_token=self._token,
                bot_user_id=(known.bot_user_id if known else None) or bot_user,
                bot_id=known.bot_id if known else None,
            )
        if known.learned_at < self._deps.clock() - REFRESH_EVERY:
            self.refresh_later()
        return AuthorizeResult(
            enterprise_id=known.enterprise_id or enterprise_id,
            team_id=known.team_id,
            bot_token=self._token,
            bot_user_id=known.bot_user_id,
            bot_id=known.bot_id,
        )

    def bolt_authorize(self) -> Callable[..., AuthorizeResult]:
        """:meth:`authorize` as a plain function (Bolt passes arguments by their names)."""

        def authorize(
            enterprise_id: str | None, team_id: str | None, slack_authorizations: Any = None
        ) -> AuthorizeResult:
            return self.authorize(enterprise_id, team_id, slack_authorizations)

        return authorize

    def _keep_team(self, team_id: str, enterprise_id: str | None, bot_user: str | None) -> Identity:
        """Take a signed request's team as known now, and store it on the pool (once)."""
        with self._lock:
            if self._known is not None:
                return self._known
            self._known = Identity(team_id, enterprise_id, bot_user, None, None)
        if self._pool is not None:
            self._pool.submit(self._store_team, team_id, enterprise_id)
        return self._known

    def _store_team(self, team_id: str, enterprise_id: str | None) -> None:
        try:
            repo.remember_team(
                self._deps.sessions,
                token_key=self._key,
                team_id=team_id,
                enterprise_id=enterprise_id,
                now=self._deps.clock(),
            )
        except SQLAlchemyError:
            log.warning("could not keep the workspace's team id", exc_info=True)
            with self._lock:
                if self._known is not None and self._known.learned_at is None:
                    self._known = None  # the next request tries again

    def refresh_later(self) -> None:
        """Learn the identity on the pool (not in the caller's path), unless an attempt is in
        flight or started less than a minute ago."""
        if self._pool is None or not self._claim_attempt():
            return
        self._pool.submit(self._learn_claimed)

    def learn(self, *, client: WebClient | None = None) -> Identity | None:
        """Ask ``auth.test`` now (the clock, the server's start) and keep the answer; None when
        Slack cannot be reached."""
        with self._lock:
            self._in_flight = True
            self._tried_at = self._deps.clock()
        return self._learn_claimed(client)

    def _claim_attempt(self) -> bool:
        now = self._deps.clock()
        with self._lock:
            if self._in_flight or (self._tried_at is not None and now - self._tried_at < RETRY_AFTER):
                return False
            self._in_flight, self._tried_at = True, now
            return True

    def _learn_claimed(self, client: WebClient | None = None) -> Identity | None:
        try:
            try:
                answer = (client or self._client).auth_test(token=self._token)
            except (SlackClientError, OSError) as error:
                log.warning("could not learn the workspace identity from Slack yet: %s", error.__class__.__name__)
                with self._lock:
                    self._read_at = None
                return None
            learned = Identity(
                team_id=str(answer["team_id"]),
                enterprise_id=answer.get("enterprise_id") or None,
                bot_user_id=answer.get("user_id") or None,
                bot_id=answer.get("bot_id") or None,
                learned_at=self._deps.clock(),
            )
            repo.remember_identity(self._deps.sessions, token_key=self._key, identity=learned, now=self._deps.clock())
            with self._lock:
                self._known = learned
            log.info("learned the workspace identity: team %s, bot user %s", learned.team_id, learned.bot_user_id)
            return learned
        except Exception:
            log.exception("could not keep the workspace identity")
            return None
        finally:
            with self._lock:
                self._in_flight = False


def _bot_user_of(authorizations: Any) -> str | None:
    """The bot user id an Events API payload names in ``authorizations`` (signed by Slack)."""
    if not isinstance(authorizations, Sequence) or not authorizations:
        return None
    first = authorizations[0]
    if isinstance(first, dict) and first.get("is_bot") and first.get("user_id"):
        return str(first["user_id"])
    return None


def keep_authorizations(body: dict[str, Any], context: dict[str, Any], next: Callable[[], Any]) -> Any:  # noqa: A002
    """Bolt ``before_authorize`` middleware: hand the payload's ``authorizations`` to authorize."""
    context["slack_authorizations"] = body.get("authorizations")
    return next()
