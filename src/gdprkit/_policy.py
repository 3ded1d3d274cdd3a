"""The policy: pydantic models of the policy file, and ``load_policy``.

A policy is frozen and strict (``extra="forbid"``): a typo in a policy file is an error, never a
silently weaker policy. ``load_policy`` reports *every* problem it finds with its location, the
structural ones (unknown keys, bad legal bases, periods that are not ISO 8601 durations) and the
cross-references (``requires``, ``from``, ``transform``, ``subject``, ``when`` and ``consent``
naming undeclared fields; unknown categories) together.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from os import PathLike
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, ClassVar, Final, Literal, Self, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.json_schema import DEFAULT_REF_TEMPLATE
from pydantic_core import ErrorDetails

from gdprkit._errors import ConfigurationError, PolicyError, PolicyProblem
from gdprkit._formats import is_country
from gdprkit._policy_file import (
    MAX_PROBLEMS,
    Document,
    did_you_mean,
    location,
    read_document,
    refused,
    segment,
    shown,
    source_name,
)
from gdprkit._policy_file import did_you_mean as suggestion
from gdprkit._policy_schema import finish as finish_schema
from gdprkit._taxonomy import (
    BUILTIN_CATEGORIES,
    FORMAT_NAMES,
    TRANSFORM_METHODS,
    Catalogue,
    LegalBasis,
    SpecialCondition,
    covers,
    root,
)
from gdprkit._time import parse_period, zone

__all__ = [
    "CategoryDefinition",
    "ConsentSetting",
    "Controller",
    "Extension",
    "FieldSpec",
    "JurisdictionSettings",
    "Policy",
    "PolicySettings",
    "Purpose",
    "Recipient",
    "RetentionRule",
    "SubjectFields",
    "Transfer",
    "TransformSpec",
    "load_policy",
]

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
Format = Literal["email", "phone", "codice_fiscale", "partita_iva", "country", "date", "ip"]
assert set(FORMAT_NAMES) == set(get_args(Format))  # noqa: S101 - one vocabulary, checked at import


def _period(value: object) -> object:
    if isinstance(value, str):
        parse_period(value)  # raises ValueError with a clear message
    return value


Duration = Annotated[str, BeforeValidator(_period)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _country_code(value: object) -> object:
    """An ISO 3166-1 alpha-2 code, upper-cased; ``ValueError`` for anything else."""
    if isinstance(value, str):
        value = value.strip().upper()
        if not _COUNTRY.match(value) or not is_country(value):
            raise ValueError("an ISO 3166-1 alpha-2 country code such as IT")
    return value


Country = Annotated[str, BeforeValidator(_country_code)]


class Controller(_Model):
    """Who the controller is (Art. 13(1)(a)) and where it is established."""

    name: str = Field(min_length=1)
    country: Country = Field(description="ISO 3166-1 alpha-2 code of the controller's jurisdiction")
    contact: str = Field(min_length=1)
    dpo: str | None = Field(
        default=None, description="contact of the data protection officer (Art. 13(1)(b))"
    )
    representative: str | None = Field(
        default=None,
        description=(
            "name and contact of the representative in the Union, for a controller established "
            "outside it (Art. 27, Art. 13(1)(a))"
        ),
    )
    information_society_service: bool = Field(
        default=False, description="Art. 8 applies to children's consent"
    )


class Recipient(_Model):
    """Who receives personal data (Art. 13(1)(e), Art. 30(1)(d)): a processor acting for the
    controller, another controller, or a public authority."""

    name: str = Field(min_length=1, description="who receives the data, or a category of them")
    role: Literal["processor", "controller", "authority"] = Field(
        description="processor (Art. 28), another controller, or a public authority"
    )
    purposes: tuple[str, ...] | None = Field(
        default=None, description="the purposes whose data it receives; all when omitted"
    )
    country: Country | None = Field(
        default=None, description="ISO 3166-1 alpha-2 code of where it processes the data"
    )


class Transfer(_Model):
    """A transfer of personal data to a third country (Art. 13(1)(f), Art. 30(1)(e))."""

    country: Country = Field(description="ISO 3166-1 alpha-2 code of the third country")
    safeguard: Literal["adequacy", "scc", "bcr", "derogation"] = Field(
        description=(
            "adequacy decision (Art. 45), standard contractual clauses (Art. 46(2)(c)), binding "
            "corporate rules (Art. 47) or a derogation (Art. 49)"
        )
    )
    reference: str | None = Field(
        default=None,
        description="the decision, clauses or documentation relied on, and where to obtain a copy",
    )


class PolicySettings(_Model):
    """How records are read."""

    timezone: str = Field(default="UTC", description="IANA zone for naive timestamps in records")
    dayfirst: bool = Field(default=False, description="03/04/2025 is 3 April")
    demonstrable_consent: bool = Field(
        default=True, description="consent without evidence does not count (Art. 7(1))"
    )
    invalid_values: Literal["keep", "drop", "deny"] = Field(
        default="keep",
        description=(
            "a value that fails its field's format (e-mail, phone, codice fiscale...): keep it, "
            "drop the field, or deny the record; code value.invalid (Art. 5(1)(d))"
        ),
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value


class SubjectFields(_Model):
    """Record fields that describe the data subject."""

    id: str | None = None
    country: str | None = None
    birth_date: str | None = None
    source: str | None = None
    relationship: str | None = None


class FieldSpec(_Model):
    """A field a record may carry: its category and, optionally, its value format."""

    category: str
    format: Format | None = None
    description: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        return {"category": value} if isinstance(value, str) else value


class CategoryDefinition(_Model):
    """A category the policy adds to the catalogue."""

    description: str | None = None
    special: bool = False


class ConsentSetting(_Model):
    """Where a consent-based purpose reads consent from, and how long it lasts."""

    field: str | None = Field(default=None, description="column holding the consent flag")
    at: str | None = Field(default=None, description="column holding when consent was given")
    explicit: str | None = Field(default=None, description="column saying consent was explicit")
    parental: str | None = Field(
        default=None, description="column saying a holder of parental responsibility consented"
    )
    valid_for: Duration | None = None


class RetentionRule(_Model):
    """How long data may be kept for a purpose, counted from a record field."""

    model_config = ConfigDict(populate_by_name=True)

    period: Duration
    from_: str = Field(alias="from")
    categories: tuple[str, ...] | None = None
    then: Literal["delete", "anonymise"] = "delete"


class TransformSpec(_Model):
    """A transform applied to a field before it reaches the purpose."""

    method: str
    domain: str = Field(default="default", min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        return {"method": value} if isinstance(value, str) else value

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        if value not in TRANSFORM_METHODS:
            raise ValueError(
                f"unknown transform {shown(value)}; one of: "
                + ", ".join(sorted(TRANSFORM_METHODS))
                + did_you_mean(value, TRANSFORM_METHODS)
            )
        return value


Scalar = str | bool | int | float


class Purpose(_Model):
    """Why data is processed, on which ground, which data, for how long, from where."""

    description: str | None = None
    basis: LegalBasis
    special: SpecialCondition | None = None
    criminal: str | None = Field(default=None, description="legal authorisation for Art. 10 data")
    direct_marketing: bool | None = Field(
        default=None,
        description=(
            "Art. 21(3): any objection to direct marketing is absolute. Unset (null) on a "
            "profiling purpose means profiling related to direct marketing (Art. 21(2)); say "
            "false to declare that it is not"
        ),
    )
    profiling: bool = False
    soft_opt_in: bool = Field(
        default=False,
        description=(
            "e-mail marketing of the controller's own similar products to its customers "
            "without consent (Dir. 2002/58/EC art. 13(2), Codice privacy art. 130(4)): only "
            "with basis legitimate_interests and direct_marketing: true"
        ),
    )
    when: dict[str, tuple[Scalar, ...]] | None = None
    consent: ConsentSetting | None = None
    sources: tuple[str, ...] | None = None
    categories: tuple[str, ...] = Field(min_length=1)
    requires: tuple[str, ...] = ()
    retention: tuple[RetentionRule, ...] = ()
    transform: dict[str, TransformSpec] = Field(default_factory=dict)
    interest: str | None = Field(
        default=None,
        description="the legitimate interest pursued, for legitimate_interests (Art. 13(1)(d))",
    )
    data_subjects: tuple[str, ...] | None = Field(
        default=None,
        description="categories of data subjects: customers, leads, employees... (Art. 30(1)(c))",
    )

    @field_validator("when", mode="before")
    @classmethod
    def _when_lists(cls, value: object) -> object:
        if isinstance(value, Mapping):
            return {k: v if isinstance(v, list | tuple) else [v] for k, v in value.items()}
        return value


class Extension(_Model):
    """A longer retention authorised for a purpose (e.g. by the Garante): replaces a cap."""

    purpose: str
    period: Duration
    reference: str = Field(min_length=1)


class JurisdictionSettings(_Model):
    """Overrides of the bundled member-state data."""

    age_of_digital_consent: int | None = Field(default=None, ge=13, le=16)
    extensions: tuple[Extension, ...] = ()


class Policy(_Model):
    """A GDPR processing policy. Load one with :func:`load_policy`."""

    version: Literal[1]
    controller: Controller
    settings: PolicySettings = PolicySettings()
    subject: SubjectFields = SubjectFields()
    fields: dict[str, FieldSpec] = Field(min_length=1)
    categories: dict[str, CategoryDefinition] = Field(default_factory=dict)
    purposes: dict[str, Purpose] = Field(min_length=1)
    jurisdictions: dict[str, JurisdictionSettings] = Field(default_factory=dict)
    recipients: tuple[Recipient, ...] | None = Field(
        default=None,
        description="who receives the data (Art. 13(1)(e), 30(1)(d)); [] declares nobody",
    )
    transfers: tuple[Transfer, ...] | None = Field(
        default=None,
        description="transfers to third countries (Art. 13(1)(f), 30(1)(e)); [] declares none",
    )
    security: tuple[str, ...] | None = Field(
        default=None,
        description="technical and organisational security measures (Art. 30(1)(g), Art. 32)",
    )

    _plans: dict[str, Any] = PrivateAttr(default_factory=dict)
    _catalogue: Catalogue | None = PrivateAttr(default=None)
    _formats: dict[str, str | None] | None = PrivateAttr(default=None)

    _SEMANTIC_MARKER: ClassVar[str] = "policy cross-reference problems"

    @model_validator(mode="after")
    def _cross_references(self) -> Self:
        problems = list(_semantic_problems(self.model_dump(by_alias=True), suggest=False))
        if problems:
            raise ValueError(self._SEMANTIC_MARKER + ":\n" + "\n".join(str(p) for p in problems))
        return self

    @classmethod
    def model_json_schema(
        cls,
        *args: Any,  # noqa: ANN401 - pydantic's parameters, which differ between versions
        **kwargs: Any,  # noqa: ANN401
    ) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of the policy *file*: what ``load_policy`` accepts,
        short forms included, with a description on every key and the catalogue's choices
        (see ``gdprkit._policy_schema``). Other modes and reference templates get pydantic's
        schema of the model unchanged."""
        schema = super().model_json_schema(*args, **kwargs)
        mode = kwargs.get("mode", args[3] if len(args) > 3 else "validation")
        template = kwargs.get("ref_template", args[1] if len(args) > 1 else DEFAULT_REF_TEMPLATE)
        if mode != "validation" or template != DEFAULT_REF_TEMPLATE:
            return schema
        return finish_schema(schema)

    @property
    def catalogue(self) -> Catalogue:
        """The categories this policy may use (built-in plus its own)."""
        if self._catalogue is None:
            self._catalogue = Catalogue({k: v.special for k, v in self.categories.items()})
        return self._catalogue

    def purpose(self, name: str) -> Purpose:
        """The purpose called ``name``; ``ConfigurationError`` for an unknown purpose."""
        try:
            return self.purposes[name]
        except (KeyError, TypeError):
            known = ", ".join(repr(p) for p in sorted(self.purposes))
            asked = repr(name) if isinstance(name, str) else f"<{type(name).__name__}>"
            raise ConfigurationError(
                f"unknown purpose {asked}{suggestion(name, self.purposes)}; the policy "
                f"declares: {known}"
            ) from None

    def category_of(self, field: str) -> str | None:
        """The category of a declared field, ``None`` for an undeclared one."""
        spec = self.fields.get(field)
        return None if spec is None else spec.category

    def __getstate__(self) -> dict[Any, Any]:
        """The policy as written, without its caches (compiled plans, formats, catalogue).

        The caches hold generated code and read-only views that do not pickle; they are cheap
        to rebuild, so an unpickled policy starts with empty ones (design §12: multiprocessing,
        Dask and Spark ship policies to workers). Private attributes other modules add to a
        policy are caches too and are left behind alike.
        """
        state = dict(super().__getstate__())
        state["__pydantic_private__"] = self._empty_caches()
        return state

    def __copy__(self) -> Self:
        """A copy with empty caches: ``model_copy(update=...)`` must not reuse plans compiled
        for what the original said."""
        duplicate = super().__copy__()
        object.__setattr__(duplicate, "__pydantic_private__", self._empty_caches())
        return duplicate

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """A deep copy of the policy as written, with empty caches (as for pickling)."""
        if memo is None:
            memo = {}
        duplicate = copy.copy(self)
        memo[id(self)] = duplicate
        object.__setattr__(duplicate, "__dict__", copy.deepcopy(self.__dict__, memo))
        object.__setattr__(duplicate, "__pydantic_private__", self._empty_caches())
        return duplicate

    def __eq__(self, other: object) -> bool:
        """Policies are equal when they say the same: what they have cached does not count."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        return type(other) is type(self) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # a policy holds dicts: unhashable, as before

    def _empty_caches(self) -> dict[str, Any]:
        # Not get_default(call_default_factory=True): that keyword is pydantic >= 2.13 only.
        return {
            name: attribute.default_factory()  # type: ignore[call-arg,unused-ignore]
            if attribute.default_factory is not None
            else attribute.get_default()
            for name, attribute in self.__private_attributes__.items()
        }

    def __repr__(self) -> str:
        return (
            f"Policy(controller={self.controller.name!r}, fields={len(self.fields)}, "
            f"purposes={sorted(self.purposes)!r})"
        )


# --------------------------------------------------------------------------------------------
# Cross-reference checks. They run on plain mappings (the raw file, or a dumped model) and are
# defensive about shapes, so that load_policy can report them together with structural errors.


def _as_map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return []


def _names(value: object, names: object) -> bool:
    """Whether ``value`` is one of ``names`` (a set or mapping of text); a list or mapping
    written where a name belongs is none (and cannot be hashed to look it up)."""
    return isinstance(value, str) and value in names  # type: ignore[operator]


def _field_category(spec: object) -> str | None:
    if isinstance(spec, str):
        return spec
    category = _as_map(spec).get("category")
    return category if isinstance(category, str) else None


def _semantic_problems(raw: Mapping[str, Any], *, suggest: bool = True) -> Iterator[PolicyProblem]:
    """The cross-reference problems of ``raw``; with ``suggest``, the first ``MAX_PROBLEMS``
    say which known name an unknown one is close to (the rest would not be shown)."""
    budget = MAX_PROBLEMS if suggest else 0

    def did_you_mean(word: object, choices: Iterable[object]) -> str:
        nonlocal budget
        if budget <= 0:
            return ""
        budget -= 1
        return suggestion(word, choices)

    fields = _as_map(raw.get("fields"))
    declared = {k for k in fields if isinstance(k, str)}
    custom = _as_map(raw.get("categories"))

    for name, definition in custom.items():
        loc = f"categories.{segment(name)}"
        if not isinstance(name, str) or not _CATEGORY.match(name):
            yield PolicyProblem(loc, "a category is a dotted lower-case name (loyalty.points)")
            continue
        if root(name) in ("special", "criminal"):
            yield PolicyProblem(
                loc, f"categories under {shown(root(name))} are built in: not redefinable"
            )
        elif name in BUILTIN_CATEGORIES:
            yield PolicyProblem(loc, "this category is built in")
        if (
            isinstance(definition, Mapping)
            and definition.get("special") is False
            and (covers("special", name) or covers("criminal", name))
        ):
            yield PolicyProblem(loc, "special categories cannot be made non-special")
    catalogue = Catalogue(
        {k: bool(_as_map(v).get("special")) for k, v in custom.items() if isinstance(k, str)}
    )

    def known_category(category: object) -> bool:
        return isinstance(category, str) and category in catalogue

    def unknown_category(category: object) -> str:
        return f"unknown category {shown(category)}" + did_you_mean(category, catalogue.names)

    def undeclared(field: object) -> str:
        return f"names undeclared field {shown(field)}" + did_you_mean(field, declared)

    for name, spec in fields.items():
        loc = f"fields.{segment(name)}"
        if not isinstance(name, str) or not name:
            yield PolicyProblem(loc, "a field name is non-empty text")
            continue
        category = _field_category(spec)
        if category is not None and not known_category(category):
            yield PolicyProblem(f"{loc}.category", unknown_category(category))

    subject = _as_map(raw.get("subject"))
    for role, field in subject.items():
        if field is not None and not _names(field, declared):
            yield PolicyProblem(f"subject.{segment(role)}", undeclared(field))

    purposes = _as_map(raw.get("purposes"))
    for pname, purpose_raw in purposes.items():
        p = _as_map(purpose_raw)
        loc = f"purposes.{segment(pname)}"
        categories = [c for c in _as_list(p.get("categories")) if isinstance(c, str)]
        for i, category in enumerate(_as_list(p.get("categories"))):
            if not known_category(category):
                yield PolicyProblem(f"{loc}.categories.{i}", unknown_category(category))
        for i, field in enumerate(_as_list(p.get("requires"))):
            if not _names(field, declared):
                yield PolicyProblem(f"{loc}.requires.{i}", undeclared(field))
                continue
            category = _field_category(fields[field])
            if category is not None and not any(covers(c, category) for c in categories):
                yield PolicyProblem(
                    f"{loc}.requires.{i}",
                    f"requires field {shown(field)} whose category {shown(category)} the purpose"
                    " does not list: every record would be denied",
                )
        for i, rule_raw in enumerate(_as_list(p.get("retention"))):
            rule = _as_map(rule_raw)
            anchor = rule.get("from", rule.get("from_"))
            if anchor is not None and not _names(anchor, declared):
                yield PolicyProblem(f"{loc}.retention.{i}.from", undeclared(anchor))
            for j, category in enumerate(_as_list(rule.get("categories"))):
                if not known_category(category):
                    yield PolicyProblem(
                        f"{loc}.retention.{i}.categories.{j}", unknown_category(category)
                    )
        for field in _as_map(p.get("transform")):
            if not _names(field, declared):
                yield PolicyProblem(
                    f"{loc}.transform.{segment(field)}",
                    "names an undeclared field" + did_you_mean(field, declared),
                )
        for field in _as_map(p.get("when")):
            if not _names(field, declared):
                yield PolicyProblem(
                    f"{loc}.when.{segment(field)}",
                    "names an undeclared field" + did_you_mean(field, declared),
                )
        consent = _as_map(p.get("consent"))
        for key in ("field", "at", "explicit", "parental"):
            column = consent.get(key)
            if column is not None and not _names(column, declared):
                yield PolicyProblem(f"{loc}.consent.{key}", undeclared(column))
        if consent.get("at") is not None and consent.get("field") is None:
            yield PolicyProblem(f"{loc}.consent", "'at' needs 'field' (the consent flag column)")
        if p.get("soft_opt_in") is True and (
            p.get("basis") != "legitimate_interests" or p.get("direct_marketing") is not True
        ):
            yield PolicyProblem(
                f"{loc}.soft_opt_in",
                "soft opt-in (Codice privacy art. 130(4)) needs basis 'legitimate_interests' and "
                "direct_marketing: true",
            )
        if p.get("sources") is not None and subject.get("source") is None:
            yield PolicyProblem(
                f"{loc}.sources", "lists sources but subject.source names no record field"
            )

    for i, recipient_raw in enumerate(_as_list(raw.get("recipients"))):
        for j, target in enumerate(_as_list(_as_map(recipient_raw).get("purposes"))):
            if not _names(target, purposes):
                yield PolicyProblem(
                    f"recipients.{i}.purposes.{j}",
                    f"unknown purpose {shown(target)}" + did_you_mean(target, purposes),
                )

    for country, settings_raw in _as_map(raw.get("jurisdictions")).items():
        loc = f"jurisdictions.{segment(country)}"
        if not isinstance(country, str) or not _COUNTRY.match(country):
            yield PolicyProblem(loc, "an ISO 3166-1 alpha-2 country code such as IT")
        for i, ext_raw in enumerate(_as_list(_as_map(settings_raw).get("extensions"))):
            target = _as_map(ext_raw).get("purpose")
            if target is not None and not _names(target, purposes):
                yield PolicyProblem(
                    f"{loc}.extensions.{i}.purpose",
                    f"unknown purpose {shown(target)}" + did_you_mean(target, purposes),
                )


# --------------------------------------------------------------------------------------------
# Loading.


def _strip(annotation: object) -> object:
    """``X`` from ``X | None`` and from ``Annotated[X, ...]``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _strip(get_args(annotation)[0])
    if origin in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _strip(args[0]) if len(args) == 1 else annotation
    return annotation


def _annotation_at(loc: tuple[int | str, ...]) -> object:
    """What the policy format expects at ``loc`` (a model, an enum, a literal ...), or None."""
    current: Any = Policy
    for part in loc:
        current = _strip(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            found = [
                f.annotation for name, f in current.model_fields.items() if part in (name, f.alias)
            ]
            if not found:
                return None
            current = found[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        elif get_origin(current) is tuple:
            current = get_args(current)[0]
        else:
            return None
    return _strip(current)


def _choices(annotation: object) -> list[str]:
    """The words the policy format accepts where ``annotation`` stands."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(m.value) for m in annotation]
    if get_origin(annotation) is Literal:
        return [a for a in get_args(annotation) if isinstance(a, str)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or name for name, f in annotation.model_fields.items()]
    return []


# pydantic's union members and key markers in a location: not part of the policy's own.
_UNION_TAGS: Final = frozenset({"str", "constrained-str", "bool", "int", "float", "[key]"})
# What the policy format expects where a model stands, in its own words (short forms named).
_EXPECTED_MAPPING: Final[dict[str, str]] = {
    "FieldSpec": "a category (contact.email) or a mapping {category, format, description}",
    "TransformSpec": "a transform method (token, mask, generalise.year...) or a mapping"
    " {method, domain}",
    "RetentionRule": "a retention rule {period, from, categories, then}",
    "Policy": "a mapping at the top level",
}
_WHAT: Final[dict[type, str]] = {
    LegalBasis: "legal basis (Art. 6(1))",
    SpecialCondition: "Art. 9(2) condition",
}


def _kind(value: object) -> str:
    """What a value is, in the policy's words (never the value)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    return f"a value of type {type(value).__name__[:40]}"


def _one_of(words: Iterable[str]) -> str:
    return ", ".join(words)


def _in_own_words(error: ErrorDetails, loc: tuple[int | str, ...], union: bool) -> str:
    """pydantic's message for ``error`` rewritten in the policy's own words: keys, lists,
    mappings, text; never "Input should be", "Field required", "Extra inputs"."""
    kind, value = error["type"], error.get("input")
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    annotation = _annotation_at(loc)
    found = f", found {_kind(value)}"
    if union:
        return "expected text, a number or true/false" + found
    if kind == "missing":
        return f"missing required key {shown(loc[-1]) if loc else ''}".rstrip()
    if kind == "extra_forbidden":
        message = "unknown key (a typo would silently weaken the policy)"
        return message + (did_you_mean(loc[-1], _choices(_annotation_at(loc[:-1]))) if loc else "")
    if kind in ("enum", "literal_error"):
        choices = _choices(annotation)
        if loc == ("version",):
            return "unsupported format version (this gdprkit reads version: 1)"
        what = _WHAT.get(annotation) if isinstance(annotation, type) else None
        if what is None:
            what = loc[-1] if loc and isinstance(loc[-1], str) else "value"
        shown_value = shown(value) if isinstance(value, str) else _kind(value)
        return f"unknown {what} {shown_value}; one of: {_one_of(choices)}" + did_you_mean(
            value, choices
        )
    if kind in ("model_type", "model_attributes_type", "dict_type", "mapping_type"):
        name = annotation.__name__ if isinstance(annotation, type) else ""
        return "expected " + _EXPECTED_MAPPING.get(name, "a mapping (key: value)") + found
    if kind in ("tuple_type", "list_type", "iterable_type", "set_type"):
        hint = " (one item is written [item])" if isinstance(value, str) else ""
        return "expected a list" + hint + found
    if kind == "too_short":
        at_least = ctx.get("min_length", 1)
        unit = "entry" if isinstance(value, Mapping) else "item"
        return f"needs at least {at_least} {unit}{'s' * (at_least != 1)}"
    if kind == "too_long":
        return f"holds at most {ctx.get('max_length')} items"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters"
    if kind in ("string_type", "string_sub_type", "string_unicode"):
        return "expected text" + found
    if kind in ("bool_type", "bool_parsing"):
        return "expected true or false" + found
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return "expected a whole number" + found
    if kind in ("float_type", "float_parsing"):
        return "expected a number" + found
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind in ("value_error", "assertion_error"):
        return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "frozen_instance":
        return "a policy cannot be changed once loaded"
    message = str(error["msg"])
    for jargon, plain in _PLAIN:
        message = message.replace(jargon, plain)
    return message


# The fallback for messages of types not listed above: pydantic's words, then the policy's.
_PLAIN: Final = (
    ("Input should be a valid dictionary or instance of ", "expected a mapping: "),
    ("Input should be a valid dictionary", "expected a mapping"),
    ("Input should be a valid ", "expected a "),
    ("Input should be ", "expected "),
    ("Field required", "missing required key"),
    ("Extra inputs are not permitted", "unknown key"),
)


def _as_written(loc: tuple[int | str, ...], raw: object) -> tuple[int | str, ...]:
    """``loc`` as the file writes it: the index a short form's list adds (``when:
    {relationship: customer}`` is read as ``[customer]``) is not in the file."""
    current = raw
    for i, part in enumerate(loc):
        if isinstance(current, Mapping) and part in current:  # noqa: SIM114 - narrowing
            current = current[part]
        elif isinstance(current, list | tuple) and isinstance(part, int) and part < len(current):
            current = current[part]
        elif isinstance(part, int) and not isinstance(current, list | tuple):
            return loc[:i]  # an index the file does not write
        else:
            return loc
    return loc


def _structural_problem(error: ErrorDetails, raw: object = None) -> PolicyProblem:
    raw_loc: tuple[int | str, ...] = tuple(error["loc"])
    loc = tuple(part for part in raw_loc if not (isinstance(part, str) and part in _UNION_TAGS))
    if raw is not None:
        loc = _as_written(loc, raw)
    union = len(loc) != len(raw_loc) and raw_loc[-1] != "[key]"
    if raw_loc and raw_loc[-1] == "[key]":
        return PolicyProblem(
            location(loc), f"a name here is text, found {_kind(error.get('input'))}"
        )
    return PolicyProblem(location(loc), _in_own_words(error, loc, union))


def _capped(problems: list[PolicyProblem]) -> list[PolicyProblem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], PolicyProblem("", f"... and {more} more problems")]


def _with_lines(problems: list[PolicyProblem], document: Document) -> list[PolicyProblem]:
    """Each problem with the line it stands on (YAML files), beside its dotted location."""
    if not document.lines:
        return problems
    placed = []
    for problem in problems:
        line = document.line_of(problem.location)
        if line is not None and not problem.message.startswith("line "):
            placed.append(PolicyProblem(problem.location, f"line {line}: {problem.message}"))
        else:
            placed.append(problem)
    return placed


def load_policy(source: str | PathLike[str] | Mapping[str, Any] | Policy) -> Policy:
    """Load a policy from a file (YAML, JSON or TOML, by suffix) or a mapping.

    Raises :class:`PolicyError` listing every problem found, each with its location (and its
    line, for a YAML file): unknown keys and values (with the known one they are close to),
    keys given twice, dangling references. A document nested deeper than 32 levels, or of
    more than 50 000 values once YAML aliases are expanded, is refused before it is read.
    """
    if isinstance(source, Policy):
        return source
    where: str | None = None
    if isinstance(source, Mapping):
        refusal = refused(source, None)
        if refusal is not None:
            raise refusal
        document = Document(source)
    elif isinstance(source, str | PathLike):
        path = Path(source)
        where = source_name(path)
        document = read_document(path)
    else:
        raise TypeError("load_policy takes a path or a mapping")
    raw = document.data
    if not isinstance(raw, Mapping):
        problem = PolicyProblem("", f"a policy is a mapping at the top level, found {_kind(raw)}")
        raise PolicyError(_with_lines([problem], document), where)
    problems: list[PolicyProblem] = list(document.problems)
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=True):
            if Policy._SEMANTIC_MARKER in str(error["msg"]):
                continue  # reported below, from the raw data, with precise locations
            problem = _structural_problem(error, raw)
            if problem not in problems:  # a union's members fail alike: said once
                problems.append(problem)
        seen = set(problems)
        for problem in _semantic_problems(raw):
            if problem not in seen:
                seen.add(problem)
                problems.append(problem)
    else:
        if not problems:
            return policy
    raise PolicyError(_capped(_with_lines(problems, document)), where)
