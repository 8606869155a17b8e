"""Settings from the environment (prefix HYPERJOURNEY_) and an optional .env; explicit values win."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LLMTier(BaseModel):
    """One OpenAI-compatible chat endpoint; a tier without a model is absent."""

    base_url: str | None = Field(None, description="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1")
    model: str | None = Field(None, description="Model name sent to the endpoint")
    api_key: SecretStr | None = Field(None, description="API key; many local servers accept any value")
    cost_per_1k_input: float = Field(0.0, ge=0, description="USD per 1,000 prompt tokens")
    cost_per_1k_output: float = Field(0.0, ge=0, description="USD per 1,000 completion tokens")

    @property
    def configured(self) -> bool:
        return bool(self.model)


class Embeddings(BaseModel):
    """Where knowledge embeddings come from: the packaged offline model unless an endpoint is configured."""

    base_url: str | None = Field(
        None, description="OpenAI-compatible base URL serving /embeddings; unset means the offline MiniLM model"
    )
    model: str = Field("text-embedding-3-small", description="Model name sent to the endpoint")
    api_key: SecretStr | None = Field(None, description="API key for the endpoint")
    dimensions: int = Field(384, description="Vector size; the knowledge tables store 384-d vectors")
    batch_size: int = Field(64, ge=1, le=2048)
    cpu_threads: int = Field(1, ge=1, le=64, description="BLAS threads for the offline model")
    timeout_s: float = Field(30.0, gt=0)

    @property
    def remote(self) -> bool:
        return bool(self.base_url)


class Knowledge(BaseModel):
    """Retrieval knobs."""

    cache_size: int = Field(512, ge=0, description="Retrieval cache entries per process (0 disables it)")
    cache_ttl_s: float = Field(300.0, ge=0, description="Seconds a cached result may be reused")
    max_query_chars: int = Field(1000, ge=10)
    candidates: int = Field(50, ge=5, le=1000, description="Hits per mode fused by reciprocal rank fusion")
    keyword_weight: float = Field(1.0, ge=0, description="Weight of the keyword ranking in the fusion (vector: 1)")
    max_chunks_per_document: int = Field(
        2, ge=0, description="Chunks of one document ranked before other documents' chunks (0: no limit)"
    )


class Budgets(BaseModel):
    """Ceilings that stop escalation to paid tiers once spent."""

    max_cost_usd_per_run: float = Field(0.50, ge=0)
    max_tokens_per_run: int = Field(50_000, ge=0)
    max_latency_ms_per_step: int = Field(30_000, gt=0)
    per_feature_usd: dict[str, float] = Field(
        default_factory=lambda: {"canvas": 0.50, "copilot": 0.05, "nba": 0.01},
        description="LLM spend allowed per run of each feature; once spent, work goes to review instead",
    )


class RouterSettings(BaseModel):
    """When the small-first router escalates a decision to an LLM tier."""

    confidence_threshold: float = Field(
        0.6, ge=0, le=1, description="Below this the next tier is asked (decisions without their own threshold)"
    )
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {"route": 0.6, "sizing": 0.0, "metric": 0.6, "reply": 0.5},
        description="Per decision: the least calibrated confidence (P(right)) the small tier's answer needs to "
        "stand. Sizing's confidence is the planned test's power; its default 0 never escalates on it (an LLM cannot "
        "raise a test's power): set it (e.g. 0.5) to send underpowered plans to a person. A support reply's is its "
        "best fact's relevance, and the escalation policy's low relevance is no fact of the ticket's product and "
        "intent: every chosen fact is at least the fact choice's 0.5, so 0.5 (0.6 sent 16 of 140 dev replies with an "
        "on-topic fact to a person)",
    )
    high_stakes_cohort: int = Field(1000, ge=1, description="Cohorts at least this large count as high stakes")
    high_stakes_budget_usd: float = Field(5000.0, ge=0, description="Spend at least this large is high stakes")
    retries: int = Field(2, ge=0, le=10, description="Transport retries of a tier (429, 5xx, timeout) before failover")
    backoff_s: float = Field(0.5, ge=0, description="First retry's wait; doubles each retry (a Retry-After wins)")
    backoff_max_s: float = Field(8.0, ge=0, description="Longest wait between retries")
    breaker_failures: int = Field(5, ge=1, description="Transport failures in a row that open a tier's circuit")
    breaker_cooldown_s: float = Field(30.0, ge=0, description="Seconds an open circuit skips its tier")
    latency_budget_ms: dict[str, int] = Field(
        default_factory=lambda: {"chat": 8_000, "sms": 20_000, "push": 20_000, "in_app": 20_000, "email": 60_000},
        description="Per channel: how long a reply may take; a tier that would miss it is skipped for a smaller "
        "one, and a reply no tier can give in time is queued for review (never dropped)",
    )

    @field_validator("thresholds")
    @classmethod
    def _probabilities(cls, thresholds: dict[str, float]) -> dict[str, float]:
        wrong = {k: v for k, v in thresholds.items() if not 0 <= v <= 1}
        if wrong:
            raise ValueError(f"thresholds must be between 0 and 1: {wrong}")
        return thresholds

    def threshold(self, point: str) -> float:
        return self.thresholds.get(point, self.confidence_threshold)


class ApiSettings(BaseModel):
    """The headless API (`hyperjourney serve`)."""

    host: str = Field("127.0.0.1", description="Interface to listen on; loopback unless you mean to expose it")
    port: int = Field(8000, ge=1, le=65535)
    rate_per_second: float = Field(5.0, gt=0, description="Sustained requests per second per API key")
    burst: int = Field(60, ge=1, description="Requests a key may send at once before the rate applies")
    stream_poll_seconds: float = Field(
        2.0, gt=0, le=60, description="How long a step stream waits for a pushed step before it re-reads the run"
    )


class UiUser(BaseModel):
    """One person who may log in to the chainlit app."""

    password: SecretStr
    role: Literal["reviewer", "viewer"] = Field("viewer", description="reviewers may approve, viewers only look")


class UiSettings(BaseModel):
    """The chainlit app (`hyperjourney ui`)."""

    host: str = Field("127.0.0.1")
    port: int = Field(8001, ge=1, le=65535)
    users: dict[str, UiUser] = Field(
        default_factory=dict,
        description='JSON map of login -> {"password", "role"}; empty means no one can log in',
    )
    auth_secret: SecretStr | None = Field(
        None, description="Signs session tokens; unset means one is generated once and kept in HYPERJOURNEY_HOME"
    )


class ChannelSettings(BaseModel):
    """Where each channel delivers; a channel without an endpoint goes to the file sink (a dry run)."""

    smtp_host: str | None = Field(None, description="SMTP server for email; unset sends email to the sink")
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = Field("hello@northwind.example", description="From address of outgoing email")
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    webhook_url: str | None = Field(None, description="CRM / ad-platform webhook (channel 'webhook')")
    sms_url: str | None = Field(None, description="SMS gateway webhook")
    push_url: str | None = Field(None, description="Push gateway webhook")
    in_app_url: str | None = Field(None, description="In-app messaging webhook")
    sink_path: Path | None = Field(None, description="JSON-lines dry-run sink; default HOME/outbox-sink.jsonl")
    timeout_s: float = Field(5.0, gt=0, description="Per-request timeout of every adapter")
    max_attempts: int = Field(6, ge=1, le=50, description="Attempts before an action is dead-lettered")
    backoff_base_s: float = Field(2.0, ge=0, description="First retry delay; doubles each attempt")
    backoff_max_s: float = Field(900.0, ge=0)
    lease_s: float = Field(60.0, gt=0, description="How long a claimed action stays with one dispatcher")
    workers: int = Field(4, ge=1, le=64, description="Concurrent sends per dispatcher")


class GraphSettings(BaseModel):
    """Agent runs (HYPERJOURNEY_GRAPHS__*)."""

    resume_lease_s: float = Field(
        120.0, gt=0, description="How long a resuming process holds a run; renewed while it works, taken over after"
    )
    agent_language: str = Field(
        "en", pattern=r"^[a-z]{2}$", description="The support agents' language: the copilot shows a ticket's gist "
        "translated into it when the customer wrote in another (HYPERJOURNEY_GRAPHS__AGENT_LANGUAGE)",
    )  # fmt: skip


class AssistantSettings(BaseModel):
    """The customer-facing assistant (HYPERJOURNEY_ASSISTANT__*): office hours a hand-off promises, trial length,
    and when it asks a person instead of acting."""

    office_start_hour: int = Field(9, ge=0, le=23, description="A person answers hand-offs from this local hour")
    office_end_hour: int = Field(17, ge=1, le=24, description="... until this local hour, Monday to Friday")
    office_timezone: str = Field("UTC", description="The support team's time zone")
    trial_days: int = Field(14, ge=1, le=90)
    max_questions: int = Field(3, ge=0, le=4, description="Qualifying questions per conversation at most")
    handoff_confidence: float = Field(
        0.35, ge=0, le=1, description="Below this intent confidence (and no KB answer) the chat goes to a person"
    )
    visitor_rate_per_second: float = Field(0.5, gt=0, description="Sustained messages per second per visitor")
    visitor_burst: int = Field(10, ge=1, description="Messages a visitor may send at once before the rate applies")
    tenant_rate_per_second: float = Field(20.0, gt=0, description="Sustained assistant requests per second per tenant")
    tenant_burst: int = Field(200, ge=1)


class WorkerSettings(BaseModel):
    """The workers on the Postgres job queue (HYPERJOURNEY_WORKERS__*); crons have 5 fields, or 6 with seconds."""

    concurrency: int = Field(4, ge=1, le=64, description="Jobs one worker process runs at once (threads)")
    sweep_cron: str = Field(
        "* * * * * */15",
        description="When every tenant's journeys tick (due timers) and outbox dispatches (due retries), "
        "beside the ticks new events and actions wake at once",
    )
    retrain_cron: str = Field("0 3 * * 0", description="When each tenant's models are retrained and rescored")
    drift_cron: str = Field("0 4 * * *", description="When each tenant's drift is measured and stored")
    poll_s: float = Field(5.0, gt=0, description="Fallback poll for new jobs when a NOTIFY is missed")
    stalled_after_s: float = Field(
        30.0, ge=15, description="A running job whose worker sent no heartbeat for this long (workers send one "
        "every 10 s) is put back on the queue by the sweep: its worker died",
    )  # fmt: skip
    run_graphs: bool = Field(
        True,
        description="Agent runs started through the API are jobs on the workers (they survive an API restart); "
        "off: they run in a thread of the API process",
    )


class IngestSettings(BaseModel):
    """How files and the HTTP sources read what is ambiguous or too big (`HYPERJOURNEY_INGEST__…`)."""

    date_only_time: time = Field(time(0, 0), description="Time of day given to a date without time (with a warning)")
    date_only_zone: str = Field("UTC", description="IANA time zone of a date without time")
    max_future_days: float = Field(1.0, ge=0, description="Timestamps later than now plus this are rejected")
    max_json_field_bytes: int = Field(65_536, ge=1024, description="Largest properties/attributes/labels object")
    max_body_bytes: int = Field(5_000_000, ge=1024, description="Largest request body of the ingest routes (413)")


class AuditSettings(BaseModel):
    """Tamper evidence beyond the database (HYPERJOURNEY_AUDIT__*): a key it never holds, checkpoints it can't edit."""

    key: SecretStr | None = Field(
        None, description="MAC key for audit checkpoints; unset means a key file created once under home/secrets"
    )
    checkpoint_path: Path | None = Field(
        None, description="Append-only JSON-lines file of signed chain heads; default HOME/audit/checkpoints.jsonl"
    )
    webhook_url: str | None = Field(None, description="Where each signed checkpoint is also POSTed (optional)")
    timeout_s: float = Field(5.0, gt=0, description="Timeout of the checkpoint webhook")


class ScoringSettings(BaseModel):
    """Customer-value horizons (`HYPERJOURNEY_SCORING__…`); read when the CLV model is trained, stored with it."""

    clv_horizons_days: list[int] = Field(
        [30, 90, 180, 365], min_length=1, description="Horizons in days for which a CLV score is produced"
    )
    annual_discount_rate: float = Field(0.10, ge=0, le=1, description="Yearly discount rate of the lifetime value")
    lifetime_years: float = Field(5.0, gt=0, le=20, description="Cap on the periods summed into the lifetime value")

    @field_validator("clv_horizons_days")
    @classmethod
    def _positive_unique(cls, days: list[int]) -> list[int]:
        if any(d <= 0 for d in days):
            raise ValueError(f"clv_horizons_days must be positive numbers of days, not {days}")
        return sorted(set(days))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HYPERJOURNEY_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    home: Path = Field(Path("~/.hyperjourney"), description="Where the embedded database and artifacts live")
    database_url: SecretStr | None = Field(
        None, description="Admin URL of an external Postgres with pgvector; unset means the embedded server"
    )
    app_database_url: SecretStr | None = Field(
        None,
        description="URL the application connects with (a role without BYPASSRLS); "
        "unset means the admin URL with the user switched to app_db_role",
    )
    app_db_role: str = Field("hyperjourney_app", pattern=r"^[a-z_][a-z0-9_]*$")
    app_db_password: SecretStr | None = Field(None, description="Password set on the app role (external DB)")
    tenant: str = Field("demo", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$", description="Default tenant")
    pool_max_size: int = Field(8, ge=1, le=100)
    pool_guard: bool = Field(
        False, description="Raise when a thread holding a pooled connection asks for another (tests turn it on)"
    )
    log_format: Literal["json", "text"] = Field(
        "json", description="`serve` and `worker` logs: JSON lines with request and run ids, or plain text"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO")
    llm_small: LLMTier = Field(default_factory=lambda: LLMTier())
    llm_large: LLMTier = Field(default_factory=lambda: LLMTier())
    budgets: Budgets = Field(default_factory=Budgets)
    router: RouterSettings = Field(default_factory=RouterSettings)
    embeddings: Embeddings = Field(default_factory=lambda: Embeddings())
    knowledge: Knowledge = Field(default_factory=Knowledge)
    api: ApiSettings = Field(default_factory=lambda: ApiSettings())
    ui: UiSettings = Field(default_factory=UiSettings)
    channels: ChannelSettings = Field(default_factory=lambda: ChannelSettings())
    graphs: GraphSettings = Field(default_factory=GraphSettings)
    assistant: AssistantSettings = Field(default_factory=AssistantSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    audit: AuditSettings = Field(default_factory=lambda: AuditSettings())
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    redaction_key: SecretStr | None = Field(
        None,
        description="Key for redaction tokens in process logs (no tenant); unset means a key file created once "
        "under home/secrets. Tenants have their own keys in Postgres.",
    )

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    def masked(self) -> dict[str, Any]:
        """Effective settings as plain data with every secret replaced by '****'."""
        data = self.model_dump(mode="json")
        return _mask(data, self)


def _mask(data: Any, model: Any) -> Any:
    if isinstance(model, BaseModel):
        out: dict[str, Any] = {}
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, SecretStr):
                out[name] = "****" if value.get_secret_value() else ""
            else:
                out[name] = _mask(data[name], value)
        return out
    if isinstance(model, dict):
        return {key: _mask(data[key], value) for key, value in model.items()}
    return data


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
