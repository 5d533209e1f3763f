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
