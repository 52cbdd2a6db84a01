from pathlib import Path

import pytest

from infra.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings


def test_defaults(tmp_path: Path) -> None:
    s = load_settings({}, workdir=tmp_path)
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.redis_url is None and s.bot_token is None and s.webhook_base is None
    assert s.secret_key is None
    with pytest.raises(SettingsError, match="ZHIXIN_SECRET_KEY"):
        s.require_secret()


def test_postgres_url_gets_the_async_driver(tmp_path: Path) -> None:
    s = load_settings({"ZHIXIN_DATABASE_URL": "postgresql://u@db/zx"}, workdir=tmp_path)
    assert s.database_url == "postgresql+asyncpg://u@db/zx"
    assert not s.is_sqlite


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ZHIXIN_DATABASE_URL", "mysql://x/y"),
        ("ZHIXIN_REDIS_URL", "http://127.0.0.1:6379"),
        ("ZHIXIN_BOT_TOKEN", "not-a-token"),
        ("ZHIXIN_TELEGRAM_API", "ftp://example"),
        ("ZHIXIN_WEBHOOK_BASE", "example.org/hook"),
        ("ZHIXIN_SECRET_KEY", "short"),
        ("ZHIXIN_MAX_BODY_BYTES", "lots"),
        ("ZHIXIN_LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_values_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings({name: value}, workdir=tmp_path)
    assert err.value.variable == name
    assert name in str(err.value)


def test_demo_secret_file_is_used(tmp_path: Path) -> None:
    from infra.settings import ensure_demo_secret

    secret = ensure_demo_secret(tmp_path)
    assert load_settings({}, workdir=tmp_path).secret_key == secret
    assert ensure_demo_secret(tmp_path) == secret  # stored, not regenerated
    assert (tmp_path / ".zhixin-secret").stat().st_mode & 0o077 == 0


def test_evidence_storage_settings(tmp_path: Path) -> None:
    s = load_settings(
        {
            "ZHIXIN_EVIDENCE_DIR": str(tmp_path / "files"),
            "ZHIXIN_EVIDENCE_S3_URL": "https://s3.example.cn",
            "ZHIXIN_EVIDENCE_S3_BUCKET": "zhixin-evidence-prod",
            "ZHIXIN_EVIDENCE_S3_ACCESS_KEY": "AK",
            "ZHIXIN_EVIDENCE_S3_SECRET_KEY": "SK",
            "ZHIXIN_MEDIA_FETCH_ALLOW": "10.1.0.0/16",
        },
        workdir=tmp_path,
    )
    assert s.evidence_dir == tmp_path / "files"
    assert s.evidence_s3_url == "https://s3.example.cn"
    assert s.evidence_s3_bucket == "zhixin-evidence-prod"
    assert [str(n) for n in s.media_fetch_allow] == ["10.1.0.0/16"]
    assert load_settings({}, workdir=tmp_path).media_fetch_allow == ()
    for name, value in (
        ("ZHIXIN_EVIDENCE_S3_URL", "ftp://x"),
        ("ZHIXIN_EVIDENCE_S3_BUCKET", "Bad_Bucket"),
    ):
        with pytest.raises(SettingsError, match=name):
            load_settings({name: value}, workdir=tmp_path)


def test_index_file_setting(tmp_path: Path) -> None:
    base = {"ZHIXIN_CACHE_DIR": str(tmp_path / "cache")}
    one = load_settings({**base, "ZHIXIN_DATABASE_URL": "sqlite+aiosqlite:///a.db"}, tmp_path)
    two = load_settings({**base, "ZHIXIN_DATABASE_URL": "sqlite+aiosqlite:///b.db"}, tmp_path)
    # by default one file per database, in the cache folder
    assert one.index_file.parent == tmp_path / "cache" and one.index_file != two.index_file
    elsewhere = load_settings({**base, "ZHIXIN_DATABASE_URL": "sqlite+aiosqlite:///a.db"})
    assert elsewhere.index_file != one.index_file  # a relative path is another database
    chosen = load_settings({"ZHIXIN_INDEX_FILE": "idx/lookup.idx"}, tmp_path)
    assert chosen.index_file == tmp_path / "idx" / "lookup.idx"
    assert load_settings({"ZHIXIN_INDEX_FILE": "off"}, tmp_path).index_file is None
    with pytest.raises(SettingsError, match="ZHIXIN_INDEX_FILE"):
        load_settings({"ZHIXIN_INDEX_FILE": str(tmp_path)}, tmp_path)
