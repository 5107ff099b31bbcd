"""Typed settings: one TOML file, secrets and the database URL overridable from the environment."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ENV_PREFIX = "DIANXIAOER_"
DEFAULT_CONFIG_NAME = "config.example.toml"


class ConfigError(Exception):
    """A config file that cannot be used; the message names the key and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
Priority = Literal["normal", "urgent"]


class DeskSettings(_Strict):
    name: str = "店小二 营商环境投诉受理台"
    name_en: str = "Dianxiaoer business-environment desk"
    ticket_prefix: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{0,7}$")] = "GX"
    timezone: str = "Asia/Shanghai"
    default_language: Literal["zh", "en"] = "zh"
    admins: list[int] = Field(default_factory=list)


class TelegramSettings(_Strict):
    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    poll_timeout_seconds: int = Field(default=30, ge=0, le=60)
    # The pause after each getUpdates: in a burst, one call fetches what arrived meanwhile
    # instead of one call per update or two (docs/benchmarks.md, "The update path"); a message
    # that arrives alone is answered at once (the long poll is waiting for it).
    poll_interval_seconds: float = Field(default=0.05, ge=0, le=5)
    # How updates arrive: "polling" (getUpdates, one process) or "webhook" (Telegram POSTs
    # them to webhook_url; any number of instances behind a reverse proxy, PostgreSQL).
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""  # the public https URL Telegram calls (required in webhook mode)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-./]{0,200}$")] = "telegram"
    # Telegram repeats it in X-Telegram-Bot-Api-Secret-Token; requests without it are refused.
    webhook_secret_token: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{0,256}$")] = ""
    webhook_max_connections: int = Field(default=40, ge=1, le=100)

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> TelegramSettings:
        if self.mode != "webhook":
            return self
        if not self.webhook_url.startswith(("https://", "http://")):
            raise ValueError(
                "telegram.webhook_url: required in webhook mode (the public https URL "
                "Telegram calls)"
            )
        if not self.webhook_secret_token:
            raise ValueError(
                "telegram.webhook_secret_token: required in webhook mode, 1-256 characters "
                "A-Z a-z 0-9 _ - (env DIANXIAOER_WEBHOOK_SECRET)"
            )
        return self


class DatabaseSettings(_Strict):
    url: str = "sqlite:///data/desk.db"
    echo: bool = False


class SlaTargets(_Strict):
    """Deadlines that override the defaults for a priority or a category (unset = inherit)."""

    accept_hours: float | None = Field(default=None, gt=0)
    first_reply_hours: float | None = Field(default=None, gt=0)
    resolve_days: float | None = Field(default=None, gt=0)


@dataclass(frozen=True)
class Targets:
    """The deadlines that apply to one ticket, all set."""

    accept_hours: float
    first_reply_hours: float
    resolve_days: float


class SlaSettings(_Strict):
    """Default deadlines, counted in working time in ``desk.timezone``."""

    accept_hours: float = Field(default=2, gt=0)
    first_reply_hours: float = Field(default=7, gt=0)
    resolve_days: float = Field(default=5, gt=0)
    working_hours: list[Annotated[str, Field(pattern=r"^\d\d:\d\d-\d\d:\d\d$")]] = Field(
        default_factory=lambda: ["09:00-12:00", "13:30-17:30"], min_length=1
    )
    # Days the holiday calendar (chinesecalendar) gets wrong for the zone, or does not know
    # yet: these win over it. A date may not be in both lists.
    extra_holidays: list[date] = Field(default_factory=list)
    extra_workdays: list[date] = Field(default_factory=list)
    # Overrides: a category's own deadlines win over its priority's, which win over the
    # defaults above.
    priorities: dict[Priority, SlaTargets] = Field(
        default_factory=lambda: {  # type: ignore[arg-type]
            "urgent": SlaTargets(accept_hours=1, first_reply_hours=3.5, resolve_days=3)
        }
    )
    categories: dict[str, SlaTargets] = Field(default_factory=dict)

    def targets(self, *, category: str | None = None, priority: str = "normal") -> Targets:
        """The deadlines for a ticket of this category and priority."""
        by_priority = {str(key): value for key, value in self.priorities.items()}
        layers = [by_priority.get(priority), self.categories.get(category or "")]
        accept, first, resolve = self.accept_hours, self.first_reply_hours, self.resolve_days
        for layer in layers:
            if layer is None:
                continue
            accept = layer.accept_hours or accept
            first = layer.first_reply_hours or first
            resolve = layer.resolve_days or resolve
        return Targets(accept_hours=accept, first_reply_hours=first, resolve_days=resolve)

    @model_validator(mode="after")
    def _check_hours_and_days(self) -> SlaSettings:
        periods = sorted(
            (time.fromisoformat(begin), time.fromisoformat(end))
            for begin, end in (spec.split("-") for spec in self.working_hours)
        )
        for (begin, end), following in zip(periods, [*periods[1:], None], strict=True):
            if not begin < end:
                raise ValueError(f"working_hours: {begin:%H:%M}-{end:%H:%M} ends before it starts")
            if following is not None and following[0] < end:
                raise ValueError(f"working_hours: periods overlap at {following[0]:%H:%M}")
        both = sorted(set(self.extra_holidays) & set(self.extra_workdays))
        if both:
            days = ", ".join(day.isoformat() for day in both)
            raise ValueError(f"extra_holidays and extra_workdays both list {days}")
        return self


class SenderSettings(_Strict):
    interval_seconds: float = Field(default=1.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    batch_size: int = Field(default=50, ge=1)
    # How long the sender waits for Telegram's answer; past it a send counts as uncertain.
    read_timeout_seconds: float = Field(default=15.0, gt=0)
    # Chats served at the same time (each still strictly in order): a group held back by
    # its per-minute limit must not make the enterprises' acknowledgements wait.
    parallel_chats: int = Field(default=16, ge=1, le=100)
    # The pace of Telegram calls (PTB's AIORateLimiter: a bucket of ``*_burst`` calls that
    # refills at the rate). Telegram allows about 30 messages a second overall and 20 a
    # minute per group in any window; burst + one window's refill stays below both, so a
    # steady stream draws no 429 (docs/benchmarks.md, "Outbound").
    overall_burst: int = Field(default=2, ge=1)
    overall_per_second: float = Field(default=27.0, gt=0)
    group_burst: int = Field(default=4, ge=1)
    group_per_minute: float = Field(default=15.0, gt=0)


class WorkflowSettings(_Strict):
    """How departments work their tickets."""

    max_reopens: int = Field(default=2, ge=0)
    unknown_group: Literal["explain", "leave"] = "explain"
    extension_days: list[int] = Field(default_factory=lambda: [1, 2, 3, 5, 10], min_length=1)


class AbuseSettings(_Strict):
    """Limits against floods and misuse (0 switches a limit off); admins block users."""

    tickets_per_day: int = Field(default=5, ge=0)
    messages_per_minute: int = Field(default=30, ge=0)


class ChaserSettings(_Strict):
    """The overdue chaser: when it runs and how insistent it is (all hours are working hours)."""

    interval_minutes: float = Field(default=5, gt=0)
    warn_at: float = Field(default=0.75, gt=0, lt=1)
    repeat_hours: float = Field(default=4, gt=0)
    escalate_after_hours: list[float] = Field(default_factory=lambda: [8.0, 24.0], min_length=1)
    auto_close_days: float = Field(default=7, gt=0)


class ReportSettings(_Strict):
    """The weekly overdue summary (每周超期通报)."""

    weekday: int = Field(default=1, ge=1, le=7)  # ISO: 1 = Monday
    time: str = Field(default="09:00", pattern=r"^\d\d:\d\d$")


class SandboxSettings(_Strict):
    """`dianxiaoer sandbox`: the local web page on the Bot API emulator (127.0.0.1 only)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)  # 0 = any free port
    data_dir: str = "data"


class DepartmentConfig(_Strict):
    code: Code
    name: str
    name_en: str
    role: Literal["department", "dispatcher", "discipline", "leadership"] = "department"
    staff: list[int] = Field(default_factory=list)
    # Other ways enterprises name it (科技局, 专管员, 质监站 …): a conduct complaint never goes
    # to a department its text names (bot/core/routing/conduct.py).
    aliases: list[str] = Field(default_factory=list)


class CategoryConfig(_Strict):
    code: Code
    name: str
    name_en: str
    department: Code | None = None
    conduct: bool = False
    priority: Priority = "normal"
    hint_keywords: list[str] = Field(default_factory=list)


class RoutingRuleConfig(_Strict):
    keywords: list[str] = Field(min_length=1)
    department: Code
    priority: int = 100
    categories: list[Code] = Field(default_factory=list)
    # always = true: the rule decides before the model (what the zone wants fixed); without it
    # the rule is a hint the model weighs, and the route when no model is trained yet.
    always: bool = False


class OpsSettings(_Strict):
    """What operators watch: /healthz and /metrics, and the log format."""

    # The health and metrics endpoint (polling mode; webhook mode serves them on its own
    # port too). 127.0.0.1 keeps them off the network: widen it for a Prometheus elsewhere.
    listen: str = "127.0.0.1"
    port: int = Field(default=9090, ge=0, le=65535)  # 0 switches the endpoint off
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class ConductActConfig(_Strict):
    """One kind of improper act: any phrase alone, or a verb with an object near it."""

    kind: Code
    phrases: list[str] = Field(default_factory=list)
    verbs: list[str] = Field(default_factory=list)
    objects: list[str] = Field(default_factory=list)
    window: int = Field(default=12, ge=0, le=80)  # characters between verb and object

    @model_validator(mode="after")
    def _something_to_match(self) -> ConductActConfig:
        if not self.phrases and not (self.verbs and self.objects):
            raise ValueError(f"acts {self.kind!r}: needs phrases, or both verbs and objects")
        return self


class ConductSettings(_Strict):
    """Patterns of conduct complaints: an official actor together with an improper act."""

    actors: list[str] = Field(default_factory=list)
    # Regular expressions on the normalized text (NFKC, lower case, no whitespace), for
    # actors no list can hold: 姓X的, 王科长, 某局的人 …
    actor_patterns: list[str] = Field(default_factory=list)
    acts: list[ConductActConfig] = Field(default_factory=list)
    # Phrases that deny wrongdoing (不是说…, 倒没要…): they turn signals into a question.
    hedges: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _patterns_compile(self) -> ConductSettings:
        for i, pattern in enumerate(self.actor_patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"actor_patterns.{i}: not a regular expression ({exc})") from exc
        return self


class RoutingSettings(_Strict):
    conduct_keywords: list[str] = Field(default_factory=list)
    # Below this probability the model's choice is not trusted: the dispatcher assigns,
    # with the model's top 3 as one-press buttons.
    confidence_threshold: float = Field(default=0.25, ge=0, le=1)
    # The model's probability for the discipline office at which, without any conduct
    # pattern, the enterprise is still asked whether it reports an official's conduct.
    conduct_question_at: float = Field(default=0.5, gt=0, le=1)
    # Hours between retrainings on the desk's history (the JobQueue).
    retrain_hours: float = Field(default=24, gt=0)
    # The labelled corpus the model starts from; empty = the one shipped with the sample
    # zone (bot/core/routing/data/examples.toml). A relative path is read from the working folder.
    examples: str = ""
    conduct: ConductSettings = ConductSettings()


class CommonSettings(_Strict):
    """同类诉求 (docs/common-problems.md): similar tickets of different enterprises linked into
    one group, raised to the dispatcher as a 共性问题 when it grows."""

    # false: the desk links nothing by itself (staff still link by number, /link).
    auto_link: bool = True
    # Tickets filed within this many days of each other may be linked.
    window_days: float = Field(default=30, gt=0)
    # Cosine similarity of the routing model's text vectors at which two tickets are the
    # same problem (measured on tests/common/data, docs/common-problems.md); 1 switches
    # linking off in practice.
    threshold: float = Field(default=0.10, gt=0, le=1)
    # A group of this many enterprises within raise_days is raised as a 共性问题.
    raise_enterprises: int = Field(default=3, ge=2)
    raise_days: float = Field(default=7, gt=0)


class Settings(_Strict):
    desk: DeskSettings = DeskSettings()
    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    sla: SlaSettings = SlaSettings()
    sender: SenderSettings = SenderSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    abuse: AbuseSettings = AbuseSettings()
    chaser: ChaserSettings = ChaserSettings()
    report: ReportSettings = ReportSettings()
    ops: OpsSettings = OpsSettings()
    routing: RoutingSettings = RoutingSettings()
    common: CommonSettings = CommonSettings()
    sandbox: SandboxSettings = SandboxSettings()
    departments: list[DepartmentConfig] = Field(default_factory=list)
    categories: list[CategoryConfig] = Field(default_factory=list)
    routing_rules: list[RoutingRuleConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> Settings:
        codes = [d.code for d in self.departments]
        _no_duplicates("departments", codes)
        _no_duplicates("categories", [c.code for c in self.categories])
        known, categories = set(codes), {c.code for c in self.categories}
        for i, cat in enumerate(self.categories):
            if cat.department is not None and cat.department not in known:
                raise ValueError(
                    f"categories.{i}.department: unknown department code {cat.department!r}"
                )
        for code in self.sla.categories:
            if code not in categories:
                raise ValueError(f"sla.categories.{code}: unknown category code {code!r}")
        for i, rule in enumerate(self.routing_rules):
            if rule.department not in known:
                raise ValueError(
                    f"routing_rules.{i}.department: unknown department code {rule.department!r}"
                )
            for code in rule.categories:
                if code not in categories:
                    raise ValueError(
                        f"routing_rules.{i}.categories: unknown category code {code!r}"
                    )
        roles = [d.role for d in self.departments]
        if roles.count("leadership") > 1:
            raise ValueError("departments: at most one department may have role = 'leadership'")
        for role in ("dispatcher", "discipline"):
            if self.departments and roles.count(role) != 1:
                raise ValueError(
                    f"departments: exactly one department needs role = {role!r} "
                    f"(found {roles.count(role)})"
                )
        return self

    @property
    def has_token(self) -> bool:
        return bool(self.telegram.token.strip())


def _no_duplicates(key: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{key}: code {code!r} appears twice")
        seen.add(code)


def default_config_text() -> str:
    """The embedded zone, used when no config file is given."""
    return resources.files("bot").joinpath(DEFAULT_CONFIG_NAME).read_text(encoding="utf-8")


def load_settings(path: Path | None = None, *, environ: dict[str, str] | None = None) -> Settings:
    """Read the TOML file (or the embedded defaults) and apply environment overrides."""
    env = os.environ if environ is None else environ
    source = str(path) if path else "embedded config.example.toml"
    try:
        text = path.read_text(encoding="utf-8") if path else default_config_text()
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read the file ({exc.strerror})") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    _apply_environment(raw, env)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(source, exc)) from exc


def _apply_environment(raw: dict[str, object], env: os._Environ[str] | dict[str, str]) -> None:
    overrides = {
        ("telegram", "token"): env.get(f"{ENV_PREFIX}BOT_TOKEN"),
        ("telegram", "base_url"): env.get(f"{ENV_PREFIX}BOT_API_URL"),
        ("telegram", "base_file_url"): env.get(f"{ENV_PREFIX}BOT_FILE_URL"),
        ("database", "url"): env.get(f"{ENV_PREFIX}DATABASE_URL"),
        ("telegram", "webhook_secret_token"): env.get(f"{ENV_PREFIX}WEBHOOK_SECRET"),
        ("ops", "listen"): env.get(f"{ENV_PREFIX}OPS_LISTEN"),
        ("ops", "port"): env.get(f"{ENV_PREFIX}OPS_PORT"),
        ("ops", "log_format"): env.get(f"{ENV_PREFIX}LOG_FORMAT"),
        ("ops", "log_level"): env.get(f"{ENV_PREFIX}LOG_LEVEL"),
    }
    for (section, key), value in overrides.items():
        if value:
            table = raw.setdefault(section, {})
            if isinstance(table, dict):
                table[key] = value


def _describe(source: str, exc: ValidationError) -> str:
    lines = [f"{source}: {exc.error_count()} problem(s) in the configuration:"]
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(top level)"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against config.example.toml)"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        if (not err["loc"] or message.startswith(f"{key}.")) and ": " in message:
            lines.append(f"  - {message}")  # a cross-field check names its own key
        else:
            lines.append(f"  - {key}: {message}")
    return "\n".join(lines)
