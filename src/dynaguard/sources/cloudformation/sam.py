"""``Transform: AWS::Serverless-2016-10-31``: the resources SAM deploys, translated by SAM.

SAM's own translator (aws-sam-translator, AWS's library behind the transform) turns
``AWS::Serverless::SimpleTable`` into an ``AWS::DynamoDB::Table`` (with the ``Globals`` that
apply to it), and a ``AWS::Serverless::Function`` or ``StateMachine`` without a ``Role`` into
the ``AWS::IAM::Role`` it creates: its ``Policies`` (policy templates such as
``DynamoDBCrudPolicy``, inline statements) become the role's inline policies and managed
policy names its ``ManagedPolicyArns``, exactly as deployed. The ordinary CloudFormation
mappers then judge them: the table by DDB.001-017, the role's policies by DDB.012.

The SAM resources are translated in a copy of the template holding only them (and
``Parameters``, ``Conditions``, ``Mappings``, ``Globals``), with what needs files or other
resources left out: a local ``CodeUri`` / ``DefinitionUri`` or an image ``sam build`` makes
(the code is not scanned; ``sam package`` would upload it), ``Events`` (event sources) and
``Connectors``. When SAM rejects one, each is translated on its own: the one it rejects is one
problem at its line, the others are still judged. Generated resources
carry the line of the SAM resource, so findings and inline suppressions point there.

The translator needs a region only to pick the partition (``aws``); a stand-in region is given
and any place it was substituted for ``AWS::Region`` is turned back into ``${AWS::Region}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from contextlib import suppress
from copy import deepcopy
from functools import cache
from typing import Any

from dynaguard.sources.cloudformation.language_extensions import declared_transforms
from dynaguard.sources.iac.problems import InputProblem

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_TRANSLATED = {
    "AWS::Serverless::SimpleTable": "AWS::DynamoDB::Table",
    "AWS::Serverless::Function": "AWS::IAM::Role",
    "AWS::Serverless::StateMachine": "AWS::IAM::Role",
}
_CODE_LOCATIONS = {
    "AWS::Serverless::Function": ("CodeUri", "s3://dynaguard-placeholder/code.zip"),
    "AWS::Serverless::StateMachine": ("DefinitionUri", "s3://dynaguard-placeholder/sm.json"),
}
_DROPPED = ("Events", "Connectors")
_CONTEXT = ("Parameters", "Conditions", "Mappings", "Globals")
_STAND_IN_REGION = "dynaguard-stand-in-region"
_STAND_IN_IMAGE = "000000000000.dkr.ecr.us-east-1.amazonaws.com/dynaguard-placeholder:latest"
_ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")


def _sanitised(resource: Mapping[str, Any]) -> dict[str, Any]:
    """The resource as the translator can take it offline (see the module docstring)."""
    copy = json.loads(json.dumps(resource, default=str))
    props = copy.get("Properties")
    if not isinstance(props, dict):
        return dict(copy)
    for key in _DROPPED:
        props.pop(key, None)
    location = _CODE_LOCATIONS.get(str(copy.get("Type")))
    if location is not None:
        name, stand_in = location
        value = props.get(name)
        local = isinstance(value, str) and not value.startswith("s3://")
        missing = name == "CodeUri" and value is None and "InlineCode" not in props
        if props.get("PackageType") == "Image":  # sam build makes the image: a stand-in
            image = props.get("ImageUri")
            if not (isinstance(image, str) and _ECR_IMAGE.match(image)):
                props["ImageUri"] = _STAND_IN_IMAGE
        elif local or missing:
            props[name] = stand_in
        if name == "DefinitionUri" and "Definition" in props:
            props.pop(name, None)
    return dict(copy)


@cache
def _session() -> Any:
    """A boto3 session naming the stand-in region (made once: sessions are slow to make)."""
    import boto3

    return boto3.session.Session(region_name=_STAND_IN_REGION)


@cache
def _translator_module() -> Any:
    """samtranslator's translator module, with its policy-templates plugin made once.

    ``Translator.translate`` builds a ``PolicyTemplatesProcessor`` for every call, and that
    validates all of SAM's policy templates against their JSON schema (~0.1 s): a survey of
    hundreds of SAM templates spent most of its time there. The plugin holds nothing but the
    processor, so one is shared (when the module still has that factory)."""
    from samtranslator.translator import translator

    factory = getattr(translator, "make_policy_template_for_function_plugin", None)
    if callable(factory):
        plugin = factory()
        translator.make_policy_template_for_function_plugin = lambda: plugin
    return translator


def _translate(resources: Mapping[str, Any], template: Mapping[str, Any]) -> dict[str, Any]:
    """The CloudFormation resources SAM makes of ``resources`` (SAM resources by id)."""
    from samtranslator.parser.parser import Parser

    translator_class = _translator_module().Translator

    reduced: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": SAM_TRANSFORM,
        "Resources": {str(k): _sanitised(v) for k, v in resources.items()},
    }
    for key in _CONTEXT:
        if isinstance(template.get(key), Mapping):
            reduced[key] = json.loads(json.dumps(template[key], default=str))
    translator = translator_class(
        managed_policy_map=None, sam_parser=Parser(), boto_session=_session()
    )
    try:
        translated = translator.translate(reduced, parameter_values={})
    finally:
        translator.metrics.publish()  # else the translator warns about unpublished metrics
    out: dict[str, Any] = _region_back(translated.get("Resources") or {})
    return out


def _region_back(node: Any) -> Any:
    """Put ``AWS::Region`` back where the stand-in region was substituted."""
    if isinstance(node, str) and _STAND_IN_REGION in node:
        if node == _STAND_IN_REGION:
            return {"Ref": "AWS::Region"}
        return {"Fn::Sub": node.replace("${", "${!").replace(_STAND_IN_REGION, "${AWS::Region}")}
    if isinstance(node, list):
        return [_region_back(v) for v in node]
    if isinstance(node, Mapping):
        return {k: _region_back(v) for k, v in node.items()}
    return node


def _picked(
    logical_id: str, kind: str, translated: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The translated resources dynaguard judges: the table, or the function's role."""
    wanted = _TRANSLATED[kind]
    out = []
    for new_id, resource in translated.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != wanted:
            continue
        if kind == "AWS::Serverless::SimpleTable" and new_id != logical_id:
            continue
        if wanted == "AWS::IAM::Role" and new_id != f"{logical_id}Role":
            continue
        out.append((new_id, dict(resource)))
    return out


def _with_marks(node: Any, like: Any) -> Any:
    """``node`` as cfn-lint nodes carrying ``like``'s line marks (for findings' lines)."""
    from cfnlint.decode.node import dict_node, str_node

    start, end = getattr(like, "start_mark", None), getattr(like, "end_mark", None)
    if start is None:
        return node
    if isinstance(node, Mapping):
        return dict_node({_with_marks(k, like): v for k, v in node.items()}, start, end)
    if isinstance(node, str):
        return str_node(node, start, end)
    return node


def translate_sam(
    template: Mapping[str, Any], shown: str
) -> tuple[dict[str, Any], list[InputProblem]]:
    """The template with its SAM tables and function roles as SAM deploys them."""
    if SAM_TRANSFORM not in declared_transforms(template):
        return dict(template), []
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return dict(template), []
    out = dict(template)
    merged: dict[Any, Any] = dict(resources)
    sam = {
        k: r
        for k, r in resources.items()
        if isinstance(r, Mapping) and r.get("Type") in _TRANSLATED
    }
    translated, problems = _translate_all(sam, template, shown)
    for logical_id, resource in sam.items():
        kind = str(resource["Type"])
        for new_id, new in _picked(str(logical_id), kind, translated):
            key = logical_id if new_id == logical_id else _with_marks(new_id, logical_id)
            if new_id != logical_id and new_id in merged:
                continue  # a resource of that name is declared: CloudFormation would refuse
            merged[key] = _with_marks(deepcopy(new), resource)
    out["Resources"] = merged
    return out, problems


def _translate_all(
    sam: Mapping[Any, Any], template: Mapping[str, Any], shown: str
) -> tuple[dict[str, Any], list[InputProblem]]:
    """All SAM resources in one translation; when SAM rejects one, each on its own, so the
    one it rejects is one problem and the others are still translated."""
    if not sam:
        return {}, []
    with suppress(Exception):  # which resource SAM rejects is told by translating each alone
        return _translate(sam, template), []
    translated: dict[str, Any] = {}
    problems: list[InputProblem] = []
    for logical_id, resource in sam.items():
        try:
            translated.update(_translate({logical_id: resource}, template))
        except Exception as exc:  # the translator's own errors, one per resource
            problems.append(_problem(logical_id, shown, exc))
    return translated, problems


def _problem(logical_id: Any, shown: str, exc: Exception) -> InputProblem:
    causes = getattr(exc, "causes", None) or [exc]
    message = "; ".join(str(getattr(c, "message", c)) for c in causes)
    message = re.sub(r"^Resource with id \[[^\]]*\] is invalid\. ", "", message)
    mark = getattr(logical_id, "start_mark", None)
    line = mark.line + 1 if mark is not None else None
    return InputProblem(
        shown,
        line,
        f"cannot translate SAM resource {logical_id}: {message}; it is not judged",
    )
