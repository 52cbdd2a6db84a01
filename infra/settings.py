"""Settings, read once from the environment into one typed object."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///zhixin.db"
SECRET_FILE = ".zhixin-secret"


class SettingsError(ValueError):
    """An environment variable holds a value that cannot be used."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise SettingsError(name, f"expected a URL starting with one of {', '.join(schemes)}")
    if parts.scheme.startswith(("http", "redis", "postgresql")) and not parts.netloc:
        raise SettingsError(name, "the URL has no host")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(name, f"must be between {low} and {high}, got {value}")
    return value


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# a reverse proxy on the same host (nginx, Caddy) is the usual deployment
LOOPBACK_PROXIES = "127.0.0.1,::1"


def _networks(env: Mapping[str, str], name: str, default: str) -> tuple[IPNetwork, ...]:
    """Comma-separated addresses or CIDR blocks (``10.0.0.5, 172.16.0.0/12``); ``none``
    for an empty list."""
    raw = env.get(name, "").strip() or default
    if raw.lower() == "none":
        return ()
    nets = []
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsError(
                name, f"expected IP addresses or CIDR blocks separated by commas, got {part!r}"
            ) from None
    return tuple(nets)


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "true", "1", "yes"):
        return True
    if raw in ("off", "false", "0", "no"):
        return False
    raise SettingsError(name, f"expected on or off, got {raw!r}")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    bot_token: str | None = None
    telegram_api: str | None = None
    webhook_base: str | None = None
    secret_key: str | None = None
    registry_file: Path | None = None
    max_body_bytes: int = 256 * 1024
    log_level: str = "INFO"
    # reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed
    trusted_proxies: tuple[IPNetwork, ...] = tuple(
        ipaddress.ip_network(a) for a in LOOPBACK_PROXIES.split(",")
    )
    # off only for load benchmarks: filing and access-code checks are then unlimited
    rate_limits: bool = True
    # /metrics: a bearer token for the scraper; unset, clients on this host only
    metrics_token: str | None = None
    # staff tokens and API keys stop working this many days after they are issued
    token_days: int = 90
    # evidence files: a folder (content-addressed), or an S3-compatible bucket when
    # evidence_s3_url is set; None: ``evidence/`` in the working directory
    evidence_dir: Path | None = None
    evidence_s3_url: str | None = None
    evidence_s3_bucket: str = "zhixin-evidence"
    evidence_s3_access_key: str | None = None
    evidence_s3_secret_key: str | None = None
    evidence_s3_region: str = "us-east-1"
    # networks an Open311 media_url may point into besides the public Internet
    media_fetch_allow: tuple[IPNetwork, ...] = ()
    # the enterprise search index file every process on the machine maps (None: each
    # process builds its own in memory)
    index_file: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_secret(self) -> str:
        if not self.secret_key:
            raise SettingsError(
                "ZHIXIN_SECRET_KEY",
                "is required (run `zhixin demo` once to generate one for a demo installation)",
            )
        return self.secret_key


def load_settings(env: Mapping[str, str] | None = None, workdir: Path | None = None) -> Settings:
    """Build the settings from the environment (``os.environ`` by default)."""
    env = os.environ if env is None else env
    workdir = workdir or Path.cwd()
    database_url = _url(
        env,
        "ZHIXIN_DATABASE_URL",
        ("sqlite+aiosqlite", "postgresql+asyncpg", "postgresql", "postgres"),
    )
    if database_url and database_url.startswith(("postgresql://", "postgres://")):
        database_url = "postgresql+asyncpg://" + database_url.split("://", 1)[1]
    token = env.get("ZHIXIN_BOT_TOKEN", "").strip() or None
    if token and (":" not in token or not token.split(":", 1)[0].isdigit()):
        raise SettingsError("ZHIXIN_BOT_TOKEN", "expected a token of the form 123456:ABC...")
    secret = env.get("ZHIXIN_SECRET_KEY", "").strip() or None
    if secret and len(secret) < 16:
        raise SettingsError("ZHIXIN_SECRET_KEY", "must be at least 16 characters")
    if secret is None and (workdir / SECRET_FILE).exists():
        secret = (workdir / SECRET_FILE).read_text().strip() or None
    registry = env.get("ZHIXIN_REGISTRY_FILE", "").strip()
    if registry and not Path(registry).is_file():
        raise SettingsError("ZHIXIN_REGISTRY_FILE", f"no such file: {registry}")
    level = env.get("ZHIXIN_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError("ZHIXIN_LOG_LEVEL", f"unknown level {level!r}")
    s3_url = _url(env, "ZHIXIN_EVIDENCE_S3_URL", ("http", "https"))
    bucket = env.get("ZHIXIN_EVIDENCE_S3_BUCKET", "").strip() or "zhixin-evidence"
    if not 3 <= len(bucket) <= 63 or not all(
        c.islower() or c.isdigit() or c in ".-" for c in bucket
    ):
        raise SettingsError(
            "ZHIXIN_EVIDENCE_S3_BUCKET", "expected 3 to 63 lower-case letters, digits, dots or -"
        )
    evidence_dir = env.get("ZHIXIN_EVIDENCE_DIR", "").strip()
    return Settings(
        database_url=database_url or DEFAULT_DATABASE_URL,
        evidence_dir=Path(evidence_dir) if evidence_dir else None,
        evidence_s3_url=s3_url,
        evidence_s3_bucket=bucket,
        evidence_s3_access_key=env.get("ZHIXIN_EVIDENCE_S3_ACCESS_KEY", "").strip() or None,
        evidence_s3_secret_key=env.get("ZHIXIN_EVIDENCE_S3_SECRET_KEY", "").strip() or None,
        evidence_s3_region=env.get("ZHIXIN_EVIDENCE_S3_REGION", "").strip() or "us-east-1",
        media_fetch_allow=_networks(env, "ZHIXIN_MEDIA_FETCH_ALLOW", "none"),
        redis_url=_url(env, "ZHIXIN_REDIS_URL", ("redis", "rediss", "unix")),
        bot_token=token,
        telegram_api=_url(env, "ZHIXIN_TELEGRAM_API", ("http", "https")),
        webhook_base=_url(env, "ZHIXIN_WEBHOOK_BASE", ("http", "https")),
        secret_key=secret,
        registry_file=Path(registry) if registry else None,
        max_body_bytes=_int(env, "ZHIXIN_MAX_BODY_BYTES", 256 * 1024, 1024, 64 * 1024 * 1024),
        log_level=level,
        trusted_proxies=_networks(env, "ZHIXIN_TRUSTED_PROXIES", LOOPBACK_PROXIES),
        rate_limits=_switch(env, "ZHIXIN_RATE_LIMITS", True),
        metrics_token=_metrics_token(env),
        token_days=_int(env, "ZHIXIN_TOKEN_DAYS", 90, 1, 3650),
        index_file=_index_file(env, database_url or DEFAULT_DATABASE_URL, workdir),
    )


def _metrics_token(env: Mapping[str, str]) -> str | None:
    token = env.get("ZHIXIN_METRICS_TOKEN", "").strip() or None
    if token is not None and (len(token) < 16 or not token.isascii() or not token.isprintable()):
        raise SettingsError(
            "ZHIXIN_METRICS_TOKEN", "must be at least 16 printable ASCII characters"
        )
    return token


def _index_file(env: Mapping[str, str], database_url: str, workdir: Path) -> Path | None:
    """``ZHIXIN_INDEX_FILE``: a path, ``off``, or by default one file per database in the
    cache folder (``$ZHIXIN_CACHE_DIR``, else ``~/.cache/zhixin``)."""
    raw = env.get("ZHIXIN_INDEX_FILE", "").strip()
    if raw.lower() == "off":
        return None
    if raw:
        path = Path(raw).expanduser()
        if path.is_dir():
            raise SettingsError("ZHIXIN_INDEX_FILE", f"is a folder, expected a file: {raw}")
        return path if path.is_absolute() else workdir / path
    cache = env.get("ZHIXIN_CACHE_DIR", "").strip()
    folder = Path(cache).expanduser() if cache else Path.home() / ".cache" / "zhixin"
    if database_url.startswith("sqlite") and ":///" in database_url:
        # a relative SQLite path names a file in the working directory
        head, _, db_path = database_url.partition(":///")
        if db_path and not db_path.startswith((":memory:", "/")):
            database_url = f"{head}:///{workdir / db_path}"
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return folder / f"lookup-{digest}.idx"


def ensure_demo_secret(workdir: Path | None = None) -> str:
    """Return the demo installation's secret, generating and storing it on first use."""
    path = (workdir or Path.cwd()) / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(32)
    # 0600 from creation: written first and chmod-ed after, it would be readable meanwhile
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    return secret
