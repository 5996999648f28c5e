"""Structured logging with a run id, and redaction of anything that looks like a secret.

``-v`` / ``-vv`` raise verbosity; ``--log-format json`` emits one JSON object per line on stderr
(for log shippers). Every record carries the run id. The redaction filter runs on every record,
so neither a message nor an argument can leak an access key, secret key or session token.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

LOGGER_NAME = "dynaguard"

# AWS access key ids, 40-char secret keys, session tokens, and key=value secrets.
_SECRET_PATTERNS = (
    re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b"),
    re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"),
    re.compile(r"(?i)(aws_session_token|x-amz-security-token|sessiontoken)([\"'=:\s]+)[^\s\"',}]+"),
    re.compile(r"(?i)(secret[_-]?access[_-]?key|password|secret)([\"'=:\s]+)[^\s\"',}]+"),
    re.compile(r"(?i)(authorization)([\"'=:\s]+)[^\"',}]+"),
)


def redact(text: str) -> str:
    """Replace anything secret-looking in ``text`` with a placeholder."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups >= 2:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}[REDACTED]", text)
        else:
            text = pattern.sub("[REDACTED]", text)
    return text


class RedactingFilter(logging.Filter):
    """Renders the message once, redacted, so formatters never see raw arguments."""

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
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
