"""Resolve CloudFormation intrinsic functions as far as the template alone allows.

Parameters resolve to their ``Default`` (none: Unknown), ``Conditions`` are evaluated
(``Fn::Equals/Not/And/Or``, ``Condition``), ``Fn::If`` picks its branch (both branches equal:
that value, else Unknown naming the condition), ``Fn::Sub``/``Fn::Join`` build strings,
``Fn::FindInMap`` reads ``Mappings`` (with the language extensions' ``DefaultValue``),
``Fn::Length`` and ``Fn::ToJsonString`` (language extensions) are computed.
``Ref``/``Fn::GetAtt`` of a resource become ``Ref`` values for the adapter; inside strings
they are rendered by the adapter's ``render`` callback (a table's name or ARN, a role's ARN).
``AWS::AccountId`` is the deploying account stand-in; ``AWS::Region`` is not known offline:
``!Ref AWS::Region`` is Unknown (a condition on it cannot be decided), but inside ``!Sub`` or
``!Join`` it is the region label the stack's tables carry (``unknown``), so an ARN built with
it names the same table as the table's own ARN; ``AWS::StackName`` likewise (``<stack-name>``).
``AWS::NoValue`` removes the property.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from dynaguard.model import Unknown
from dynaguard.sources.iac.blocks import Ref, first_unknown
from dynaguard.sources.iac.declared import IAC_ACCOUNT, UNKNOWN_REGION

NO_VALUE = object()
STACK_NAME = "<stack-name>"  # AWS::StackName inside a string (chosen when deployed)
# !Ref AWS::Region: the region the stack is deployed to, unknown offline (one instance, so a
# mapper can tell "the stack's own region" from any other unresolved region)
STACK_REGION = Unknown("!Ref AWS::Region is not known offline")
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
Render = Callable[[Ref], str]


class Resolver:
    def __init__(
        self,
        template: Mapping[str, Any],
        render: Render | None = None,
        region: str = UNKNOWN_REGION,
        namespace: str = "",
        parameter_values: Mapping[str, Any] | None = None,
    ) -> None:
        self.region = region
        # a nested stack: its resources are named "<stack id>/<logical id>" in the unit, and
        # its parameters have the values its parent stack passes (resolved by the parent)
        self.namespace = namespace
        self.parameter_values = dict(parameter_values or {})
        self._stand_in_strings: dict[str, str] = {}
        self.parameters = template.get("Parameters") or {}
        self.conditions = template.get("Conditions") or {}
        self.mappings = template.get("Mappings") or {}
        self.resources = template.get("Resources") or {}
        self.render: Render = render or str
        self._condition_cache: dict[str, bool | Unknown] = {}

    def value(self, node: Any) -> Any:
        """The resolved value: plain data with ``Ref`` and ``Unknown`` where needed."""
        if isinstance(node, Mapping):
            if len(node) == 1:
                ((key, arg),) = node.items()
                if key == "Ref":
                    return self._ref(str(arg))
                if key == "Condition" and isinstance(arg, str):
                    return self.condition(arg)
                if str(key).startswith("Fn::"):
                    return self._function(str(key), arg)
            out = {str(k): self.value(v) for k, v in node.items()}
            return {k: v for k, v in out.items() if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in (self.value(x) for x in node) if v is not NO_VALUE]
        return node

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name == "AWS::AccountId":
            return IAC_ACCOUNT
        if name == "AWS::Partition":
            return "aws"
        if name == "AWS::Region":
            return STACK_REGION
        if name.startswith("AWS::"):
            return Unknown(f"!Ref {name} is not known offline")
        if name in self.parameter_values:
            return self.parameter_values[name]
        if name in self.parameters:
            param = self.parameters[name] or {}
            if "Default" in param:
                return _typed_default(param["Default"], str(param.get("Type", "String")))
            return Unknown(f"!Ref {name}: parameter {name} has no Default")
        if name in self.resources:
            return Ref(self.namespace + name)
        return Unknown(f"!Ref {name}: no such parameter or resource")

    def _function(self, name: str, arg: Any) -> Any:
        handlers: dict[str, Callable[[Any], Any]] = {
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::If": self._if,
            "Fn::FindInMap": self._find_in_map,
            "Fn::Length": self._length,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::ToJsonString": self._to_json_string,
            "Fn::Equals": lambda a: self._logic("Fn::Equals", a),
            "Fn::Not": lambda a: self._logic("Fn::Not", a),
            "Fn::And": lambda a: self._logic("Fn::And", a),
            "Fn::Or": lambda a: self._logic("Fn::Or", a),
        }
        handler = handlers.get(name)
        if handler is None:
            return Unknown(f"{name} is not resolved offline")
        return handler(arg)

    def _get_att(self, arg: Any) -> Any:
        parts = arg.split(".", 1) if isinstance(arg, str) else list(arg or [])
        if len(parts) == 2 and parts[0] in self.resources and isinstance(parts[1], str):
            return Ref(self.namespace + str(parts[0]), parts[1])
        return Unknown(f"!GetAtt {arg} cannot be resolved")

    def _text(self, value: Any, what: str) -> str | Unknown:
        if isinstance(value, Ref):
            return self.render(value)
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, str | int | float):
            return str(value)
        hole = first_unknown(value)
        return hole if hole is not None else Unknown(f"{what} is not a string")

    def _sub(self, arg: Any) -> Any:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] or {})
        problems: list[str] = []
        used: list[str] = []

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in variables:
                raw = variables[name]
                pseudo = raw.get("Ref") if isinstance(raw, Mapping) and len(raw) == 1 else None
                stand_in = self._stand_in(pseudo) if isinstance(pseudo, str) else None
                value = stand_in if stand_in is not None else self.value(raw)
                if stand_in is not None:
                    used.append(str(pseudo))
            elif "." in name and not name.startswith("AWS::"):
                value = self._get_att(name)
            elif self._stand_in(name) is not None:
                value = self._stand_in(name)
                used.append(name)
            else:
                value = self._ref(name)
            rendered = self._text(value, name)
            if isinstance(rendered, Unknown):
                problems.append(rendered.reason)
                return match.group(0)
            return rendered

        result = _SUB_VAR.sub(replace, str(text))
        if problems:
            return Unknown(f"!Sub {text!r}: {problems[0]}")
        return self._noted(result.replace("${!", "${"), used)

    def _join(self, arg: Any) -> Any:
        raw_items, used = arg[1], []
        if isinstance(raw_items, list):
            items = []
            for raw in raw_items:
                pseudo = raw.get("Ref") if isinstance(raw, Mapping) and len(raw) == 1 else None
                stand_in = self._stand_in(pseudo) if isinstance(pseudo, str) else None
                items.append(stand_in if stand_in is not None else self.value(raw))
                if stand_in is not None:
                    used.append(str(pseudo))
            items = [i for i in items if i is not NO_VALUE]
        else:
            items = self.value(raw_items)
        if isinstance(items, Unknown) or not isinstance(items, list):
            return items if isinstance(items, Unknown) else Unknown("!Join of a non-list")
        parts = [self._text(i, "!Join item") for i in items]
        bad = next((p for p in parts if isinstance(p, Unknown)), None)
        if bad is not None:
            return bad
        return self._noted(str(arg[0]).join(str(p) for p in parts), used)

    def _stand_in(self, name: str) -> str | None:
        """A pseudo parameter inside a string: a stand-in for what the deployment decides
        (the region label the stack's tables carry, a placeholder stack name), so an ARN or
        name built with it is one stable value that matches the table it names."""
        return {
            "AWS::Region": self.region,
            "AWS::StackName": STACK_NAME,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{IAC_ACCOUNT}:stack/"
            f"{STACK_NAME}/{STACK_NAME}-id",
            "AWS::URLSuffix": "amazonaws.com",
        }.get(name)

    def _noted(self, text: str, used: list[str]) -> str:
        """Remember strings built on a stand-in: a condition comparing one is undecided."""
        if used:
            self._stand_in_strings[text] = used[0]
        return text

    def _if(self, arg: Any) -> Any:
        name, when_true, when_false = arg
        chosen = self.condition(str(name))
        if isinstance(chosen, Unknown):
            yes, no = self.value(when_true), self.value(when_false)
            if yes == no and first_unknown(yes) is None:
                return yes
            return Unknown(f"!If {name}: {chosen.reason}")
        return self.value(when_true if chosen else when_false)

    def _find_in_map(self, arg: Any) -> Any:
        keys = [self.value(k) for k in arg[:3]]
        default = (
            arg[3].get("DefaultValue") if len(arg) > 3 and isinstance(arg[3], Mapping) else None
        )
        bad = next((k for k in keys if not isinstance(k, str)), None)
        if bad is not None:
            return bad if isinstance(bad, Unknown) else Unknown("!FindInMap key unresolved")
        try:
            return self.value(self.mappings[keys[0]][keys[1]][keys[2]])
        except (KeyError, TypeError):
            if default is not None:  # AWS::LanguageExtensions: the DefaultValue
                return self.value(default)
            return Unknown(f"!FindInMap {keys}: no such entry")

    def _select(self, arg: Any) -> Any:
        """``Fn::Select [index, list]``."""
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown("Fn::Select needs [index, list]")
        index, items = self.value(arg[0]), self.value(arg[1])
        if isinstance(items, Unknown) or isinstance(index, Unknown):
            return items if isinstance(items, Unknown) else index
        try:
            return items[int(index)]
        except (TypeError, ValueError, IndexError, KeyError):
            return Unknown(
                f"Fn::Select {index} of a list of {len(items) if isinstance(items, list) else '?'}"
            )

    def _split(self, arg: Any) -> Any:
        """``Fn::Split [delimiter, string]``."""
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown("Fn::Split needs [delimiter, string]")
        text = self._text(self.value(arg[1]), "Fn::Split string")
        if isinstance(text, Unknown):
            return text
        return text.split(str(arg[0]))

    def _length(self, arg: Any) -> Any:
        """``Fn::Length`` (AWS::LanguageExtensions): the number of items of a list."""
        items = self.value(arg)
        if isinstance(items, list):
            return len(items)
        return items if isinstance(items, Unknown) else Unknown("Fn::Length of a non-list")

    def _to_json_string(self, arg: Any) -> Any:
        """``Fn::ToJsonString`` (AWS::LanguageExtensions): the object or list as JSON."""
        value = self.value(arg)
        hole = first_unknown(value)
        if hole is not None:
            return Unknown(f"Fn::ToJsonString: {hole.reason}")
        return json.dumps(_rendered(value, self.render), separators=(",", ":"))

    def condition(self, name: str) -> bool | Unknown:
        if name not in self._condition_cache:
            self._condition_cache[name] = Unknown(f"condition {name} is circular")
            body = self.conditions.get(name)
            result = self.value(body) if body is not None else Unknown(f"no condition {name}")
            self._condition_cache[name] = (
                result
                if isinstance(result, bool | Unknown)
                else Unknown(f"condition {name} unresolved")
            )
        return self._condition_cache[name]

    def _logic(self, name: str, arg: Any) -> bool | Unknown:
        values = [self.value(a) for a in (arg if isinstance(arg, list) else [arg])]
        values = [
            Unknown(f"{v!r} depends on {self._stand_in_strings[v]}, known when deployed")
            if isinstance(v, str) and v in self._stand_in_strings
            else v
            for v in values
        ]
        hole = next((v for v in values if first_unknown(v) is not None), None)
        if name == "Fn::Equals":
            if hole is not None:
                return first_unknown(hole) or Unknown("unresolved")
            return bool(_scalar(values[0]) == _scalar(values[1]))
        bools = [v for v in values if isinstance(v, bool)]
        if name == "Fn::Not":
            return not bools[0] if bools else (first_unknown(values) or Unknown("unresolved"))
        if (name == "Fn::And" and False in bools) or (name == "Fn::Or" and True in bools):
            return name == "Fn::Or"
        if hole is not None:
            return first_unknown(hole) or Unknown("unresolved")
        return all(bools) if name == "Fn::And" else any(bools)


def _rendered(value: Any, render: Render) -> Any:
    if isinstance(value, Ref):
        return render(value)
    if isinstance(value, list):
        return [_rendered(v, render) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _rendered(v, render) for k, v in value.items()}
    return value


def _scalar(value: Any) -> Any:
    return (
        str(value).lower()
        if isinstance(value, bool)
        else str(value)
        if isinstance(value, int | float)
        else value
    )


def _typed_default(value: Any, kind: str) -> Any:
    if kind == "Number" and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    if kind.startswith("List<") or kind == "CommaDelimitedList":
        return [v.strip() for v in value.split(",")] if isinstance(value, str) else value
    return value
