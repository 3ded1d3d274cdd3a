"""The JSON Schema of the policy format, as an editor needs it.

pydantic derives a schema from the models, but that schema describes the models, not the file:
it refuses the short forms ``load_policy`` reads (a field given as its category, a transform as
its method, a ``when`` value without its list) and says nothing of the catalogue. ``finish``
turns it into the schema of the *file*, published as ``Policy.model_json_schema()`` and
``gdprkit schema``:

* draft 2020-12 (``$schema``), identified by ``SCHEMA_ID``;
* every short form ``load_policy`` accepts, and the spellings pydantic's lax mode reads (a flag
  written ``yes``/``off``/``1``, an age written ``"16"``, a country in lower case);
* a ``description`` on every key;
* choices: legal bases, Art. 9(2) conditions, transform methods, formats, ``then`` and the
  recipients' roles as ``enum``; categories as ``anyOf`` [the built-in ones as an ``enum``, a
  dotted lower-case name]: a policy may declare its own categories, so any well-formed name
  validates, while editors offer the built-in ones;
* what the schema can say of the cross-references: custom categories are never built-in nor
  under ``special``/``criminal``, jurisdictions are upper-case country codes, a consent ``at``
  needs its ``field``, ``soft_opt_in`` needs ``legitimate_interests`` and ``direct_marketing``.

What it cannot say (a JSON Schema has no way to compare a value with the keys of another
mapping): that ``requires``, ``from``, ``when``, ``transform``, ``subject`` and ``consent``
name declared fields, that a category is built in or declared, that a purpose named by an
extension or recipient exists, a period's upper bound. ``load_policy`` reports those.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from typing import Any, Final

from gdprkit._formats import COUNTRIES, EU_ALIASES
from gdprkit._taxonomy import BUILTIN_CATEGORIES, FORMAT_NAMES, TRANSFORM_METHODS

__all__ = ["DIALECT", "SCHEMA_ID", "finish"]

SCHEMA_ID: Final = "https://gdprkit.dev/schema/policy-1.json"
"""The ``$id`` of the schema of policy format version 1."""

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

# Names and words are read with surrounding spaces stripped (str_strip_whitespace), keys too.
CATEGORY_PATTERN: Final = r"^\s*[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\s*$"
# parse_period: stripped, any case, at least one non-zero number, T followed by a number.
PERIOD_PATTERN: Final = (
    r"^\s*[Pp](?=\S*[1-9])(?:\d+[Yy])?(?:\d+[Mm])?(?:\d+[Ww])?(?:\d+[Dd])?"
    r"(?:[Tt](?=\d)(?:\d+[Hh])?(?:\d+[Mm])?(?:\d+[Ss])?)?\s*$"
)
# pydantic's lax booleans (any case, no surrounding space).
_TRUE_WORDS: Final = ("true", "yes", "on", "t", "y", "1")
_FALSE_WORDS: Final = ("false", "no", "off", "f", "n", "0")


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def _words(words: tuple[str, ...]) -> str:
    return "^(?:" + "|".join(_any_case(w) for w in words) + ")$"


def _spaced(words: Iterable[str]) -> str:
    """One of ``words`` exactly, spaces around it allowed (they are stripped)."""
    return r"^\s*(?:" + "|".join(re.escape(w) for w in sorted(words)) + r")\s*$"


_CODES: Final = sorted(COUNTRIES | EU_ALIASES)

_DEFS: Final[dict[str, dict[str, Any]]] = {
    "Category": {
        "title": "Category",
        "description": (
            "a category of personal data: a built-in one (identity.name, contact.email, "
            "special.health...) or one the policy declares under 'categories'"
        ),
        "anyOf": [
            {"enum": sorted(BUILTIN_CATEGORIES)},
            {"type": "string", "pattern": CATEGORY_PATTERN},
        ],
    },
    "Period": {
        "title": "Period",
        "description": "an ISO 8601 duration: P12M, P10Y, P30D, P1Y6M, P2W, PT12H",
        "type": "string",
        "pattern": PERIOD_PATTERN,
        "examples": ["P12M", "P24M", "P10Y", "P30D"],
    },
    "Country": {
        "title": "Country",
        "description": "an ISO 3166-1 alpha-2 country code (IT, DE; EL and UK are read as GR, GB)",
        "anyOf": [
            {"enum": _CODES},
            {
                "type": "string",
                "pattern": r"^\s*(?:" + "|".join(_any_case(c) for c in _CODES) + r")\s*$",
            },
        ],
    },
    "Flag": {
        "title": "Flag",
        "description": "true or false (yes/no, on/off and 1/0 are read alike)",
        "anyOf": [
            {"type": "boolean"},
            {"type": "string", "pattern": _words(_TRUE_WORDS + _FALSE_WORDS)},
            {"enum": [0, 1]},
        ],
    },
    "TransformMethod": {
        "title": "TransformMethod",
        "description": (
            "token (keyed pseudonym), encrypt (reversible with the key), mask, generalise.* "
            "(year, month, decade, age_band, postcode, ip), redact, drop"
        ),
        "anyOf": [
            {"enum": sorted(TRANSFORM_METHODS)},
            {"type": "string", "pattern": _spaced(TRANSFORM_METHODS)},
        ],
    },
    "WhenValue": {
        "title": "WhenValue",
        "description": "a value the field may hold",
        "anyOf": [
            {"type": "string"},
            {"type": "boolean"},
            {"type": "integer"},
            {"type": "number"},
        ],
    },
}

# The key's meaning, where the model does not say it (Field(description=...) wins).
_DESCRIPTIONS: Final[dict[tuple[str, str], str]] = {
    ("Policy", "version"): "the version of the policy format: 1",
    ("Policy", "controller"): "who the controller is (Art. 13(1)(a), Art. 30(1)(a))",
    ("Policy", "settings"): "how record values are read",
    ("Policy", "subject"): "the record fields that describe the data subject",
    ("Policy", "fields"): (
        "every field a record may carry, with its category: 'name: category' or "
        "'name: {category: ..., format: ...}'"
    ),
    ("Policy", "categories"): (
        "categories the policy adds to the catalogue (under a new root or an existing one; "
        "never under special or criminal)"
    ),
    ("Policy", "purposes"): "why data is processed: each purpose with its basis, data, retention",
    ("Policy", "jurisdictions"): (
        "per country (upper-case ISO code): overrides of the bundled member-state data"
    ),
    ("Controller", "name"): "the controller's legal name",
    ("Controller", "contact"): "how a data subject reaches the controller (e-mail, address)",
    ("CategoryDefinition", "description"): "what the category holds, for the notice",
    (
        "CategoryDefinition",
        "special",
    ): "a special category of Art. 9 (needs an Art. 9(2) condition)",
    ("ConsentSetting", "valid_for"): (
        "an ISO 8601 duration after which a consent is expired (consent.expired)"
    ),
    ("Extension", "purpose"): "the purpose whose retention is extended",
    ("Extension", "period"): "the authorised period (ISO 8601 duration); it replaces the cap",
    ("Extension", "reference"): "the authorisation relied on (e.g. the Garante's provision)",
    ("FieldSpec", "category"): "the category of personal data the field holds",
    ("FieldSpec", "format"): (
        "the value's format, checked on every record: " + ", ".join(FORMAT_NAMES)
    ),
    ("FieldSpec", "description"): "what the field holds, in plain words (used by the notice)",
    ("JurisdictionSettings", "age_of_digital_consent"): (
        "the Art. 8 age of digital consent in this country (13 to 16)"
    ),
    ("JurisdictionSettings", "extensions"): (
        "longer retention authorised for a purpose (e.g. by the Garante)"
    ),
    ("Purpose", "description"): "what the purpose is, in plain words (used by the notice)",
    ("Purpose", "basis"): "the lawful basis of Art. 6(1)",
    ("Purpose", "special"): "the Art. 9(2) condition: needed for special.* categories",
    ("Purpose", "profiling"): "the purpose profiles data subjects (Art. 21(2), Art. 22)",
    ("Purpose", "when"): (
        "the basis applies only to records whose field holds one of these values "
        "(a value or a list)"
    ),
    ("Purpose", "consent"): (
        "where consent is read: record columns (field, at, explicit, parental) or, without "
        "field, the consent ledger; valid_for"
    ),
    ("Purpose", "sources"): "the sources (subject.source values) the purpose accepts data from",
    ("Purpose", "categories"): "the categories of data the purpose may use",
    ("Purpose", "requires"): "fields a record must carry for the purpose (else it is denied)",
    ("Purpose", "retention"): "how long data is kept for the purpose",
    ("Purpose", "transform"): (
        "per field, a transform applied before the purpose sees it: a method name or "
        "{method, domain}"
    ),
    ("RetentionRule", "period"): "how long (ISO 8601 duration)",
    ("RetentionRule", "from"): "the date field the period is counted from",
    ("RetentionRule", "from_"): "the Python name of 'from'; write 'from'",
    ("RetentionRule", "categories"): (
        "the categories the rule covers; without it, the whole record for the purpose"
    ),
    ("RetentionRule", "then"): "what a sweep does when the period is over: delete or anonymise",
    ("SubjectFields", "id"): "the field holding the subject's identifier",
    ("SubjectFields", "country"): "the field holding the subject's country",
    ("SubjectFields", "birth_date"): "the field holding the subject's birth date (Art. 8)",
    ("SubjectFields", "source"): "the field saying where the record came from",
    ("SubjectFields", "relationship"): "the field holding the relationship (customer, lead...)",
    ("TransformSpec", "method"): "the transform",
    ("TransformSpec", "domain"): (
        "the pseudonymisation domain: tokens of different domains do not match"
    ),
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _nullable(node: dict[str, Any], inner: dict[str, Any]) -> None:
    """Replace the non-null part of ``node`` (``X`` or ``anyOf [X, null]``) with ``inner``."""
    keep: dict[str, Any] = {
        k: node.pop(k) for k in ("title", "description", "default") if k in node
    }
    options = node.pop("anyOf", None)
    node.clear()
    if options is not None and {"type": "null"} in options:
        node["anyOf"] = [inner, {"type": "null"}]
    else:
        node.update(inner)
    node.update(keep)


def _items(node: dict[str, Any], inner: dict[str, Any]) -> None:
    """Make ``inner`` the item schema of the array in ``node`` (possibly nullable)."""
    for option in [node, *node.get("anyOf", [])]:
        if option.get("type") == "array":
            option["items"] = inner


def _flags(node: object) -> None:
    """Every ``{"type": "boolean"}`` below ``node`` reads pydantic's lax spellings too."""
    if isinstance(node, dict):
        if node.get("type") == "boolean" and "enum" not in node and "const" not in node:
            del node["type"]
            node["$ref"] = "#/$defs/Flag"
        if node.get("type") == "string" and node.get("minLength") == 1 and "pattern" not in node:
            node["pattern"] = r"\S"  # surrounding spaces are stripped: blank is empty
        for value in node.values():
            _flags(value)
    elif isinstance(node, list):
        for value in node:
            _flags(value)


def _short_form(definition: dict[str, Any], short: dict[str, Any], note: str) -> None:
    """A model that may also be written as a single string."""
    full = {k: definition.pop(k) for k in list(definition) if k not in ("title", "description")}
    definition["description"] = f"{definition.get('description', '')} {note}".strip()
    definition["anyOf"] = [short, full]


def _described(defs: dict[str, Any], top: dict[str, Any]) -> None:
    for name, definition in [("Policy", top), *defs.items()]:
        for options in [definition, *definition.get("anyOf", [])]:
            for key, prop in options.get("properties", {}).items():
                if "description" not in prop and (name, key) in _DESCRIPTIONS:
                    prop["description"] = _DESCRIPTIONS[name, key]
                prop.pop("title", None)  # "Birth Date": pydantic's, not the file's


def finish(raw: dict[str, Any]) -> dict[str, Any]:
    """The schema of the policy *file* from pydantic's validation schema of ``Policy``."""
    schema = copy.deepcopy(raw)
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    _flags(schema)
    defs.update(copy.deepcopy(_DEFS))

    def at(model: str, key: str, change: Callable[[dict[str, Any]], None]) -> None:
        properties = schema["properties"] if model == "Policy" else defs[model]["properties"]
        if key in properties:
            change(properties[key])

    category = _ref("Category")
    at("FieldSpec", "category", lambda p: _nullable(p, category))
    at("Purpose", "categories", lambda p: _items(p, category))
    at("RetentionRule", "categories", lambda p: _items(p, category))
    for model, key in (("ConsentSetting", "valid_for"), ("RetentionRule", "period")):
        at(model, key, lambda p: _nullable(p, _ref("Period")))
    at("Extension", "period", lambda p: _nullable(p, _ref("Period")))
    for model in ("Controller", "Recipient", "Transfer"):
        at(model, "country", lambda p: _nullable(p, _ref("Country")))
    at("TransformSpec", "method", lambda p: _nullable(p, _ref("TransformMethod")))
    at(
        "Purpose",
        "when",
        lambda p: _nullable(
            p,
            {
                "type": "object",
                "additionalProperties": {
                    "anyOf": [
                        _ref("WhenValue"),
                        {"type": "array", "items": _ref("WhenValue")},
                    ]
                },
            },
        ),
    )
    at(
        "JurisdictionSettings",
        "age_of_digital_consent",
        lambda p: p["anyOf"].insert(
            1, {"type": "string", "pattern": r"^\s*\+?0*1[3-6](?:\.0*)?\s*$"}
        ),
    )
    at(
        "Policy",
        "categories",
        lambda p: p.__setitem__(
            "propertyNames",
            {
                "pattern": CATEGORY_PATTERN,
                "not": {
                    "anyOf": [
                        {"pattern": _spaced(BUILTIN_CATEGORIES)},
                        {"pattern": r"^\s*(?:special|criminal)(?:\.|\s*$)"},
                    ]
                },
            },
        ),
    )
    at("Policy", "fields", lambda p: p.__setitem__("propertyNames", {"minLength": 1}))
    at(
        "Policy",
        "jurisdictions",
        lambda p: p.__setitem__("propertyNames", {"pattern": r"^\s*[A-Z]{2}\s*$"}),
    )

    rule = defs.get("RetentionRule")
    if rule is not None and "from" in rule.get("properties", {}):
        # populate_by_name: the Python name is read too (either one, at least one).
        rule["properties"]["from_"] = {**rule["properties"]["from"], "deprecated": True}
        rule["required"] = [r for r in rule.get("required", []) if r != "from"]
        rule["anyOf"] = [{"required": ["from"]}, {"required": ["from_"]}]

    consent = defs.get("ConsentSetting")
    if consent is not None:
        consent["if"] = {"properties": {"at": {"type": "string"}}, "required": ["at"]}
        consent["then"] = {
            "properties": {"field": {"type": "string"}},
            "required": ["field"],
        }
    purpose = defs.get("Purpose")
    if purpose is not None:
        true = {
            "anyOf": [
                {"const": True},
                {"const": 1},
                {"type": "string", "pattern": _words(_TRUE_WORDS)},
            ]
        }
        purpose["if"] = {
            "properties": {"soft_opt_in": {"const": True}},
            "required": ["soft_opt_in"],
        }
        purpose["then"] = {
            "properties": {"basis": {"const": "legitimate_interests"}, "direct_marketing": true},
            "required": ["basis", "direct_marketing"],
        }

    if "FieldSpec" in defs:
        _short_form(defs["FieldSpec"], category, "Short form: the category alone.")
    if "TransformSpec" in defs:
        _short_form(defs["TransformSpec"], _ref("TransformMethod"), "Short form: the method alone.")
    _described(defs, schema)

    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "gdprkit policy",
        "description": (
            "A GDPR processing policy for gdprkit (format version 1): the controller, the "
            "fields records carry, and each purpose's basis, data and retention"
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }
