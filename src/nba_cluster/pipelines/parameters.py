"""Every pipeline's parameters, validated before any work: unknown keys, wrong types and values
out of range stop the run with the key named and the valid keys listed.

One pydantic model per pipeline lives next to its nodes (``pipelines/<name>/parameters.py``),
so whoever changes a pipeline's parameters file changes its model in the same place; this
module holds what they share and words the errors for the command line.
"""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError


class StrictParameters(BaseModel):
    """Base of the parameter models: no unknown keys, no silent coercion (``"maybe"`` is not
    a boolean, ``"5"`` not a number), frozen once validated."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _split_bars(value: Any) -> Any:
    """``--params`` splits its argument on commas, so a list travels as ``a|b`` (or one item);
    each item is read as YAML, as ``--params`` reads a single value (``5|null`` is [5, None]),
    and one number is a list of one."""
    if isinstance(value, str):
        return [yaml.safe_load(item) for item in value.split("|") if item.strip()]
    if isinstance(value, int | float | bool):  # `--params key=8` arrives as 8
        return [value]
    return value


def bar_list(item_type: Any) -> Any:
    """A list ``--params`` can carry: ``[a, b]`` in YAML, ``a|b`` or ``a`` on the command line."""
    return Annotated[list[item_type], BeforeValidator(_split_bars)]


class InvalidParametersError(ValueError):
    """One or more parameters refused; the message lists each with the keys it may take."""


def validate_parameters(
    params: dict[str, Any], sections: dict[str, type[BaseModel]]
) -> dict[str, Any]:
    """The parameters with each section validated by its model and normalised (``"Playoffs"``
    becomes ``["Playoffs"]``); raises ``InvalidParametersError`` listing every problem at once."""
    problems = [
        f"{section}: unknown section; valid sections: {', '.join(sections)}"
        for section in params
        if section not in sections
    ]
    normalised = dict(params)
    for section, model in sections.items():
        if section not in params:
            continue
        try:
            normalised[section] = model.model_validate(params[section]).model_dump()
        except ValidationError as error:
            problems += [_describe(section, model, issue) for issue in error.errors()]
    if problems:
        raise InvalidParametersError(
            "Invalid parameters (conf/base/parameters_*.yml or --params):\n  "
            + "\n  ".join(problems)
        )
    return normalised


def _describe(section: str, model: type[BaseModel], issue: dict[str, Any]) -> str:
    location = [str(part) for part in issue["loc"] if not str(part).startswith("function-")]
    key = ".".join([section, *location])
    if issue["type"] == "extra_forbidden":
        return f"{key}: unknown key; valid keys here: {', '.join(_keys_at(model, location[:-1]))}"
    if not location:  # a rule across keys: the message names them
        return f"{section}: {issue['msg'].removeprefix('Value error, ')}"
    if issue["type"] == "missing":
        return f"{key}: missing"
    return f"{key}={issue['input']!r}: {issue['msg'].removeprefix('Value error, ')}"


def _keys_at(model: type[BaseModel], path: list[str]) -> list[str]:
    """The field names of the (nested) model at ``path``; free-form mappings have none."""
    for part in path:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ["(free-form)"]
        model = annotation
    return sorted(model.model_fields)
