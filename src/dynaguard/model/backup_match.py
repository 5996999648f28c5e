"""Does an AWS Backup selection (resource assignment) select a given DynamoDB table?

Pure and local: the collector reads every selection of a region once, and DDB.005 matches each
table here. AWS Backup semantics, from the BackupSelection API reference
(https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html) and
"Assign resources with AWS CLI"
(https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources-json.html):

- ``Resources``: ARN patterns, ``*`` matches zero or more characters; OR-ed.
- ``ListOfTags``: tag conditions (StringEquals), OR-ed with each other AND with ``Resources``:
  a resource matching either is selected (a tag does not narrow a ``Resources`` wildcard; see
  hashicorp/terraform-provider-aws#41274 and aws/aws-cdk#18911).
- ``Conditions``: StringEquals / StringLike / StringNotEquals / StringNotLike on
  ``aws:ResourceTag/KEY``; AND-ed, and they narrow what ``Resources`` selected. We also apply
  them to what ``ListOfTags`` selected (the conservative reading: coverage is never claimed on
  the strength of a selection whose conditions the table fails).
- ``NotResources``: ARN patterns removed from the result, whatever selected them.
- Values and keys are case sensitive. As in IAM, a negated operator on a tag the resource does
  not carry is true.

A selection with neither ``Resources`` nor ``ListOfTags`` is rejected by the API ("Either
'ListOfTags' or 'Resources' section must be non-empty"), so it selects nothing here.

Service opt-in ("Assign resources to a backup plan",
https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html): a resource
type that a selection assigns explicitly (here: a ``Resources`` ARN whose service is literally
``dynamodb``) is backed up even when the Region is not opted in for it; a selection that
reaches the table only through tags or through an ARN pattern that names no service (``*``,
``arn:aws:*:*:*:*``: "include all resources") honours the opt-in
(``DescribeRegionSettings.ResourceTypeOptInPreference["DynamoDB"]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dynaguard.model import wildcard
from dynaguard.model.resources import BackupSelection, TagCondition

_TAG_PREFIX = "aws:resourcetag/"
_OPERATORS = ("STRINGEQUALS", "STRINGLIKE", "STRINGNOTEQUALS", "STRINGNOTLIKE")


def wildcard_matches(pattern: str, value: str) -> bool:
    """AWS Backup wildcard: ``*`` is any run of characters (also none); nothing else is special."""
    return wildcard.matches(pattern, value, single_char=False)


def tag_key(condition_key: str) -> str:
    """``aws:ResourceTag/backup`` and ``backup`` both name the tag key ``backup``."""
    if condition_key.lower().startswith(_TAG_PREFIX):
        return condition_key[len(_TAG_PREFIX) :]
    return condition_key


def condition_holds(condition: TagCondition, tags: Mapping[str, str]) -> bool:
    """One tag condition against a resource's known tags."""
    operator = condition.operator.upper().replace("_", "")
    if operator not in _OPERATORS:
        raise ValueError(f"unsupported backup selection condition operator {condition.operator!r}")
    value = tags.get(tag_key(condition.key))
    if operator == "STRINGEQUALS":
        return value == condition.value
    if operator == "STRINGLIKE":
        return value is not None and wildcard_matches(condition.value, value)
    if operator == "STRINGNOTEQUALS":
        return value != condition.value
    return value is None or not wildcard_matches(condition.value, value)


def _or(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: True wins, then None (undecided), else False."""
    result: bool | None = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


def _and(values: Iterable[bool | None]) -> bool | None:
    """Three-valued AND: False wins, then None (undecided), else True."""
    result: bool | None = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def _tag_tests(
    conditions: tuple[TagCondition, ...], tags: Mapping[str, str] | None
) -> list[bool | None]:
    if tags is None:
        return [None] * len(conditions)
    return [condition_holds(c, tags) for c in conditions]


def names_dynamodb(pattern: str) -> bool:
    """Does the ARN pattern assign DynamoDB explicitly (its service part is ``dynamodb``)?"""
    parts = pattern.split(":")
    return len(parts) > 2 and parts[2] == "dynamodb"


def selection_covers(
    selection: BackupSelection,
    table_arn: str,
    tags: Mapping[str, str] | None,
    opted_in: bool | None = True,
) -> bool | None:
    """Whether ``selection`` selects the table; None when that depends on what we do not know:
    the table's tags (``tags`` None: they could not be read) or the Region's opt-in for
    DynamoDB (``opted_in`` None). Raises ValueError for an operator AWS Backup does not have.
    """
    if any(wildcard_matches(p, table_arn) for p in selection.not_resources):
        return False
    matching = [p for p in selection.resources if wildcard_matches(p, table_arn)]
    explicit = any(names_dynamodb(p) for p in matching)
    by_all_resources = bool(matching) and not explicit
    by_tags = _or(_tag_tests(selection.list_of_tags, tags))
    honours_opt_in = _and([_or((by_all_resources, by_tags)), opted_in])
    included = _or((explicit, honours_opt_in))
    return _and([included, *_tag_tests(selection.conditions, tags)])


def covering_selections(
    selections: Iterable[BackupSelection],
    table_arn: str,
    tags: Mapping[str, str] | None,
    opted_in: bool | None = True,
) -> tuple[list[BackupSelection], list[BackupSelection]]:
    """(selections that cover the table, selections whose decision depends on what is not
    known: tags or the Region's opt-in)."""
    covering, undecided = [], []
    for s in selections:
        verdict = selection_covers(s, table_arn, tags, opted_in)
        if verdict is True:
            covering.append(s)
        elif verdict is None:
            undecided.append(s)
    return covering, undecided
