"""The Teams tab's pages on the bot's own aiohttp app (``/tab/...``).

- ``GET /tab/my``: "My actions" (the personal tab), with "Post update" forms
  (``POST /tab/my/update/{action id}``: the dialog's validation, permission and saving);
- ``GET /tab/plan?body=KEY``: the dashboard for a body or the whole plan (channel and meeting
  tab; ``view=panel`` for the meeting side panel, ``view=stage`` for the shared stage;
  ``action=1.18`` picks out one action, as links to an action do);
- ``GET /tab/config``: the configurable tab's settings page;
- sign-in: ``GET /tab/signin`` runs TeamsJS ``getAuthToken`` and posts the token to
  ``POST /tab/session``, checked against Microsoft Entra ID (``bot.tab.identity``); in
  development mode on loopback, ``POST /tab/dev-signin`` is the clearly marked user picker.

Every page reads the person afresh (``bot.dispatch.identify``, as a chat turn does), so
memberships and permissions are the chat's. Database work runs on the bot's worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from bot.dispatch import identify
from bot.handlers.updates import SAVE_FAILED, allowed, refusal, save, saved_message
from bot.plan.personal_data import summary
from bot.plan.statuses import STATUSES
from bot.plan.types import BodyInfo, PlanNotFound, StoreUnavailable
from bot.services import Services
from bot.tab import views
from bot.tab.history_cache import HistoryCache
from bot.tab.identity import (
    ENTRA_METADATA_URL,
    EntraTokenValidator,
    KeysUnavailable,
    TokenRejected,
    audiences,
)
from bot.tab.render import STATIC, Pages, theme_of
from bot.tab.session import COOKIE, LIFETIME, SessionSigner, TabUser
from bot.turns import Place, Request, Sender
from bot.web.keeper import CacheKeeper
from cards.update_form import TEXT
from dialogs import update_progress
from dialogs.update_progress import FieldErrors, PersonalDataFound
from storage.update_history import people_to_pick

log = logging.getLogger(__name__)
T = TypeVar("T")

FRAME_ANCESTORS = (
    "https://teams.microsoft.com https://*.teams.microsoft.com https://*.teams.microsoft.us "
    "https://*.cloud.microsoft https://*.office.com https://*.microsoft365.com "
    "https://outlook.office.com https://outlook.office365.com"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self' "
        f"{FRAME_ANCESTORS}"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
EMAIL = re.compile(r"^[^@\s]{1,100}@[^@\s]{1,100}\.[^@\s]{2,}$")
MAX_CHANGES = 10
PLACE_IDS = {"my": "tab:my-actions", "plan": "tab:plan"}


def is_loopback(remote: str | None) -> bool:
    """True for a request from this machine."""
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


def _next_path(value: str | None) -> str:
    """Where to go after signing in: a tab page of this bot, never another site."""
    if value and value.startswith("/tab/") and not value.startswith("/tab//") and "\\" not in value:
        return value
    return "/tab/my"


@dataclass
class TabApp:
    """The tab's handlers, bound to the running bot's services and worker threads."""

    services: Services
    executor: Executor | None = None
    pages: Pages = field(default_factory=Pages)
    history: HistoryCache = field(init=False)
    signer: SessionSigner = field(init=False)
    validator: EntraTokenValidator | None = field(init=False)

    def __post_init__(self) -> None:
        settings = self.services.settings
        self.history = HistoryCache(self.services.db)
        self.signer = SessionSigner(settings.link_secret or settings.app_password)
        tenants = list(settings.allowed_tenant_ids)
        if settings.app_type.lower() == "singletenant" and settings.app_tenant_id:
            tenants.append(settings.app_tenant_id)
        wanted = audiences(settings.app_id, settings.public_base_url)
        metadata = settings.tab_openid_metadata_url or ENTRA_METADATA_URL
        self.validator = EntraTokenValidator(wanted, tenants, metadata) if wanted else None

    # --- plumbing ---------------------------------------------------------------------

    def keep_warm(self) -> None:
        """Bring the dashboard's history up to date off the pages' path (the cache keeper)."""
        with contextlib.suppress(PlanNotFound):
            views.warm(self.services, self.history)

    async def _blocking(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def _picker_allowed(self, request: web.Request) -> bool:
        return self.services.settings.is_development and is_loopback(request.remote)

    def _page(self, template: str, status: int = 200, **context: Any) -> web.Response:
        context.setdefault("theme", "default")
        context.setdefault("user", None)
        context.setdefault("csrf", "")
        context.setdefault("layout", "page")
        context.setdefault("plan_query", "")
        html = self.pages.render(template, **context)
        return web.Response(
            text=html, status=status, content_type="text/html", headers=SECURITY_HEADERS
        )

    def _message(
        self, query: Mapping[str, str], status: int, heading: str, message: str, **extra: Any
    ) -> web.Response:
        return self._page(
            "message.html",
            status,
            title=heading,
            heading=heading,
            message=message,
            page_id="message",
            theme=theme_of(query.get("theme")),
            alert=status >= 400,
            **extra,
        )

    def _session(self, request: web.Request) -> tuple[TabUser, str] | None:
        value = request.cookies.get(COOKIE, "")
        user = self.signer.read(value, self.services.clock.now()) if value else None
        if user is None or (user.development and not self._picker_allowed(request)):
            return None
        return user, value

    def _set_cookie(self, response: web.StreamResponse, user: TabUser) -> None:
        value = self.signer.issue(user, self.services.clock.now())
        parts = [f"{COOKIE}={value}", f"Max-Age={int(LIFETIME.total_seconds())}", "Path=/tab"]
        if self.services.settings.is_development:
            parts += ["HttpOnly", "SameSite=Lax"]  # plain http on loopback
        else:
            # In Teams the tab is a third-party frame: the cookie must be SameSite=None, and
            # partitioned (CHIPS) so that browsers blocking third-party cookies still keep it.
            # (Python's http.cookies has no Partitioned attribute before 3.14: written here.)
            parts += ["HttpOnly", "Secure", "SameSite=None", "Partitioned"]
        response.headers.add("Set-Cookie", "; ".join(parts))

    def _turn(self, user: TabUser, place: str) -> Request:
        """The person as a chat turn would see them: memberships and admin role read afresh."""
        bare = Request(
            sender=Sender(user.aad_object_id, user.name, email=user.email),
            place=Place(conversation_id=PLACE_IDS[place]),
            now=self.services.clock.now(),
        )
        return identify(self.services, bare)

    def _signin_page(self, request: web.Request, next_path: str) -> web.Response:
        people = self._people() if self._picker_allowed(request) else None
        return self._page(
            "signin.html",
            title="Sign in",
            page_id="signin",
            next=_next_path(next_path),
            people=people,
            theme=theme_of(request.query.get("theme")),
            nav=False,
        )

    def _people(self) -> list[Any]:
        with self.services.db() as session:
            return list(people_to_pick(session))

    async def _signed_in(self, request: web.Request) -> tuple[TabUser, str] | web.Response:
        """The session, or the sign-in page (which comes back to this page afterwards)."""
        found = self._session(request)
        if found is None:
            return await self._blocking(self._signin_page, request, request.path_qs)
        return found

    # --- sign-in ----------------------------------------------------------------------

    async def signin(self, request: web.Request) -> web.Response:
        """``GET /tab/signin``: Teams SSO (and, on loopback in development, the picker)."""
        return await self._blocking(self._signin_page, request, request.query.get("next", ""))

    async def session(self, request: web.Request) -> web.Response:
        """``POST /tab/session``: check a Teams SSO token and start the tab session."""
        if self.validator is None:
            return web.Response(
                status=404, text="Single sign-on is not configured on this bot (no app id)."
            )
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text='Send the token as JSON: {"token": "..."}.')
        token = body.get("token") if isinstance(body, dict) else None
        try:
            user = await self._blocking(self.validator.validate, token)
        except TokenRejected as exc:
            log.warning("tab sign-in refused: %s", exc)
            return web.Response(
                status=401, text="Your Teams sign-in could not be accepted by this bot."
            )
        except KeysUnavailable:
            log.exception("could not fetch the Entra ID signing keys")
            return web.Response(
                status=503, text="The bot cannot check sign-ins right now; try again shortly."
            )
        await self._blocking(self._turn, user, "my")  # the person exists, as after a first chat
        response = web.Response(status=204)
        self._set_cookie(response, user)
        return response

    async def dev_signin(self, request: web.Request) -> web.StreamResponse:
        """``POST /tab/dev-signin``: the development user picker (loopback only)."""
        if not self._picker_allowed(request):
            raise web.HTTPNotFound()
        form = await request.post()
        chosen = str(form.get("person", ""))
        email = str(form.get("email", "")).strip().lower()
        user: TabUser | None = None
        if email:
            if not EMAIL.match(email):
                return self._message(
                    request.query, 400, "Not an e-mail address", f"“{email[:80]}”?"
                )
            user = TabUser(None, "", email, development=True)
        elif chosen.isdigit():
            user = await self._blocking(self._picked, int(chosen))
        if user is None:
            return self._message(
                request.query, 400, "Choose someone", "Pick a person or an e-mail."
            )
        response = _see_other(_next_path(str(form.get("next", ""))))
        self._set_cookie(response, user)
        return response

    def _picked(self, person_id: int) -> TabUser | None:
        person = self.services.people.person(person_id)
        if person is None or not (person.aad_object_id or person.email):
            return None
        return TabUser(person.aad_object_id, person.name, person.email, development=True)

    async def signout(self, request: web.Request) -> web.StreamResponse:
        """``POST /tab/signout``: end the tab session (the picker shows again)."""
        form = await request.post()
        found = self._session(request)
        if found is not None and not self.signer.csrf_ok(found[1], form.get("csrf")):
            raise web.HTTPForbidden(text="That form has expired; reload the page.")
        response = _see_other("/tab/signin")
        response.del_cookie(COOKIE, path="/tab")
        return response

    # --- My actions -------------------------------------------------------------------

    def _my_page(
        self,
        query: Mapping[str, str],
        turn: Request,
        user: TabUser,
        cookie: str,
        *,
        forms: Mapping[int, dict[str, Any]] | None = None,
        notice: str = "",
        refused: str = "",
        status: int = 200,
        page: int = 1,
    ) -> web.Response:
        view = views.my_actions_view(self.services, turn, page)
        chosen = dict(forms or {})
        for entry in view.items:
            if entry.may_update and entry.action.id not in chosen:
                chosen[entry.action.id] = _blank_form(entry.action)
        return self._page(
            "my_actions.html",
            status,
            title="My actions",
            page_id="my",
            view=view,
            forms=chosen,
            statuses=STATUSES,
            notice=notice,
            refused=refused,
            user=user,
            csrf=self.signer.csrf(cookie),
            theme=theme_of(query.get("theme")),
        )

    async def my_actions(self, request: web.Request) -> web.Response:
        """``GET /tab/my``: the actions of my bodies, overdue first."""
        found = await self._signed_in(request)
        if isinstance(found, web.Response):
            return found
        user, cookie = found
        return await self._blocking(self.my_page, request.query, user, cookie)

    def my_page(self, query: Mapping[str, str], user: TabUser, cookie: str) -> web.Response:
        """My actions for ``user`` (blocking: runs on a worker thread)."""
        turn = self._turn(user, "my")
        notice = ""
        saved = query.get("saved", "")
        if saved.isdigit():
            action = self.services.plan.action_by_id(int(saved))
            if action is not None:
                notice = saved_message(action, query.get("new") == "1")
        raw = query.get("page", "1")
        page = int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
        return self._my_page(query, turn, user, cookie, notice=notice, page=page)

    async def post_update(self, request: web.Request) -> web.StreamResponse:
        """``POST /tab/my/update/{id}``: the dialog's checks, then save once or show errors."""
        found = self._session(request)
        if found is None:
            return self._message(
                request.query,
                401,
                "Signed out",
                "Your session ended; nothing was saved. Reload the tab.",
            )
        user, cookie = found
        data = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if not self.signer.csrf_ok(cookie, data.get("csrf")):
            return self._message(
                request.query, 403, "Form expired", "That form has expired; nothing was saved."
            )
        raw_id = request.match_info["action_id"]
        if not raw_id.isdigit():
            raise web.HTTPNotFound()
        return await self._blocking(
            self._save_update, request.query, user, cookie, int(raw_id), data
        )

    def _save_update(
        self,
        query: Mapping[str, str],
        user: TabUser,
        cookie: str,
        action_id: int,
        data: dict[str, str],
    ) -> web.StreamResponse:
        turn = self._turn(user, "my")
        action = self.services.plan.action_by_id(action_id)
        if action is None:
            return self._message(query, 404, "No such action", "That action no longer exists.")
        if not allowed(turn, action):
            return self._my_page(query, turn, user, cookie, refused=refusal(action), status=403)
        result = update_progress.submit(action, data)
        if isinstance(result, FieldErrors):
            form = _form(action, result.values, result.errors, result.message, data)
            return self._my_page(query, turn, user, cookie, forms={action.id: form}, status=422)
        if isinstance(result, PersonalDataFound):
            form = _form(action, result.values, {TEXT: _personal_data_problem(result)}, "", data)
            form["confirm"] = result.token
            return self._my_page(query, turn, user, cookie, forms={action.id: form}, status=422)
        try:
            after, created = save(self.services, turn, result)
        except StoreUnavailable:
            log.exception("saving an update from the tab failed")
            values = {k: data.get(k, "") for k in update_progress.prefill(action)}
            form = _form(action, values, {}, SAVE_FAILED, data)
            return self._my_page(query, turn, user, cookie, forms={action.id: form}, status=503)
        done = urlencode({"saved": after.id, "new": int(created)})
        return _see_other(f"/tab/my?{done}#action-{after.number}")

    # --- the dashboard ----------------------------------------------------------------

    async def plan(self, request: web.Request) -> web.Response:
        """``GET /tab/plan``: the dashboard for a body or the whole plan."""
        found = await self._signed_in(request)
        if isinstance(found, web.Response):
            return found
        user, cookie = found
        base = self.services.settings.public_base_url or f"{request.scheme}://{request.host}"
        return await self._blocking(self.plan_page, request.query, base, user, cookie)

    def plan_page(
        self, query: Mapping[str, str], base: str, user: TabUser, cookie: str
    ) -> web.Response:
        """The dashboard (blocking: runs on a worker thread); ``base`` is the bot's address."""
        bodies = self.services.vocabulary().bodies.bodies
        known = {b.key: b for b in bodies}
        keys = tuple(k.strip().upper() for k in query.get("body", "").split(",") if k.strip())
        unknown = [k for k in keys if k not in known]
        if unknown or len(keys) > 20:
            return self._message(
                query, 404, "No such body", f"The bot knows no body {', '.join(unknown)[:80]}."
            )
        as_of = _day(query.get("as_of"))
        if query.get("as_of") and as_of is None:
            return self._message(query, 400, "Not a date", "as_of must be YYYY-MM-DD.")
        layout = query.get("view") if query.get("view") in ("panel", "stage") else "page"
        turn = self._turn(user, "plan")
        try:
            view = views.dashboard(self.services, turn, self.history, keys or None, query, as_of)
        except PlanNotFound:
            return self._message(query, 404, "No plan", "No plan is loaded in the bot.")
        scope: dict[str, str] = {"body": ",".join(keys)} if keys else {}
        if as_of is not None:
            scope["as_of"] = as_of.isoformat()
        ask = "status" + (" " + ", ".join(known[k].ref.label for k in keys) if keys else "")
        if as_of is not None:
            ask += f" as of {views.day_label(as_of)}"
        return self._page(
            "dashboard.html",
            title=view.status.title,
            page_id="plan",
            view=view,
            layout=layout,
            ask=ask,
            as_of=as_of.isoformat() if as_of else "",
            bodies=sorted((b.ref for b in bodies), key=lambda b: b.label.lower()),
            plan_query="?" + urlencode(scope) if scope else "",
            stage_url=f"{base}/tab/plan?" + urlencode({**scope, "view": "stage"}),
            page_query=lambda page: {**scope, **view.filters.query(page=page)},
            max_changes=MAX_CHANGES,
            user=user,
            csrf=self.signer.csrf(cookie),
            theme=theme_of(query.get("theme")),
        )

    async def config(self, request: web.Request) -> web.Response:
        """``GET /tab/config``: the configurable tab's settings (which body to show)."""
        found = await self._signed_in(request)
        if isinstance(found, web.Response):
            return found
        bodies: list[BodyInfo] = list(self.services.vocabulary().bodies.bodies)
        base = self.services.settings.public_base_url or f"{request.scheme}://{request.host}"
        return self._page(
            "config.html",
            title="Add the plan dashboard",
            page_id="config",
            bodies=sorted((b.ref for b in bodies), key=lambda b: b.label.lower()),
            base_url=base,
            user=found[0],
            csrf=self.signer.csrf(found[1]),
            theme=theme_of(request.query.get("theme")),
            nav=False,
        )


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, **SECURITY_HEADERS})


async def _to_my_actions(request: web.Request) -> web.Response:
    return _see_other("/tab/my")


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _blank_form(action: Any) -> dict[str, Any]:
    return {
        "open": False,
        "key": update_progress.new_key(),
        "values": update_progress.prefill(action),
        "errors": {},
        "message": "",
    }


def _personal_data_problem(found: PersonalDataFound) -> str:
    return (
        f"This may contain personal data: {summary(found.findings)}. Describe the work without "
        "naming or identifying anyone, or tick “Save anyway” if the detail is needed (the audit "
        "log records that you confirmed it)."
    )


def _form(
    action: Any, values: dict[str, str], errors: dict[str, str], message: str, data: dict[str, str]
) -> dict[str, Any]:
    return {
        "open": True,
        "key": update_progress.key_of(data) or update_progress.new_key(),
        "values": values,
        "errors": errors,
        "message": message,
    }


def add_routes(app: web.Application, services: Services, executor: Executor | None) -> None:
    """Register the tab's pages and static files under ``/tab``."""
    tab = TabApp(services, executor)
    keeper = CacheKeeper(tab.keep_warm, lambda fn: tab._blocking(fn))
    app.on_startup.append(keeper.start)
    app.on_cleanup.append(keeper.stop)
    app.router.add_get("/tab", _to_my_actions)
    app.router.add_get("/tab/signin", tab.signin)
    app.router.add_post("/tab/session", tab.session)
    app.router.add_post("/tab/dev-signin", tab.dev_signin)
    app.router.add_post("/tab/signout", tab.signout)
    app.router.add_get("/tab/my", tab.my_actions)
    app.router.add_post("/tab/my/update/{action_id}", tab.post_update)
    app.router.add_get("/tab/plan", tab.plan)
    app.router.add_get("/tab/config", tab.config)
    app.router.add_static("/tab/static", STATIC, append_version=False)
