"""Privacy tests of the CRM's jobs, written with gdprkit's pytest plugin and helpers.

"Our campaign job never sees a contact without consent", "our analytics export holds no raw
e-mail": each is a few lines against the company's real policy (pytest.ini: gdpr_policy).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from crm_jobs import analytics_export, newsletter_recipients
from hypothesis import given, settings
from hypothesis import strategies as st

from gdprkit import ConsentLedger, Evidence, KeyRing, Policy, decide, enforce
from gdprkit.testing import (
    PersonalDataGuard,
    assert_allowed,
    assert_denied,
    assert_dropped,
    assert_no_raw_identifiers,
)
from gdprkit.testing.strategies import records

FEW = settings(max_examples=40, deadline=None)


@FEW
@given(data=st.data())
def test_the_newsletter_never_reaches_a_contact_without_consent(
    gdpr_policy: Policy, now: datetime, data: st.DataObject
) -> None:
    contacts = data.draw(st.lists(records(gdpr_policy, "newsletter"), max_size=5))
    sent = newsletter_recipients(gdpr_policy, contacts, at=now)
    allowed = [c for c in contacts if decide(gdpr_policy, c, "newsletter", at=now)]
    assert sent == [c["email"] for c in allowed]


@FEW
@given(data=st.data())
def test_a_consenting_customer_gets_the_newsletter(
    gdpr_policy: Policy, now: datetime, data: st.DataObject
) -> None:
    contact = data.draw(records(gdpr_policy, "newsletter", at=now, allowed=True))
    assert newsletter_recipients(gdpr_policy, [contact], at=now) == [contact["email"]]
    withdrawn = {**contact, "consent_marketing": "no"}
    assert_denied(decide(gdpr_policy, withdrawn, "newsletter", at=now), "consent.missing")


def test_leads_from_social_networks_never_reach_campaigns(
    gdpr_policy: Policy, customers: list[dict[str, Any]], now: datetime
) -> None:
    lead = {**customers[0], "source": "social_network"}
    assert_denied(decide(gdpr_policy, lead, "newsletter", at=now), "source.not_allowed")


def test_an_objection_stops_the_newsletter(
    gdpr_policy: Policy, gdpr_ledger: ConsentLedger, customers: list[dict[str, Any]], now: datetime
) -> None:
    subscribed = [c for c in customers if decide(gdpr_policy, c, "newsletter", at=now)]
    assert subscribed, "the sample holds subscribed customers"
    customer = subscribed[0]
    gdpr_ledger.object(customer["customer_id"], at=now - timedelta(days=1))
    decision = decide(gdpr_policy, customer, "newsletter", at=now, consents=gdpr_ledger)
    assert_denied(decision, "objection.direct_marketing")
    assert customer["email"] not in newsletter_recipients(
        gdpr_policy, [customer], at=now, consents=gdpr_ledger
    )


def test_the_newsletter_never_sees_allergies(
    gdpr_policy: Policy, customers: list[dict[str, Any]], now: datetime
) -> None:
    customer = next(c for c in customers if decide(gdpr_policy, c, "newsletter", at=now))
    decision = decide(gdpr_policy, {**customer, "allergies": "arachidi"}, "newsletter", at=now)
    assert_allowed(decision)
    assert_dropped(decision, "allergies", "field.not_needed")


def test_profiling_needs_a_ledger_consent_with_evidence(
    gdpr_policy: Policy, gdpr_ledger: ConsentLedger, customers: list[dict[str, Any]], now: datetime
) -> None:
    customer = {**customers[0], "last_purchase_at": (now - timedelta(days=30)).isoformat()}
    subject = customer["customer_id"]
    assert_denied(
        decide(gdpr_policy, customer, "profiling", at=now, consents=gdpr_ledger), "consent.missing"
    )
    gdpr_ledger.give(subject, "profiling", at=now - timedelta(days=10))
    assert_denied(
        decide(gdpr_policy, customer, "profiling", at=now, consents=gdpr_ledger),
        "consent.unproven",
    )
    gdpr_ledger.give(subject, "profiling", at=now - timedelta(days=5), evidence=Evidence("app"))
    assert_allowed(decide(gdpr_policy, customer, "profiling", at=now, consents=gdpr_ledger))


def test_the_analytics_export_holds_no_raw_identifier(
    gdpr_policy: Policy, gdpr_keys: KeyRing, customers: list[dict[str, Any]], now: datetime
) -> None:
    rows = list(enforce(gdpr_policy, customers, "analytics", at=now, keys=gdpr_keys))
    assert rows
    assert_no_raw_identifiers(rows, customers, gdpr_policy)


@pytest.mark.gdpr_sink("crm_jobs:upload_to_warehouse", inputs="customers")
def test_no_personal_data_reaches_the_warehouse(
    gdpr_policy: Policy, gdpr_keys: KeyRing, customers: list[dict[str, Any]], now: datetime
) -> None:
    assert analytics_export(gdpr_policy, customers, keys=gdpr_keys, at=now) > 0


def test_a_raw_export_would_be_caught(gdpr_policy: Policy, customers: list[dict[str, Any]]) -> None:
    guard = PersonalDataGuard(gdpr_policy, inputs=customers)
    warehouse = guard.sink("warehouse")
    warehouse.extend(customers[:3])  # a job that forgot gdprkit
    with pytest.raises(AssertionError, match="raw value of input field 'customer_id'"):
        guard.check()
