"""The Flask application behind ``/ui/``: one app per web process, mounted by bot/web.py.

Flask (with Werkzeug) gives the routing, the signed session cookie and a test client, and it
renders with the Jinja2 the project already uses; hand-written routing and cookie signing
would be more code to get wrong.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from bot.core.pages import IncidentFilter
from bot.core.updates import parse_update_every
from bot.services import channel_access, draft_pages, page_curation, page_figures, pages, web_sessions
from bot.services.errors import UserFacingError
from bot.services.people import names_of
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.signin import ChannelLists, SignInFailed, SlackSignIn, channel_lists
from bot.ui import security, views
from bot.ui.charts import cadence_chart, charts_of
from bot.ui.refresher import AccessRefresher

SESSION_HOURS = int(web_sessions.LIFETIME.total_seconds() // 3600)


@dataclass(frozen=True)
class UiDeps:
    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    signin: SlackSignIn | None
    lists_for: Callable[[str], ChannelLists | None]


def build_ui(deps: Deps) -> Flask:
    """The pages as production runs them: Sign in with Slack when the client id and secret
    are set (without them every page says what is missing)."""
    settings = deps.settings
    signin = None
    if settings.slack_client_id and settings.slack_client_secret:
        signin = SlackSignIn(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            api_url=settings.slack_api_url,
        )
    return create_ui(UiDeps(settings, deps.sessions, deps.clock, signin, channel_lists(deps)))


def create_ui(deps: UiDeps) -> Flask:
    app = Flask(__name__, static_url_path="/ui/static")
    secret = deps.settings.session_secret
    app.config.update(
        SECRET_KEY=secret or secrets.token_hex(32),
        SESSION_COOKIE_NAME="scribe_session",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH="/ui/",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=False,  # the cookie's lifetime runs from sign-in, not from the last page
        MAX_CONTENT_LENGTH=64_000,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.jinja_env.autoescape = True
    views.register_filters(app)
    ready = bool(secret and deps.signin)

    def _refresh(team: str, user: str) -> None:
        channel_access.refresh(deps.sessions, team_id=team, user_id=user, lists_for=deps.lists_for, now=deps.clock)

    refresher = AccessRefresher(_refresh)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.update(security.HEADERS)
        mermaid = request.endpoint == "drafts"
        response.headers["Content-Security-Policy"] = (
            security.MERMAID_POLICY if mermaid else security.CONTENT_SECURITY_POLICY
        )
        if not request.path.startswith("/ui/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.before_request
    def _guard() -> Response | None:
        if request.path.startswith("/ui/static/"):
            return None
        if not ready:
            return _plain(
                503,
                "Sign in with Slack is not set up: set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SCRIBE_SESSION_SECRET.",
            )
        if request.method == "POST" and not security.csrf_ok(session, request.form.get(security.CSRF_FIELD)):
            return _plain(403, "This form has expired or did not come from this site; reload the page and try again.")
        return None

    @app.context_processor
    def _context() -> dict[str, Any]:
        return {"csrf_token": lambda: security.csrf_token(session), "me": session.get("name")}

    def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
        """The session's row decides who is signed in (a cookie whose session ended or expired
        is nobody's); what they may read comes from the database, and Slack is asked again on
        the pages' own pool when it is stale. While nothing recent enough is known, the page
        says so instead of showing anything."""

        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            now = deps.clock()
            with deps.sessions() as db:
                who = web_sessions.current(db, session.get("sid"), now)
                access = None
                if who is not None:
                    access = channel_access.access_of(db, team_id=who.team_id, user_id=who.user_id, now=now)
            if who is None or access is None or access.deleted:
                session.clear()
                return redirect(url_for("login", next=request.full_path.rstrip("?")))
            g.team, g.user = who.team_id, who.user_id
            if access.stale:
                refresher.request(who.team_id, who.user_id)
            if not access.ready:
                return render_template("refreshing.html")
            return view(*args, **kwargs)

        return wrapper

    @app.get("/ui/")
    @app.get("/ui")
    def home() -> Response:
        return redirect(url_for("incidents"))

    @app.get("/ui/login")
    def login() -> str:
        return render_template("login.html", next=_safe_next(request.args.get("next")), problem=None)

    @app.get("/ui/login/slack")
    def login_slack() -> Response:
        assert deps.signin is not None
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        session["signin"] = {"state": state, "nonce": nonce, "next": _safe_next(request.args.get("next"))}
        url = deps.signin.authorize_url(redirect_uri=_callback_url(), state=state, nonce=nonce)
        return redirect(url)

    @app.get("/ui/login/callback")
    def callback() -> Any:
        assert deps.signin is not None
        started = session.pop("signin", None)
        if request.args.get("error"):
            return _login_problem("Slack did not sign you in (you may have cancelled). Try again.")
        if not isinstance(started, dict) or not secrets.compare_digest(
            str(started.get("state")), request.args.get("state", "")
        ):
            return _login_problem("That sign-in link was not started here or has expired. Start again.")
        try:
            who = deps.signin.identify(code=request.args.get("code", ""), redirect_uri=_callback_url())
        except SignInFailed as error:
            return _login_problem(f"{error}. Start again.")
        if who.nonce != started.get("nonce"):
            return _login_problem("Slack's answer was not for this sign-in. Start again.")
        with deps.sessions.begin() as db:
            token = web_sessions.start(db, team_id=who.team_id, user_id=who.user_id, now=deps.clock())
        session.clear()
        session.permanent = True
        session.update({"sid": token, "name": who.name or who.user_id})
        refresher.request(who.team_id, who.user_id)  # on the pages' own pool: this answer does not wait
        return redirect(started.get("next") or url_for("incidents"))

    def _callback_url() -> str:
        """Where Slack sends the person back: under SCRIBE_PUBLIC_URL when it is set (behind a
        proxy the request's own host may not be the public one), else this request's host."""
        public = deps.settings.public_url
        if public:
            return public.rstrip("/") + url_for("callback")
        return url_for("callback", _external=True)

    def _login_problem(problem: str) -> tuple[str, int]:
        return render_template("login.html", next=None, problem=problem), 400

    @app.post("/ui/logout")
    def logout() -> Response:
        with deps.sessions.begin() as db:
            web_sessions.end(db, session.get("sid"), deps.clock())
        session.clear()
        return redirect(url_for("login"))

    @app.get("/ui/incidents")
    @signed_in
    def incidents() -> str:
        where = IncidentFilter(
            status=request.args.get("status") or None,
            severity=request.args.get("severity") or None,
            service=request.args.get("service") or None,
            text=(request.args.get("q") or "").strip()[:200] or None,
        )
        page = request.args.get("page", "1")
        if not page.isdigit():
            abort(400, "The page number must be a whole number.")
        with deps.sessions() as db:
            listing = pages.list_incidents(db, team_id=g.team, user_id=g.user, where=where, page=int(page))
        return render_template("incidents.html", listing=listing, where=where, args=request.args)

    @app.get("/ui/incidents/<int:incident_id>")
    @signed_in
    def incident(incident_id: int) -> str:
        view = request.args.get("view", "all")
        with deps.sessions() as db:
            shown = _or_error(
                lambda: pages.incident_page(
                    db,
                    team_id=g.team,
                    user_id=g.user,
                    incident_id=incident_id,
                    view=view,
                    after=request.args.get("after"),
                )
            )
            names = views.names_on(db, g.team, shown)
        return render_template("incident.html", page=shown, names=names, after=request.args.get("after"))

    @app.get("/ui/incidents/<int:incident_id>/drafts")
    @signed_in
    def drafts(incident_id: int) -> str:
        version, against = _number("v"), _number("against")
        with deps.sessions() as db:
            shown = _or_error(
                lambda: draft_pages.draft_page(
                    db, team_id=g.team, user_id=g.user, incident_id=incident_id, version=version, against=against
                )
            )
        return render_template("draft.html", page=shown)

    @app.get("/ui/follow-up")
    @signed_in
    def follow_up() -> str:
        with deps.sessions() as db:
            shown = page_figures.follow_up(db, team_id=g.team, user_id=g.user, now=deps.clock())
            names = names_of(db, g.team, {line.item.owner for g_ in shown.review.groups for line in g_.lines})
        return render_template("followup.html", page=shown, names=names)

    @app.post("/ui/incidents/<int:incident_id>/curate")
    @signed_in
    def curate(incident_id: int) -> Response:
        form = request.form
        back = _safe_next(form.get("back")) or url_for("incident", incident_id=incident_id)
        try:
            with deps.sessions.begin() as db:
                changed = page_curation.change_entry(
                    db,
                    team_id=g.team,
                    user_id=g.user,
                    incident_id=incident_id,
                    entry_id=form.get("entry", ""),
                    action=form.get("action", ""),
                    text=form.get("text"),
                    at=form.get("at"),
                    now=deps.clock(),
                )
        except pages.NotFound:
            abort(404, "There is no such incident here, or it is in a private channel you are not in.")
        except (UserFacingError, pages.BadRequest) as error:
            flash(str(error))
            return redirect(back, code=303)
        if not changed:
            flash("That entry already was so: nothing changed.")
        return redirect(f"{back}#{form.get('entry', '')}", code=303)

    @app.post("/ui/incidents/<int:incident_id>/undo")
    @signed_in
    def undo(incident_id: int) -> Response:
        back = _safe_next(request.form.get("back")) or url_for("incident", incident_id=incident_id)
        change = request.form.get("change", "")
        if not change.isdigit():
            abort(400, "Which change to undo is missing.")
        try:
            with deps.sessions.begin() as db:
                page_curation.undo(
                    db, team_id=g.team, user_id=g.user, incident_id=incident_id, change_id=int(change), now=deps.clock()
                )
        except pages.NotFound:
            abort(404, "There is no such incident here, or it is in a private channel you are not in.")
        except UserFacingError as error:
            flash(str(error))
        return redirect(back, code=303)

    @app.get("/ui/insights")
    @signed_in
    def insights() -> str:
        every = parse_update_every(deps.settings.update_every)
        with deps.sessions() as db:
            figures = page_figures.insights(db, team_id=g.team, user_id=g.user, now=deps.clock())
            cadence = page_figures.update_cadence(db, team_id=g.team, user_id=g.user, now=deps.clock(), every=every)
        charts = [*charts_of(figures), cadence_chart(cadence)]
        return render_template("insights.html", figures=figures, charts=charts)

    @app.errorhandler(400)
    @app.errorhandler(404)
    def _problem(error: Any) -> tuple[str, int]:
        return render_template("problem.html", error=error), error.code

    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app


def _number(name: str) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        abort(400, f"{name} must be a whole number.")
    return int(value)


def _or_error(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except pages.NotFound:
        abort(404, "There is no such incident here, or it is in a private channel you are not in.")
    except pages.BadRequest as error:
        abort(400, str(error))


def _safe_next(value: str | None) -> str | None:
    """Only a path of these pages: never another site."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/ui/") or "\\" in value:
        return None
    return value


def _plain(status: int, text: str) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")
