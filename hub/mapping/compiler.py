"""Compile a mapping into one Python function, once, so records are not interpreted per field.

The generated function takes a source record (a dict for CSV and JSON, an lxml element for
XML) and returns the canonical record as a dict. Any failure raises ``MappingError`` naming
the field, or ``CodeCheckError`` when an identifier code fails its check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from hub.errors import ConfigurationError, MappingError
from hub.mapping import coercions
from hub.mapping.paths import follow, pointer_parts
from hub.mapping.spec import MappingSpec, SourceSpec, load_mapping_spec
from hub.mapping.transforms import TRANSFORMS
from hub.store.records import record_type
from hub.yamlfile import LocatedYaml

MapFunction = Callable[[Any], dict[str, Any]]


class CodeCheckError(MappingError):
    """An identifier code (统一社会信用代码, 身份证号, region...) failed its check."""

    step = "check_codes"


@dataclass(frozen=True)
class CompiledMapping:
    """A mapping ready to run: its source description, target and compiled function."""

    path: Path
    source: SourceSpec
    target: str
    fields: tuple[str, ...]
    map: MapFunction
    code: str
    uses_code_checks: bool
    guards: tuple[str, ...] = ()


class _Emitter:
    """Builds the source of the mapping function, collecting the constants it refers to."""

    def __init__(self, spec: MappingSpec) -> None:
        self.spec = spec
        self.document: LocatedYaml = spec.document
        self.is_xml = spec.source.format == "xml"
        # Excel rows arrive as flat {header: text} records, like CSV rows.
        self.is_csv = spec.source.format in ("csv", "xlsx")
        self.namespace: dict[str, Any] = {
            "_MappingError": MappingError,
            "_CodeCheckError": CodeCheckError,
            "_follow": follow,
            "_xml_value": _xml_value,
            **{f"_to_{name}": function for name, function in coercions.COERCIONS.items()},
            **{f"_tr_{name}": function for name, function in TRANSFORMS.items()},
        }
        self.lines: list[str] = []
        self._counter = 0
        self.uses_code_checks = False
        # Allow-listed codes that fail their check are kept, flagged where the target can say so.
        self.flags_failed_checks = "code_check_failed" in record_type(spec.target).model.__table__.c
        # Problems found while compiling, reported together once the whole mapping is seen.
        self.problems: list[str] = []

    def constant(self, value: Any) -> str:
        self._counter += 1
        name = f"_c{self._counter}"
        self.namespace[name] = value
        return name

    def accessor(self, path: str, location: list[str | int], *, inline: bool = True) -> str:
        """An expression reading ``path`` from ``src`` (None when absent).

        A nested JSON path reads dict after dict inline (``_n`` holds each step) and calls
        ``follow`` only for a step that is not a dict: a call per step costs more than the
        read. ``inline=False`` for a comprehension, where an assignment expression may not
        stand."""
        if self.is_xml:
            try:
                xpath = etree.XPath(path, smart_strings=False)
            except etree.XPathSyntaxError as exc:
                self.problems.append(f"{self.document.where(location)}: bad XPath {path!r}: {exc}")
                return "None"
            return f"_xml_value({self.constant(xpath)}(src))"
        if self.is_csv or ("." not in path and not path.startswith("/")):
            return f"src.get({path!r})"
        parts = pointer_parts(path) if path.startswith("/") else tuple(path.split("."))
        if not inline or not parts:
            return f"_follow(src, {tuple(parts)!r})"
        expression = f"src.get({parts[0]!r})"
        for part in parts[1:]:
            expression = (
                f"(_n.get({part!r}) if (_n := {expression}).__class__ is dict "
                f"else _follow(_n, {(part,)!r}))"
            )
        return expression

    def emit(self, line: str, indent: int) -> None:
        self.lines.append("    " * indent + line)

    def value_block(
        self, field: str, spec: dict[str, Any], location: list[str | int], indent: int
    ) -> None:
        """Emit lines that leave the field's final value in ``v``."""
        if "when" in spec:
            self._when(field, spec, location, indent)
            return
        if "const" in spec:
            self.emit(f"v = {self.constant(spec['const'])}", indent)
        elif "concat" in spec:
            parts = []
            for index, part in enumerate(spec["concat"]):
                if isinstance(part, dict):
                    parts.append(self.constant(part["const"]))
                else:
                    parts.append(self.accessor(part, [*location, "concat", index], inline=False))
            sep = self.constant(spec.get("sep", ""))
            self.emit(
                f"v = {sep}.join(str(p).strip() for p in ({', '.join(parts)},) if p not in (None, ''))",
                indent,
            )
        else:
            self.emit(f"v = {self.accessor(spec['from'], [*location, 'from'])}", indent)
        self.emit("if v.__class__ is str:", indent)
        self.emit("v = v.strip()", indent + 1)
        self.emit("if v is None or v == '' or v == []:", indent)
        if "default" in spec:
            self.emit(f"v = {self.constant(spec['default'])}", indent + 1)
        elif spec.get("required"):
            source = spec.get("from", "concat")
            self.emit(
                f"raise _MappingError({f'required value missing (from {source!r})'!r})", indent + 1
            )
        else:
            self.emit("v = None", indent + 1)
        self.emit("else:", indent)
        self._convert(field, spec, location, indent + 1)

    def _convert(
        self, field: str, spec: dict[str, Any], location: list[str | int], indent: int
    ) -> None:
        for name in spec.get("transform", []):
            self.emit(f"v = _tr_{name}(v)", indent)
        if "table" in spec:
            table = self.constant({str(key): value for key, value in spec["table"].items()})
            if "table_default" in spec:
                self.emit(
                    f"v = {table}.get(str(v), {self.constant(spec['table_default'])})", indent
                )
            else:
                known = self.constant(", ".join(map(str, spec["table"])))
                self.emit(f"t = {table}.get(str(v), _c0)", indent)
                self.emit("if t is _c0:", indent)
                self.emit(
                    f"raise _MappingError('value ' + repr(v) + ' is not in the code table (known: ' + {known} + ')')",
                    indent + 1,
                )
                self.emit("v = t", indent)
        kind = spec.get("type", "table" if "table" in spec else "string")
        if kind == "table":
            pass  # a code table's values keep their declared type
        elif kind == "string":
            self.emit("if v is not None and v.__class__ is not str:", indent)
            self.emit("v = str(v)", indent + 1)
        elif kind == "amount":
            self.emit(f"v = _to_amount(v, {spec.get('unit', '元')!r})", indent)
        elif kind == "list":
            self.emit(f"v = _to_list(v, {spec.get('separator', ',')!r})", indent)
        else:
            self.emit(f"v = _to_{kind}(v)", indent)
        check = spec.get("check")
        if check:
            self.uses_code_checks = True
            self.emit(f"chk = _check_{check}(v)", indent)
            self.emit("if not chk.acceptable:", indent)
            self.emit("raise _CodeCheckError(chk.reason or 'invalid code')", indent + 1)
            self.emit("v = chk.code", indent)
            if self.flags_failed_checks:
                self.emit("if not chk.check_passed:", indent)
                self.emit("out['code_check_failed'] = True", indent + 1)
            self.namespace[f"_check_{check}"] = _code_checker(check)

    def _when(
        self, field: str, spec: dict[str, Any], location: list[str | int], indent: int
    ) -> None:
        condition = spec["when"]
        self.emit(f"c = {self.accessor(condition['from'], [*location, 'when', 'from'])}", indent)
        self.emit("if c.__class__ is str:", indent)
        self.emit("c = c.strip()", indent + 1)
        if "equals" in condition:
            test = f"c == {self.constant(condition['equals'])}"
        elif "in" in condition:
            test = f"c in {self.constant(tuple(condition['in']))}"
        else:
            empty = "(c is None or c == '')"
            test = empty if condition.get("empty", True) else f"not {empty}"
        self.emit(f"if {test}:", indent)
        if "then" in spec:
            self.value_block(field, spec["then"], [*location, "then"], indent + 1)
        else:
            self.emit("v = None", indent + 1)
        self.emit("else:", indent)
        if "else" in spec:
            self.value_block(field, spec["else"], [*location, "else"], indent + 1)
        else:
            self.emit("v = None", indent + 1)

    def build(self) -> str:
        self.namespace["_c0"] = object()
        self.emit("def _map(src):", 0)
        self.emit("out = {}", 1)
        self.emit("field = None", 1)
        self.emit("try:", 1)
        for field, spec in self.spec.fields.items():
            self.emit(f"field = {field!r}", 2)
            self.value_block(field, spec, ["fields", field], 2)
            self.emit(f"out[{field!r}] = v", 2)
        self.emit("except _MappingError as exc:", 1)
        self.emit("raise exc.__class__('field ' + str(field) + ': ' + str(exc)) from None", 2)
        self.emit("except (ValueError, TypeError, KeyError, AttributeError) as exc:", 1)
        self.emit("raise _MappingError('field ' + str(field) + ': ' + str(exc)) from None", 2)
        self.emit("return out", 1)
        return "\n".join(self.lines) + "\n"


def _xml_value(result: Any) -> Any:
    """Reduce an XPath result to a string: first node's text, or the string itself."""
    if isinstance(result, list):
        if not result:
            return None
        result = result[0]
    if isinstance(result, etree._Element):
        return "".join(result.itertext())
    if isinstance(result, bool):
        return "true" if result else "false"
    if isinstance(result, float) and result.is_integer():
        return str(int(result))
    return result


def _code_checker(kind: str) -> Callable[[Any], Any]:
    from hub.mapping.code_checks import CODE_CHECKS

    return CODE_CHECKS[kind]


def compile_mapping(spec: MappingSpec) -> CompiledMapping:
    emitter = _Emitter(spec)
    code = emitter.build()
    if emitter.problems:
        problems = emitter.problems
        raise ConfigurationError(
            f"{spec.path} has {len(problems)} error(s):\n  " + "\n  ".join(problems)
        )
    namespace = emitter.namespace
    exec(compile(code, f"<mapping {spec.path}>", "exec"), namespace)
    return CompiledMapping(
        path=spec.path,
        source=spec.source,
        target=spec.target,
        fields=tuple(spec.fields),
        map=namespace["_map"],
        code=code,
        uses_code_checks=emitter.uses_code_checks,
        guards=spec.guards,
    )


def load_mapping(path: Path) -> CompiledMapping:
    """Load, validate and compile the mapping at ``path``."""
    return compile_mapping(load_mapping_spec(path))
