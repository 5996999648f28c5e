"""A decoded template checked against the shape CloudFormation accepts, before it is resolved.

CloudFormation rejects a template whose ``Resources`` is not a map, a resource without a string
``Type``, a parameter ``Default`` that is an intrinsic function, or an intrinsic function with
the wrong number or kind of arguments (``!Sub []``, ``!If [C]``, ``!Join 5``, ``!FindInMap
[M]``). Each is one problem with file and line; then the template is made safe to resolve: a
resource that cannot be read is left out (the problem says so), a malformed function becomes
``Unknown`` with the reason (its property is UNKNOWN, not guessed), and so does anything nested
deeper than ``MAX_DEPTH``. Every node is visited once, so YAML aliases cannot amplify the walk.

Reference: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from dynaguard.model import Origin, Unknown
from dynaguard.sources.iac.problems import InputProblem

MAX_DEPTH = 64  # CloudFormation templates are shallow; deeper is hostile or broken
_SECTIONS = ("Parameters", "Mappings", "Conditions", "Resources")


def describe(value: Any) -> str:
    """The kind of a value in words (never the value itself: it may be huge)."""
    if isinstance(value, Mapping):
        return "a map"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "a string" if isinstance(value, str) else type(value).__name__


def line_of(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None and getattr(mark, "line", None) is not None else None


def _is_function(value: Any) -> bool:
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::"))


def _str_or_fn(value: Any) -> bool:
    return isinstance(value, str) or _is_function(value)


def _list_or_fn(value: Any) -> bool:
    return isinstance(value, list) or _is_function(value)


def _items(n: int | tuple[int, int], *checks: Callable[[Any], bool]) -> Callable[[Any], bool]:
    low, high = (n, n) if isinstance(n, int) else n

    def check(arg: Any) -> bool:
        if not isinstance(arg, list) or not low <= len(arg) <= high:
            return False
        return all(ok(item) for ok, item in zip(checks, arg, strict=False))

    return check


def _anything(_: Any) -> bool:
    return True


def _get_att(arg: Any) -> bool:
    if isinstance(arg, str):
        return "." in arg
    return _items(2, lambda x: isinstance(x, str), _str_or_fn)(arg)


# name -> (what it takes, in words; the check)
FUNCTIONS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "Ref": ("a name", lambda a: isinstance(a, str)),
    "Condition": ("a condition name", lambda a: isinstance(a, str)),
    "Fn::GetAtt": ("'Resource.Attribute' or [resource, attribute]", _get_att),
    "Fn::Sub": (
        "a string or [string, {variables}]",
        lambda a: (
            isinstance(a, str)
            or _items(2, lambda x: isinstance(x, str), lambda x: isinstance(x, Mapping))(a)
        ),
    ),
    "Fn::Join": ("[delimiter, [values]]", _items(2, lambda x: isinstance(x, str), _list_or_fn)),
    "Fn::If": (
        "[condition, value if true, value if false]",
        _items(3, lambda x: isinstance(x, str)),
    ),
    "Fn::FindInMap": (
        "[map, top-level key, second-level key]",
        _items((3, 4), _str_or_fn, _str_or_fn, _str_or_fn, lambda x: isinstance(x, Mapping)),
    ),
    "Fn::Equals": ("[value, value]", _items(2)),
    "Fn::Not": ("[condition]", _items(1)),
    "Fn::And": ("[condition, condition, ...] (2 to 10)", _items((2, 10))),
    "Fn::Or": ("[condition, condition, ...] (2 to 10)", _items((2, 10))),
    "Fn::Select": ("[index, [values]]", _items(2, _anything, _list_or_fn)),
    "Fn::Split": ("[delimiter, string]", _items(2, lambda x: isinstance(x, str), _str_or_fn)),
    "Fn::Base64": ("a string", _str_or_fn),
    "Fn::GetAZs": ("a region", _str_or_fn),
    "Fn::ImportValue": ("an export name", _str_or_fn),
    "Fn::Cidr": ("[block, count, bits]", _items(3)),
    "Fn::Length": ("a list", _list_or_fn),
    "Fn::ToJsonString": ("a map or a list", lambda a: isinstance(a, Mapping | list)),
    "Fn::Transform": ("{Name, Parameters}", lambda a: isinstance(a, Mapping)),
}


class TemplateChecker:
    """Checks one decoded template in place; ``problems`` lists what was wrong."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[InputProblem] = []
        self._seen: set[int] = set()

    def problem(self, node: Any, message: str, fallback: Any = None) -> None:
        line = line_of(node) or line_of(fallback)
        self.problems.append(InputProblem(self.shown, line, message))

    def unknown(self, node: Any, message: str, fallback: Any = None) -> Unknown:
        self.problem(node, message, fallback)
        return Unknown(message, Origin(self.shown, line_of(node) or line_of(fallback)))

    def check(self, data: Any) -> bool:
        """False when nothing in it can be scanned (not a map, no readable Resources)."""
        if not isinstance(data, MutableMapping):
            self.problem(data, f"a template must be a map of sections, not {describe(data)}")
            return False
        for section in _SECTIONS:
            value = data.get(section)
            if value is not None and not isinstance(value, MutableMapping):
                key = next((k for k in data if k == section), data)  # the key has the line
                self.problem(value, f"{section} must be a map, not {describe(value)}", key)
                data[section] = {}
        self._parameters(data.get("Parameters") or {})
        self._mappings(data.get("Mappings") or {})
        self._walk_section(data, "Conditions")
        return self._resources(data)

    def _parameters(self, parameters: MutableMapping[Any, Any]) -> None:
        for name, parameter in list(parameters.items()):
            if not isinstance(parameter, MutableMapping):
                self.problem(parameter, f"parameter {name} must be a map", name)
                del parameters[name]
            elif "Default" in parameter and isinstance(parameter["Default"], Mapping):
                default = parameter.pop("Default")
                self.problem(
                    default,
                    f"the Default of parameter {name} must be a plain value, not "
                    f"{'an intrinsic function' if _is_function(default) else 'a map'}",
                    name,
                )

    def _mappings(self, mappings: MutableMapping[Any, Any]) -> None:
        for name, mapping in list(mappings.items()):
            ok = isinstance(mapping, Mapping) and all(
                isinstance(v, Mapping) for v in mapping.values()
            )
            if not ok:
                self.problem(mapping, f"mapping {name} must be a map of maps", name)
                del mappings[name]

    def _walk_section(self, data: MutableMapping[Any, Any], section: str) -> None:
        value = data.get(section)
        if isinstance(value, MutableMapping):
            for key in list(value):
                value[key] = self._value(value[key], f"{section}.{key}", 1, key)

    def _resources(self, data: MutableMapping[Any, Any]) -> bool:
        resources = data.get("Resources")
        if resources is None:
            self.problem(data, "the template has no Resources section")
            return False
        for name, resource in list(resources.items()):
            if isinstance(name, str) and name.startswith("Fn::ForEach::"):
                resources[name] = self._value(resource, name, 2, name)  # expanded elsewhere
                continue
            reason = _unreadable_resource(resource)
            if reason:
                self.problem(resource, f"resource {name} {reason}: it is not scanned", name)
                del resources[name]
                continue
            for key in list(resource):
                resource[key] = self._value(resource[key], f"{name}.{key}", 2, name)
        return True

    def _value(self, node: Any, where: str, depth: int, parent: Any) -> Any:
        """The node, checked: malformed functions and too-deep parts become ``Unknown``."""
        if not isinstance(node, MutableMapping | list):
            return node
        if id(node) in self._seen:  # an alias of a node already checked
            return node
        self._seen.add(id(node))
        if depth > MAX_DEPTH:
            return self.unknown(node, f"{where}: nested deeper than {MAX_DEPTH} levels", parent)
        if isinstance(node, MutableMapping) and _is_function(node):
            ((name, arg),) = node.items()
            expected = FUNCTIONS.get(name)
            if expected is not None and not expected[1](arg):
                return self.unknown(
                    node, f"{where}: {name} takes {expected[0]}, not {_items_of(arg)}", parent
                )
        if isinstance(node, list):
            for i, item in enumerate(node):
                node[i] = self._value(item, f"{where}[{i}]", depth + 1, node)
        else:
            for key in list(node):
                node[key] = self._value(node[key], f"{where}.{key}", depth + 1, node)
        return node


def _items_of(value: Any) -> str:
    """A list described item by item (the first few), anything else by its kind."""
    if not isinstance(value, list) or not value or len(value) > 5:
        return describe(value)
    return "[" + ", ".join(describe(item) for item in value) + "]"


def _unreadable_resource(resource: Any) -> str | None:
    if not isinstance(resource, MutableMapping):
        return f"must be a map with a Type, not {describe(resource)}"
    kind = resource.get("Type")
    if kind is None:
        return "has no Type"
    if not isinstance(kind, str):
        return f"has a Type that is {describe(kind)}, not a string"
    properties = resource.get("Properties")
    if properties is not None and not isinstance(properties, Mapping):
        return f"has Properties that are {describe(properties)}, not a map"
    return None


def check_template(data: Any, shown: str) -> tuple[bool, list[InputProblem]]:
    """(whether anything can be scanned, the problems found); ``data`` is made safe in place."""
    checker = TemplateChecker(shown)
    usable = checker.check(data)
    return usable, checker.problems
