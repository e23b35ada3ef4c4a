"""Validation of the machine formats against the published specifications in tests/schemas/."""
import functools
import json
from pathlib import Path

import jsonschema
import xmlschema

SCHEMAS = Path(__file__).resolve().parent / "schemas"


@functools.lru_cache(maxsize=None)
def _json_schema(name: str):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@functools.lru_cache(maxsize=None)
def _junit_schema():
    return xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))


def exercism(text: str) -> dict:
    """The parsed document, once valid against the Exercism v3 interface."""
    doc = json.loads(text)
    _json_schema("exercism-results-v3.schema.json").validate(doc)
    names = [t["name"] for t in doc["tests"]]
    assert len(names) == len(set(names)), "test names repeat"
    return doc


def gradescope(text: str) -> dict:
    doc = json.loads(text)
    _json_schema("gradescope-results.schema.json").validate(doc)
    return doc


def junit(text: str) -> None:
    # The file as a CI reader gets it: UTF-8 bytes, parsed by a strict XML 1.0 parser.
    _junit_schema().validate(text.encode("utf-8"))
