"""The fast "surely valid" test never hides an error jsonschema would report."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from kustgen.validate import SchemaSet
from kustgen.validate.quickcheck import QuickValidator
from tests.test_lint import clean_objects

#: Values a mutation puts somewhere: wrong types, unknown enum values, edge numbers.
ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.5, 2.0, 70000, "", "x", "TCP", "Always", "ReadWriteOnce",
    [], ["a"], [1], {}, {"unknown": 1}, {"name": "x"},
]


def _objects() -> list[dict[str, Any]]:
    from kustgen.default import production, staging

    return [*clean_objects(), *staging.objects(), *production.objects()]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _mutate(obj: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    mutated = copy.deepcopy(obj)
    path = rng.choice(_paths(mutated)[1:])
    parent: Any = mutated
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    action = rng.random()
    if action < 0.2 and isinstance(parent, dict):
        del parent[last]
    elif action < 0.35 and isinstance(parent, dict):
        parent[f"{last}X"] = copy.deepcopy(parent[last])
    else:
        parent[last] = copy.deepcopy(rng.choice(ODD_VALUES))
    return mutated


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet()


def test_valid_objects_pass_without_jsonschema(schemas: SchemaSet) -> None:
    checked = 0
    for obj in _objects():
        validator = schemas.validator(obj["apiVersion"], obj["kind"])
        if isinstance(validator, QuickValidator):
            assert validator.surely_valid(obj), f"{obj['kind']}/{obj['metadata']['name']}"
            checked += 1
    assert checked > 40


def test_no_object_jsonschema_rejects_is_called_surely_valid(schemas: SchemaSet) -> None:
    rng = random.Random(13)
    objects = _objects()
    rejected = 0
    for _ in range(3000):
        mutated = _mutate(rng.choice(objects), rng)
        validator = schemas.validator(str(mutated.get("apiVersion")), str(mutated.get("kind")))
        if not isinstance(validator, QuickValidator):
            continue
        errors = list(validator.validator.iter_errors(mutated))
        if errors:
            rejected += 1
            assert not validator.surely_valid(mutated), (mutated, errors[0].message)
        assert [e.message for e in validator.iter_errors(mutated)] == [e.message for e in errors]
    assert rejected > 500


SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer", "minimum": 1, "maximum": 5},
    {"type": ["string", "null"], "enum": ["a", None]},
    {"enum": [1, "1", True]},  # not strings: jsonschema decides
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    {"oneOf": [{"type": "number"}, {"type": "integer"}]},  # 1 matches both: invalid
    {"anyOf": [{"type": "string", "maxLength": 2}, {"type": "array", "minItems": 1}]},
    {"type": "object", "properties": {"a": {"type": "string", "pattern": "^x"}},
     "required": ["a"], "additionalProperties": False},
    {"type": "object", "additionalProperties": {"type": "integer"}},
    {"type": "object", "patternProperties": {"^x": {"type": "string"}}},  # not compiled
    {"$schema": "http://json-schema.org/draft-07/schema#",
     "definitions": {"s": {"type": "string"}},
     "properties": {"a": {"$ref": "#/definitions/s", "type": "integer"}}},  # draft 7: $ref alone
    {"properties": {"a": {"$ref": "#/$defs/s", "type": "integer"}},
     "$defs": {"s": {"type": "string"}}},  # 2020-12: both apply, nothing passes
    {"type": "array", "items": {"type": "object", "required": ["name"]}},
    {"not": {"type": "string"}},  # not compiled
]
INSTANCES: list[Any] = [
    None, True, 0, 1, 1.0, 2.5, 7, "", "a", "x1", "abc", [], [1], [{"name": 1}], [{}],
    {}, {"a": "x"}, {"a": "y"}, {"a": 1}, {"a": "x", "b": 1}, {"b": 2}, {"x": "s"}, {"x": 1},
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: str(s)[:40])
def test_surely_valid_agrees_with_jsonschema(schema: dict[str, Any]) -> None:
    import jsonschema  # type: ignore[import-untyped]

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    quick = QuickValidator(cls(schema))
    passed = 0
    for instance in INSTANCES:
        valid = not list(quick.validator.iter_errors(instance))
        if quick.surely_valid(instance):
            assert valid, instance
            passed += 1
    compiled = not ({"patternProperties", "not"} & set(schema)) and schema.get("enum") != [
        1, "1", True]
    if compiled and "$defs" not in schema:  # the 2020-12 $ref case has no valid instance
        assert passed, "the compiled test passed no instance at all"
