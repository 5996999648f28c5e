"""``Transform: AWS::LanguageExtensions``: expand ``Fn::ForEach`` as CloudFormation does.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-foreach.html

``"Fn::ForEach::Name": [Identifier, Collection, {OutputKey: OutputValue}]`` is replaced, in
any mapping (``Resources``, ``Conditions``, ``Outputs``, properties), by one ``OutputKey`` per
item of the collection: ``${Identifier}`` in the key is the item, ``&{Identifier}`` the item
without its non-alphanumeric characters; in the value, ``{"Ref": Identifier}`` and
``${Identifier}`` inside ``Fn::Sub`` are the item. Loops nest. The collection is a list, a
``Ref`` to a list parameter or an ``Fn::FindInMap``, resolved from defaults and mappings.

Line numbers stay: generated keys are nodes with the marks of the loop body's key, so a table
from a loop points at its ``OutputKey`` line. When a collection cannot be resolved offline
(a parameter without a default), each ``OutputKey`` stands for every item: the identifier is
Unknown, the key keeps its ``${Identifier}`` and the resource is judged on what the loop body
says about every item. ``DeletionPolicy`` / ``UpdateReplacePolicy`` written with intrinsics
are resolved to their value. ``Fn::Length`` and ``Fn::ToJsonString`` are resolved by
``resolve.py``; cfn-lint's own transform is a linter's approximation (random items for an
unresolved collection, invented account ids), so it is not used here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from dynaguard.model import Unknown
from dynaguard.sources.cloudformation.resolve import Resolver
from dynaguard.sources.iac.problems import InputProblem

TRANSFORM = "AWS::LanguageExtensions"
FOR_EACH = "Fn::ForEach::"
_POLICIES = ("DeletionPolicy", "UpdateReplacePolicy")


def declared_transforms(template: Mapping[str, Any]) -> list[str]:
    raw = template.get("Transform")
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return [str(t) for t in items if isinstance(t, str)]


class _Expander:
    def __init__(self, template: Mapping[str, Any], shown: str) -> None:
        self.resolver = Resolver(template)
        self.shown = shown
        self.problems: list[InputProblem] = []

    def walk(self, node: Any, bound: Mapping[str, Any]) -> Any:
        if isinstance(node, list):
            return [self.walk(v, bound) for v in node]
        if not isinstance(node, Mapping):
            return node
        if len(node) == 1 and bound:
            ((key, arg),) = node.items()
            if key == "Ref" and isinstance(arg, str) and arg in bound:
                return deepcopy(bound[arg])
            if key == "Fn::Sub":
                sub = self._sub(arg, bound)
                return sub if isinstance(sub, Unknown) else {key: sub}
        out = _empty_like(node)
        for key, value in node.items():
            if isinstance(key, str) and key.startswith(FOR_EACH):
                for new_key, new_value in self._loop(key, value, bound):
                    out[new_key] = new_value
            else:
                out[_key(key, bound)] = self.walk(value, bound)
        return out

    def _loop(self, key: str, value: Any, bound: Mapping[str, Any]) -> list[tuple[Any, Any]]:
        if not (isinstance(value, list) and len(value) == 3 and isinstance(value[2], Mapping)):
            self._problem(key, f"{key} needs [Identifier, Collection, {{OutputKey: Value}}]")
            return []
        identifier, collection, body = str(value[0]), value[1], value[2]
        items = self._collection(self.walk(collection, bound), key)
        out: list[tuple[Any, Any]] = []
        for item in items:
            expanded = self.walk(body, {**bound, identifier: item})
            out.extend(expanded.items())
        return out

    def _collection(self, raw: Any, loop: str) -> list[Any]:
        value = self.resolver.value(raw)
        if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            return [str(v) for v in value]
        reason = value.reason if isinstance(value, Unknown) else "not a list of strings"
        return [Unknown(f"{loop}: its collection is not known offline ({reason})")]

    def _sub(self, arg: Any, bound: Mapping[str, Any]) -> Any:
        if isinstance(arg, list) and arg:
            return [self._sub(arg[0], bound), *(self.walk(a, bound) for a in arg[1:])]
        if not isinstance(arg, str):
            return self.walk(arg, bound)
        text = arg
        for name, item in bound.items():
            if isinstance(item, Unknown) and "${" + name + "}" in text:
                return item
            if isinstance(item, str):
                text = text.replace("${" + name + "}", item)
        return _like(arg, text)

    def _problem(self, key: Any, message: str) -> None:
        line = getattr(getattr(key, "start_mark", None), "line", None)
        self.problems.append(
            InputProblem(self.shown, line + 1 if line is not None else None, message)
        )


def _key(key: Any, bound: Mapping[str, Any]) -> Any:
    if not isinstance(key, str) or not bound:
        return key
    text = key
    for name, item in bound.items():
        if isinstance(item, str):
            text = text.replace("${" + name + "}", item)
            text = text.replace("&{" + name + "}", re.sub(r"[^0-9A-Za-z]", "", item))
    return _like(key, text)


def _like(original: Any, text: str) -> Any:
    """``text`` as a node with ``original``'s line marks when it had them."""
    start, end = getattr(original, "start_mark", None), getattr(original, "end_mark", None)
    if start is None or text == original:
        return original if text == original else text
    from cfnlint.decode.node import str_node

    return str_node(text, start, end)


def _empty_like(node: Mapping[str, Any]) -> dict[str, Any]:
    start, end = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
    if start is None:
        return {}
    from cfnlint.decode.node import dict_node

    made: dict[str, Any] = dict_node({}, start, end)
    return made


def _policies(template: dict[str, Any], resolver: Resolver) -> None:
    resources = template.get("Resources")
    for resource in (resources or {}).values() if isinstance(resources, Mapping) else ():
        for attribute in _POLICIES:
            raw = resource.get(attribute) if isinstance(resource, Mapping) else None
            if isinstance(raw, Mapping):
                value = resolver.value(raw)
                if isinstance(value, str):
                    resource[attribute] = value


def expand_language_extensions(
    template: Mapping[str, Any], shown: str
) -> tuple[dict[str, Any], list[InputProblem]]:
    """The template as CloudFormation runs it after the LanguageExtensions transform, and
    the problems met (a malformed loop; ``Fn::ForEach`` without the transform declared)."""
    expander = _Expander(template, shown)
    if TRANSFORM not in declared_transforms(template):
        if _uses_for_each(template):
            expander._problem(
                None,
                f"Fn::ForEach needs 'Transform: {TRANSFORM}': CloudFormation rejects this "
                "template; its loops are not expanded",
            )
        return dict(template), expander.problems
    expanded: dict[str, Any] = expander.walk(template, {})
    _policies(expanded, Resolver(expanded))
    return expanded, expander.problems


def _uses_for_each(node: Any) -> bool:
    if isinstance(node, Mapping):
        return any(
            (isinstance(k, str) and k.startswith(FOR_EACH)) or _uses_for_each(v)
            for k, v in node.items()
        )
    if isinstance(node, list):
        return any(_uses_for_each(v) for v in node)
    return False
