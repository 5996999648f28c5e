"""The one wildcard matcher: AWS's ``*`` / ``?`` patterns, used by every part that matches names.

AWS uses the same two wildcards in IAM policies (actions, resources, ``StringLike`` and
``ArnLike`` values) and in AWS Backup selections: ``*`` matches any run of characters, also
none and also ``/`` or ``:``; ``?`` matches exactly one character. Nothing else is special (no
``[...]`` classes, unlike ``fnmatch``). AWS Backup documents only ``*``, so its callers pass
``single_char=False`` and a ``?`` there is a literal question mark.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html

Used by the policy evaluator (``model.policy*``), ``model.backup_match`` and the suppression
patterns of the configuration.
"""

from __future__ import annotations

import re
from functools import lru_cache


def has_wildcard(pattern: str, *, single_char: bool = True) -> bool:
    """Does ``pattern`` hold a character that matches more than itself?"""
    return "*" in pattern or (single_char and "?" in pattern)


@lru_cache(maxsize=4096)
def _compiled(pattern: str, ignore_case: bool, single_char: bool) -> re.Pattern[str]:
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?" and single_char:
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(parts), flags)


def matches(
    pattern: str, value: str, *, ignore_case: bool = False, single_char: bool = True
) -> bool:
    """Does ``value`` match ``pattern`` as a whole (not a substring)?"""
    return _compiled(pattern, ignore_case, single_char).fullmatch(value) is not None


def covers_prefix(pattern: str, prefix: str, *, ignore_case: bool = False) -> bool:
    """True when ``pattern`` matches EVERY string that starts with ``prefix``.

    ``dynamodb:*``, ``dyn*`` and ``*`` cover the prefix ``dynamodb:``; ``dynamodb:Get*`` does
    not: what is left of the pattern after ``prefix`` must be stars only, at least one.
    """
    if ignore_case:
        pattern, prefix = pattern.lower(), prefix.lower()
    states = _states_after(pattern, prefix)
    return any(pattern[i:].strip("*") == "" and "*" in pattern[i:] for i in states)


def extends_prefix(pattern: str, prefix: str, *, ignore_case: bool = False) -> bool:
    """True when SOME string starting with ``prefix`` matches ``pattern``.

    ``arn:aws:iam::*:role/app`` can match an ARN that starts with ``arn:aws:iam::999:`` (the
    rest is the caller's to name); ``arn:aws:iam::111:role/*`` cannot.
    """
    if ignore_case:
        pattern, prefix = pattern.lower(), prefix.lower()
    return bool(_states_after(pattern, prefix))


def _states_after(pattern: str, prefix: str) -> set[int]:
    """Positions in ``pattern`` reachable after matching all of ``prefix`` (an NFA walk)."""
    states = _close({0}, pattern)
    for ch in prefix:
        nxt: set[int] = set()
        for i in states:
            if i < len(pattern):
                if pattern[i] == "*":
                    nxt.add(i)  # the star absorbs ch and stays open
                elif pattern[i] in ("?", ch):
                    nxt.add(i + 1)
        states = _close(nxt, pattern)
        if not states:
            break
    return states


def _close(states: set[int], pattern: str) -> set[int]:
    """Add the positions reachable by letting a star match nothing."""
    out = set(states)
    todo = list(states)
    while todo:
        i = todo.pop()
        if i < len(pattern) and pattern[i] == "*" and i + 1 not in out:
            out.add(i + 1)
            todo.append(i + 1)
    return out
