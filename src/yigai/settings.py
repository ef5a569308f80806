"""Settings from ``YIGAI_*`` environment variables; nothing is read at import time."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from yigai.domain.errors import ConfigurationError

DEFAULT_DATA_DIR = "./var"
DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

# Evidence files attached to progress reports (督办佐证材料): what offices circulate —
# scans, photos, Word/Excel/PDF/OFD documents — and nothing executable.
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".ofd": "application/ofd",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
}


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    # Reverse proxies whose X-Forwarded-For names the client (YIGAI_TRUSTED_PROXIES); from any other
    # peer the header is ignored, so nobody can pick the address that sign-in throttling counts.
    trusted_proxies: tuple[Network, ...] = ()

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def analytics_path(self) -> Path:
        return self.data_dir / "records.duckdb"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(str(overrides.get("data_dir") or env.get("YIGAI_DATA_DIR") or DEFAULT_DATA_DIR))
        url = str(overrides.get("database_url") or env.get("YIGAI_DATABASE_URL") or "")
        if not url:
            url = f"sqlite:///{(data_dir / 'yigai.sqlite3').as_posix()}"
        raw_max = overrides.get("max_document_bytes") or env.get("YIGAI_MAX_DOCUMENT_BYTES")
        try:
            max_bytes = int(str(raw_max)) if raw_max else DEFAULT_MAX_DOCUMENT_BYTES
        except ValueError as exc:
            raise ConfigurationError(
                f"YIGAI_MAX_DOCUMENT_BYTES must be an integer, got {raw_max!r}",
                message_zh="YIGAI_MAX_DOCUMENT_BYTES 必须是整数",
                where="YIGAI_MAX_DOCUMENT_BYTES",
            ) from exc
        if max_bytes <= 0:
            raise ConfigurationError(
                "YIGAI_MAX_DOCUMENT_BYTES must be positive",
                message_zh="YIGAI_MAX_DOCUMENT_BYTES 必须为正数",
                where="YIGAI_MAX_DOCUMENT_BYTES",
            )
        proxies = overrides.get("trusted_proxies")
        trusted = (
            proxies
            if isinstance(proxies, tuple)
            else parse_networks(str(proxies if proxies is not None else env.get("YIGAI_TRUSTED_PROXIES", "")))
        )
        return cls(data_dir=data_dir, database_url=url, max_document_bytes=max_bytes, trusted_proxies=trusted)


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"127.0.0.1, 10.8.0.0/16"`` → the networks; a bad entry is a ConfigurationError naming it."""
    found = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ConfigurationError(
                f"YIGAI_TRUSTED_PROXIES: {part!r} is not an IP address or network (e.g. 127.0.0.1, 10.8.0.0/16)",
                message_zh=f"YIGAI_TRUSTED_PROXIES 中的「{part}」不是 IP 地址或网段（例如 127.0.0.1、10.8.0.0/16）",
                where="YIGAI_TRUSTED_PROXIES",
            ) from exc
    return tuple(found)
