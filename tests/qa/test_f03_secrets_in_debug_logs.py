"""QA F03: -vvv logs carry the session token (the redaction replaces only the ``b`` of the
bytes repr), the STS response's SessionToken (XML) and the ExternalId in clear."""

from __future__ import annotations

import pytest

from dynaguard.logs import redact

TOKEN = "FQoGZXIvYXdzEBYaDLqbmaruvTJMRPV6YA92PmCrf1djtZ"


@pytest.mark.parametrize(
    "line",
    [
        # botocore's request headers at -vvv (DEBUG botocore.endpoint / hooks)
        f"headers={{'X-Amz-Security-Token': b'{TOKEN}', 'Authorization': b'AWS4-HMAC'}}",
        # the AssumeRole response body, logged by botocore.parsers at DEBUG
        f"<Credentials><SessionToken>{TOKEN}</SessionToken></Credentials>",
        # the AssumeRole request params
        f"{{'RoleSessionName': 'dynaguard-x', 'ExternalId': '{TOKEN}'}}",
    ],
)
def test_redact_removes_tokens(line: str) -> None:
    assert TOKEN not in redact(line)
