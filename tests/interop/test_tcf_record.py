"""``record(ledger, subject, tc, *, purposes, at)``: a TC string into the consent ledger, in
memory and in a SQLite file, then ``gdprkit.decide`` on a consent-based purpose sees it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _tcf_encoder import encode

import gdprkit
from gdprkit import ConfigurationError, ConsentLedger, LedgerError
from gdprkit.interop import tcf
from gdprkit.interop.tcf import TCString, TCStringError, decode, record

# GDPR::IAB::TCFv2 t/05-tcf-v23.t: a real TCF v2.3 string (CMP 7, created 2023-11-28)
V23 = (
    "CP188cAQKFpAAAHABBENBSFsAP_gAEPgAAiQKqNX_H__bW9r8X73aft0eY1P9_j77uQxBhfJE-4FzLvW_JwXx2ExNA36tq"
    "IKmRIEu3bBIQNlHJHUTVigaogVryHMak2cpTNKJ6BkiFMRM2dYCF5vm4tj-QKY5_r993dx2D-t_dv83dzyz81Hn3f5_2e"
    "0eLCdQ5-tDfv9bROb-9IPd_78v4v8_l_rk2_eT1n_tevr7D_-ft8__XW_9_fff_9Pn_-uB_-_3_vf_EFUwCTDQqIA-wJC"
    "Qg0DCKBACoKwgIoFAQAAJA0QEAJgwKdgYALrCRACAFAAMEAIAAQZAAgAAAgAQiACQAoEAAEAgUAAYAEAwEABAwAAgAsBA"
    "IAAQHQMUwIIFAsIEjMioUwIQoEggJbKhBICgQVwhCLPAIgERMFAAgAAAVgACAsFgcSSAlQkECXUG0AABAAgFEIFQgk9MA"
    "AwJmy1B4MG0ZWmAYPmCRDTAMgCIIyEAAAA.f_wACHwAAAAA"
)
# iabtcf-java TCStringV2Test: a v2.0 string (policy version 2, not service specific)
V20 = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA"

AT = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
LATER = datetime(2025, 9, 1, 8, 30, tzinfo=UTC)

PURPOSES = {
    "personalised_ads": [1, 3, 4],  # store on a device, build and use an ads profile
    "measurement": [1, 7, 9],
    "newsletter_site": [1],
}

POLICY = {
    "version": 1,
    "controller": {
        "name": "Arredamenti Rossi S.r.l.",
        "country": "IT",
        "contact": "privacy@arredamentirossi.it",
    },
    "subject": {"id": "customer_id"},
    "fields": {
        "customer_id": "identity.customer_id",
        "email": "contact.email",
        "pages_seen": "online.browsing",
    },
    "purposes": {
        "personalised_ads": {"basis": "consent", "categories": ["identity.customer_id", "online"]},
        "measurement": {"basis": "consent", "categories": ["identity.customer_id", "online"]},
        "newsletter": {
            "basis": "consent",
            "direct_marketing": True,
            "categories": ["identity.customer_id", "contact.email"],
        },
    },
}


def string_with(consent: set[int]) -> str:
    """The v2.3 string, its purpose consents replaced (the encoder written for the tests)."""
    return encode(replace(decode(V23), purposes_consent=frozenset(consent)))


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConsentLedger]:
    url = None if request.param == "memory" else f"sqlite:///{tmp_path / 'consents.db'}"
    with ConsentLedger(url) as opened:
        yield opened


def test_consent_and_withdrawal_per_purpose(ledger: ConsentLedger) -> None:
    tc = decode(string_with({1, 2, 3, 4, 9}))
    events = record(ledger, "C-1001", tc, purposes=PURPOSES, at=AT)
    assert [(e.purpose, e.kind) for e in events] == [
        ("personalised_ads", "given"),
        ("measurement", "withdrawn"),  # purpose 7 has no consent
        ("newsletter_site", "given"),
    ]
    ads = ledger.state("C-1001", "personalised_ads", at=AT)
    assert ads.status == "given"
    assert ads.given_at == AT
    assert ads.explicit is False
    assert ads.evidence is not None
    assert ads.evidence.method == "tcf"
    assert ads.evidence.reference == "CMP 7, TC string created 2023-11-28T00:00:00Z"
    assert "TCF policy 5" in (ads.evidence.notice_version or "")
    assert ledger.state("C-1001", "measurement", at=AT).status == "withdrawn"
    ledger.verify()


def test_a_later_string_withdraws(ledger: ConsentLedger) -> None:
    record(ledger, "C-1001", string_with(set(range(1, 12))), purposes=PURPOSES, at=AT)
    assert ledger.state("C-1001", "personalised_ads", at=AT).status == "given"
    record(ledger, "C-1001", string_with({1}), purposes=PURPOSES, at=LATER)
    before, after = (ledger.state("C-1001", "personalised_ads", at=t) for t in (AT, LATER))
    assert before.status == "given"  # what we had on the day stays answerable
    assert (after.status, after.withdrawn_at) == ("withdrawn", LATER)
    assert ledger.state("C-1001", "newsletter_site", at=LATER).status == "given"


def test_the_string_itself_may_be_passed(ledger: ConsentLedger) -> None:
    events = record(ledger, 1001, V23, purposes={"personalised_ads": [1, 3, 4]}, at=AT)
    assert [e.kind for e in events] == ["given"]
    assert ledger.state("1001", "personalised_ads", at=AT).status == "given"


def test_sqlite_keeps_the_events_across_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'consents.db'}"
    with ConsentLedger(url) as ledger:
        record(ledger, "C-1", string_with({1, 3, 4}), purposes=PURPOSES, at=AT)
        head = ledger.head()
    assert (tmp_path / "consents.db").exists()
    with ConsentLedger(url) as reopened:
        reopened.verify(expected_head=head)
        state = reopened.state("C-1", "personalised_ads", at=AT)
        assert state.status == "given"
        assert state.evidence == decode_evidence()


def decode_evidence() -> gdprkit.Evidence:
    return gdprkit.Evidence(
        "tcf",
        notice_version="TCF policy 5, vendor list 82",
        reference="CMP 7, TC string created 2023-11-28T00:00:00Z",
    )


# -- nothing recorded ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tc",
    [
        V20,  # policy version 2, global scope
        encode(replace(decode(V23), policy_version=3)),
        encode(replace(decode(V23), is_service_specific=False)),
        encode(replace(decode(V23), purposes_li_transparency=frozenset({1}))),
        encode(replace(decode(V23), purposes_li_transparency=frozenset({2, 4}))),
    ],
    ids=["v2.0", "policy-3", "global", "li-purpose-1", "li-purpose-4"],
)
def test_an_invalid_string_records_nothing_and_raises(ledger: ConsentLedger, tc: str) -> None:
    head = ledger.head()
    with pytest.raises(TCStringError, match=r"TCF v2\.2") as caught:
        record(ledger, "C-1", tc, purposes=PURPOSES, at=AT)
    assert tc not in str(caught.value)
    assert ledger.head() == head
    assert ledger.events("C-1") == []


def test_a_malformed_string_records_nothing(ledger: ConsentLedger) -> None:
    with pytest.raises(TCStringError):
        record(ledger, "C-1", V23[:40], purposes=PURPOSES, at=AT)
    assert ledger.events("C-1") == []


@pytest.mark.parametrize(
    ("subject", "purposes", "at", "error"),
    [
        ("C-1", {"ads": [1, 3], "measurement": [0]}, AT, ConfigurationError),
        ("C-1", {"ads": [1, 3], "measurement": [25]}, AT, ConfigurationError),
        ("C-1", {"ads": [1, 3], "measurement": []}, AT, ConfigurationError),
        ("C-1", {"ads": [1, 3], "measurement": [True]}, AT, ConfigurationError),
        ("C-1", {"ads": [1, 3], "measurement": "7"}, AT, ConfigurationError),
        ("C-1", {"ads": [1, 3], "measurement": 7}, AT, ConfigurationError),
        ("C-1", {"ads": [1, 3], " ": [7]}, AT, ValueError),
        ("C-1", {}, AT, ConfigurationError),
        ("C-1", [("ads", [1])], AT, TypeError),
        (None, {"ads": [1, 3]}, AT, ConfigurationError),
        (True, {"ads": [1, 3]}, AT, ConfigurationError),
        ("C-1", {"ads": [1, 3]}, datetime(2025, 6, 15), ValueError),  # naive
        ("C-1", {"ads": [1, 3]}, None, ValueError),
    ],
    ids=[
        "purpose-0",
        "purpose-25",
        "no-purposes",
        "bool",
        "text",
        "number",
        "blank-name",
        "empty-map",
        "not-a-map",
        "no-subject",
        "bool-subject",
        "naive-at",
        "no-at",
    ],
)
def test_bad_arguments_record_nothing(
    ledger: ConsentLedger, subject: object, purposes: object, at: object, error: type
) -> None:
    """All or none: the first purposes are fine, the last is not; nothing is written."""
    head = ledger.head()
    with pytest.raises(error):
        record(ledger, subject, V23, purposes=purposes, at=at)  # type: ignore[arg-type]
    assert ledger.head() == head


def test_a_closed_ledger_records_nothing(tmp_path: Path) -> None:
    ledger = ConsentLedger(f"sqlite:///{tmp_path / 'consents.db'}")
    ledger.close()
    with pytest.raises(LedgerError):
        record(ledger, "C-1", V23, purposes=PURPOSES, at=AT)


def test_the_ledger_must_be_a_ledger() -> None:
    with pytest.raises(TypeError):
        record(object(), "C-1", V23, purposes=PURPOSES, at=AT)  # type: ignore[arg-type]


# -- one ledger, one decide ---------------------------------------------------------------------


def test_decide_sees_website_consent_beside_crm_consent(ledger: ConsentLedger) -> None:
    policy = gdprkit.load_policy(POLICY)
    customer = {"customer_id": "C-1001", "email": "mario@example.it", "pages_seen": 12}
    crm = gdprkit.Evidence("web_form", notice_version="2025-01", reference="form-4711")
    ledger.give("C-1001", "newsletter", at=AT, evidence=crm)  # from the CRM's own form
    record(
        ledger,
        "C-1001",
        string_with({1, 3, 4}),
        purposes={"personalised_ads": [1, 3, 4], "measurement": [1, 7, 9]},
        at=AT,
    )
    ads = gdprkit.decide(policy, customer, "personalised_ads", at=AT, consents=ledger)
    assert ads.allowed, ads.reasons
    assert ads.fields == {"customer_id", "pages_seen"}
    newsletter = gdprkit.decide(policy, customer, "newsletter", at=AT, consents=ledger)
    assert newsletter.allowed
    measurement = gdprkit.decide(policy, customer, "measurement", at=AT, consents=ledger)
    assert [r.code for r in measurement.reasons] == ["consent.withdrawn"]

    record(ledger, "C-1001", string_with({1}), purposes={"personalised_ads": [1, 3, 4]}, at=LATER)
    later = gdprkit.decide(policy, customer, "personalised_ads", at=LATER, consents=ledger)
    assert [r.code for r in later.reasons] == ["consent.withdrawn"]
    still = gdprkit.decide(policy, customer, "personalised_ads", at=AT, consents=ledger)
    assert still.allowed  # on the day, consent was there


def test_a_never_given_purpose_is_a_withdrawal_for_decide(ledger: ConsentLedger) -> None:
    """The string says no: recorded as a withdrawal (design.md §17), which decide denies."""
    policy = gdprkit.load_policy(POLICY)
    record(ledger, "C-2", string_with(set()), purposes={"personalised_ads": [1]}, at=AT)
    decision = gdprkit.decide(
        policy, {"customer_id": "C-2"}, "personalised_ads", at=AT, consents=ledger
    )
    assert not decision.allowed


# -- the names of the contract ------------------------------------------------------------------

CONTRACT_FIELDS = {
    "version": int,
    "created": datetime,
    "last_updated": datetime,
    "cmp_id": int,
    "cmp_version": int,
    "consent_screen": int,
    "consent_language": str,
    "vendor_list_version": int,
    "policy_version": int,
    "is_service_specific": bool,
    "use_non_standard_texts": bool,
    "purpose_one_treatment": bool,
    "publisher_cc": str,
    "special_feature_optins": frozenset,
    "purposes_consent": frozenset,
    "purposes_li_transparency": frozenset,
    "vendor_consents": frozenset,
    "vendor_legitimate_interests": frozenset,
    "disclosed_vendors": frozenset,
    "publisher_purposes_consent": frozenset,
    "publisher_purposes_li_transparency": frozenset,
}


def test_the_fields_design_md_17_lists() -> None:
    names = {f.name for f in fields(TCString)}
    assert set(CONTRACT_FIELDS) <= names
    tc = decode(V23)
    for name, kind in CONTRACT_FIELDS.items():
        value = getattr(tc, name)
        assert isinstance(value, kind), name
        if kind is frozenset:
            assert all(isinstance(i, int) for i in value), name
    assert tc.created.utcoffset() is not None
    assert tc.consent_language == "EN"
    assert isinstance(tc.valid, bool)
    assert isinstance(tc.problems, list)


def test_the_module_exports() -> None:
    assert {"decode", "record", "TCString", "TCStringError"} <= set(tcf.__all__)
    assert not hasattr(gdprkit, "tcf")
    assert "decode" not in gdprkit.__all__
