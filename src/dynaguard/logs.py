"""Structured logging with a run id, and redaction of anything that looks like a secret.

``-v`` / ``-vv`` raise verbosity; ``--log-format json`` emits one JSON object per line on stderr
(for log shippers). Every record carries the run id. The redaction filter runs on every record,
so neither a message nor an argument can leak an access key, secret key or session token.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from typing import Any

from dynaguard.sanitize import clean

LOGGER_NAME = "dynaguard"

# Names whose value is a secret, however botocore writes the pair at -vvv: a header dict
# (``'X-Amz-Security-Token': b'IQo...'``), a canonical request (``x-amz-security-token:IQo``), a
# form body (``ExternalId=abc&``), JSON (``"SessionToken": "..."``) or key=value text.
_SECRET_NAMES = (
    r"aws_session_token|aws_security_token|x-amz-security-token|security[_-]?token"
    r"|session[_-]?token|external[_-]?id|secret[_-]?access[_-]?key|aws_secret_access_key"
    r"|password|secret"
)
_QUOTED = r"""b?(["'])(?:(?!\4).)*\4"""  # 'x', "x", b'x' (group 4 is the quote)
_SECRET_PATTERNS = (
    # XML elements of an STS response (AssumeRole, GetSessionToken...)
    re.compile(r"<(SessionToken|SecretAccessKey|AccessKeyId|ExternalId)>[^<]*</\1>", re.I),
    re.compile(rf"""(?i)(?<![\w-])({_SECRET_NAMES})(["']?\s*[:=]\s*)({_QUOTED}|[^\s"',}}&<]+)"""),
    re.compile(rf"""(?i)(?<![\w-])(authorization)(["']?\s*[:=]\s*)({_QUOTED}|[^\n"'}}]+)"""),
    # AWS access key ids; 40-character secret keys; session tokens by their fixed prefixes
    re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b"),
    re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"),
    re.compile(r"(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE|FQoGZXIvYXdzE)[A-Za-z0-9/+=%]{16,}"),
)
# Values known to be secret in this process (the environment's credentials, --external-id):
# redacted wherever they appear, in whatever syntax.
_KNOWN: set[str] = set()
_SECRET_ENVIRONMENT = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
MIN_KNOWN_SECRET = 6  # shorter values would redact ordinary words


def register_secret(value: str | None) -> None:
    """Redact ``value`` (and its URL-encoded form) from every log record from now on."""
    if value and len(value) >= MIN_KNOWN_SECRET:
        from urllib.parse import quote

        _KNOWN.update({value, quote(value, safe="")})


def redact(text: str) -> str:
    """Replace anything secret-looking in ``text`` with a placeholder."""
    for known in sorted(_KNOWN, key=len, reverse=True):
        text = text.replace(known, "[REDACTED]")
    for pattern in _SECRET_PATTERNS:
        if pattern.groups >= 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}[REDACTED]", text)
        elif pattern.groups == 1:
            text = pattern.sub(lambda m: f"<{m.group(1)}>[REDACTED]</{m.group(1)}>", text)
        else:
            text = pattern.sub("[REDACTED]", text)
    return text


class RedactingFilter(logging.Filter):
    """Renders the message once, redacted, so formatters never see raw arguments."""

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = clean(redact(record.getMessage()))
        record.args = None
        record.run_id = self.run_id
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "run_id": getattr(record, "run_id", None),
            "msg": record.getMessage(),
        }
        for key in ("region", "service", "operation", "table", "account"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info).splitlines()[-1])
        return json.dumps(entry, default=str)


def setup_logging(verbosity: int, fmt: str, run_id: str) -> logging.Logger:
    """Configure the dynaguard logger (and botocore's at -vvv) to write to stderr."""
    for name in _SECRET_ENVIRONMENT:
        register_secret(os.environ.get(name))
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter(run_id))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(f"%(asctime)s %(levelname)s [{run_id}] %(name)s: %(message)s")
        )
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    botocore_logger = logging.getLogger("botocore")
    if verbosity >= 3:
        botocore_logger.handlers[:] = [handler]
        botocore_logger.setLevel(logging.DEBUG)
    return logger


def get_logger(name: str = "") -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)
