"""The permission table against DESIGN.md's role table: deny by default, widest grant wins.

``EXPECTED`` is written out here from DESIGN.md, independently of ``vault.auth.policy``, for
every action and every role: a grant that appears in the code but not in the design (or the
other way round) fails one row.
"""

from __future__ import annotations

import itertools

import pytest

from vault.auth.policy import POLICY, Action, Scope, decide
from vault.auth.roles import Principal, Role

A, R = Action, Role
OWN, ALL = Scope.OWN, Scope.ALL

# (action, role) -> the scope DESIGN.md grants; every pair not listed is denied.
GRANTED: dict[tuple[Action, Role], Scope] = {
    (A.RECORDING_UPLOAD, R.AGENT): OWN,
    (A.RECORDING_UPLOAD, R.INGEST): ALL,
    (A.RECORDING_LIST, R.AGENT): OWN,
    (A.RECORDING_LIST, R.QA): ALL,
    (A.RECORDING_LIST, R.RIGHTS_OFFICER): ALL,
    (A.RECORDING_STATS, R.AGENT): OWN,
    (A.RECORDING_STATS, R.QA): ALL,
    (A.RECORDING_STATS, R.RIGHTS_OFFICER): ALL,
    (A.RECORDING_STATS, R.ADMIN): ALL,  # "counts only"
    (A.RECORDING_READ, R.AGENT): OWN,
    (A.RECORDING_READ, R.QA): ALL,
    (A.RECORDING_READ, R.RIGHTS_OFFICER): ALL,
    (A.AUDIO_REDACTED, R.AGENT): OWN,
    (A.AUDIO_REDACTED, R.QA): ALL,
    (A.AUDIO_REDACTED, R.RIGHTS_OFFICER): ALL,
    (A.AUDIO_ORIGINAL, R.AGENT): OWN,
    (A.AUDIO_ORIGINAL, R.RIGHTS_OFFICER): ALL,
    (A.TRANSCRIPT_REDACTED, R.AGENT): OWN,
    (A.TRANSCRIPT_REDACTED, R.QA): ALL,
    (A.TRANSCRIPT_REDACTED, R.RIGHTS_OFFICER): ALL,
    (A.TRANSCRIPT_RAW, R.AGENT): OWN,
    (A.TRANSCRIPT_RAW, R.RIGHTS_OFFICER): ALL,
    (A.SEARCH, R.AGENT): OWN,
    (A.SEARCH, R.QA): ALL,
    (A.SEARCH, R.RIGHTS_OFFICER): ALL,
    (A.AUDIT_READ, R.AUDITOR): ALL,
    (A.AUDIT_VERIFY, R.AUDITOR): ALL,
    # "export, correct, erase a subject: rights officers, with a request reference"
    (A.SUBJECT_LOOKUP, R.RIGHTS_OFFICER): ALL,
    (A.SUBJECT_EXPORT, R.RIGHTS_OFFICER): ALL,
    (A.EXPORT_READ, R.RIGHTS_OFFICER): ALL,
    (A.EXPORT_DOWNLOAD, R.RIGHTS_OFFICER): ALL,
    (A.SUBJECT_CORRECT, R.RIGHTS_OFFICER): ALL,
    (A.RECORDING_CORRECT, R.RIGHTS_OFFICER): ALL,
    (A.SUBJECT_ERASE, R.RIGHTS_OFFICER): ALL,
    (A.REQUEST_READ, R.RIGHTS_OFFICER): ALL,
    (A.REQUEST_WRITE, R.RIGHTS_OFFICER): ALL,
    # The end of a subscription comes from the CRM (the ingest service) or an admin.
    (A.SUBJECT_SUBSCRIPTION, R.ADMIN): ALL,
    (A.SUBJECT_SUBSCRIPTION, R.INGEST): ALL,
    # "users, keys, retention, legal hold: admins"; officers and auditors may read them.
    (A.RETENTION_READ, R.ADMIN): ALL,
    (A.RETENTION_READ, R.RIGHTS_OFFICER): ALL,
    (A.RETENTION_READ, R.AUDITOR): ALL,
    (A.RETENTION_WRITE, R.ADMIN): ALL,
    (A.HOLD_READ, R.ADMIN): ALL,
    (A.HOLD_READ, R.RIGHTS_OFFICER): ALL,
    (A.HOLD_READ, R.AUDITOR): ALL,
    (A.HOLD_WRITE, R.ADMIN): ALL,
    (A.DESTRUCTION_REPORT, R.ADMIN): ALL,
    (A.DESTRUCTION_REPORT, R.RIGHTS_OFFICER): ALL,
    (A.DESTRUCTION_REPORT, R.AUDITOR): ALL,
}

# Originals, raw transcripts and exports take a purpose.
NEEDS_PURPOSE = {
    (A.AUDIO_ORIGINAL, R.AGENT),
    (A.AUDIO_ORIGINAL, R.RIGHTS_OFFICER),
    (A.TRANSCRIPT_RAW, R.AGENT),
    (A.TRANSCRIPT_RAW, R.RIGHTS_OFFICER),
    (A.SUBJECT_EXPORT, R.RIGHTS_OFFICER),
    (A.EXPORT_DOWNLOAD, R.RIGHTS_OFFICER),
}

# Who may see the customer's name, phone and e-mail beside a recording's metadata.
SEES_SUBJECT = {
    (A.RECORDING_LIST, R.AGENT),
    (A.RECORDING_LIST, R.RIGHTS_OFFICER),
    (A.RECORDING_READ, R.AGENT),
    (A.RECORDING_READ, R.RIGHTS_OFFICER),
    (A.SUBJECT_LOOKUP, R.RIGHTS_OFFICER),
    (A.SUBJECT_CORRECT, R.RIGHTS_OFFICER),
    (A.RECORDING_CORRECT, R.RIGHTS_OFFICER),
}

PAIRS = list(itertools.product(Action, Role))


def who(*roles: Role, user: str = "u") -> Principal:
    return Principal(user=user, roles=frozenset(roles))


@pytest.mark.parametrize(("action", "role"), PAIRS, ids=[f"{a.value}-{r.value}" for a, r in PAIRS])
def test_one_role(action: Action, role: Role) -> None:
    grant = decide(who(role), action)
    expected = GRANTED.get((action, role))
    if expected is None:
        assert grant is None, f"{role.value} must not be allowed {action.value}"
        return
    assert grant is not None, f"{role.value} must be allowed {action.value}"
    assert grant.role is role
    assert grant.scope is expected
    assert grant.rule.needs_purpose is ((action, role) in NEEDS_PURPOSE)
    if action in (A.RECORDING_LIST, A.RECORDING_READ):
        assert grant.rule.sees_subject is ((action, role) in SEES_SUBJECT)


def test_the_table_is_mostly_denials() -> None:
    denied = [p for p in PAIRS if p not in GRANTED]
    assert len(denied) > len(GRANTED)


@pytest.mark.parametrize("action", list(Action))
def test_no_role_no_access(action: Action) -> None:
    assert decide(who(), action) is None


def test_every_action_has_a_row_and_rows_name_only_known_roles() -> None:
    assert set(POLICY) == set(Action)
    for row in POLICY.values():
        assert set(row) <= set(Role)


def test_admin_auditor_and_ingest_never_reach_calls_or_transcripts() -> None:
    for role in (R.ADMIN, R.AUDITOR, R.INGEST):
        for action in (
            A.RECORDING_LIST,
            A.RECORDING_READ,
            A.AUDIO_ORIGINAL,
            A.AUDIO_REDACTED,
            A.TRANSCRIPT_RAW,
            A.TRANSCRIPT_REDACTED,
            A.SEARCH,
        ):
            assert decide(who(role), action) is None


# Several roles: the widest grant wins (ALL over OWN; then the one that sees the subject).
MIXED: list[tuple[tuple[Role, ...], Action, Role | None, Scope | None]] = [
    ((R.AGENT, R.QA), A.RECORDING_LIST, R.QA, ALL),
    ((R.AGENT, R.QA), A.RECORDING_READ, R.QA, ALL),
    ((R.AGENT, R.QA), A.AUDIO_ORIGINAL, R.AGENT, OWN),
    ((R.AGENT, R.QA), A.RECORDING_UPLOAD, R.AGENT, OWN),
    ((R.AGENT, R.RIGHTS_OFFICER), A.AUDIO_ORIGINAL, R.RIGHTS_OFFICER, ALL),
    ((R.AGENT, R.RIGHTS_OFFICER), A.RECORDING_READ, R.RIGHTS_OFFICER, ALL),
    ((R.QA, R.RIGHTS_OFFICER), A.RECORDING_LIST, R.RIGHTS_OFFICER, ALL),
    ((R.QA, R.RIGHTS_OFFICER), A.RECORDING_READ, R.RIGHTS_OFFICER, ALL),
    ((R.AGENT, R.INGEST), A.RECORDING_UPLOAD, R.INGEST, ALL),
    ((R.AGENT, R.ADMIN), A.RECORDING_STATS, R.ADMIN, ALL),
    ((R.ADMIN, R.AUDITOR), A.AUDIT_VERIFY, R.AUDITOR, ALL),
    ((R.ADMIN, R.AUDITOR), A.RECORDING_LIST, None, None),
    ((R.ADMIN, R.AUDITOR), A.AUDIO_REDACTED, None, None),
    ((R.ADMIN, R.INGEST), A.RECORDING_READ, None, None),
    ((R.AUDITOR, R.INGEST), A.AUDIO_ORIGINAL, None, None),
    ((R.QA, R.AUDITOR), A.AUDIO_ORIGINAL, None, None),
    ((R.QA, R.ADMIN), A.TRANSCRIPT_RAW, None, None),
    ((R.AGENT, R.QA), A.TRANSCRIPT_RAW, R.AGENT, OWN),
    ((R.AGENT, R.QA), A.TRANSCRIPT_REDACTED, R.QA, ALL),
    ((R.QA, R.INGEST, R.ADMIN), A.AUDIT_READ, None, None),
]


@pytest.mark.parametrize(
    ("roles", "action", "role", "scope"),
    MIXED,
    ids=[f"{'+'.join(r.value for r in m[0])}-{m[1].value}" for m in MIXED],
)
def test_several_roles(
    roles: tuple[Role, ...], action: Action, role: Role | None, scope: Scope | None
) -> None:
    grant = decide(who(*roles), action)
    if role is None:
        assert grant is None
        return
    assert grant is not None
    assert (grant.role, grant.scope) == (role, scope)


def test_the_widest_rule_carries_its_purpose_and_subject_terms() -> None:
    grant = decide(who(R.AGENT, R.RIGHTS_OFFICER), A.AUDIO_ORIGINAL)
    assert grant is not None
    assert grant.rule.needs_purpose
    listing = decide(who(R.QA, R.RIGHTS_OFFICER), A.RECORDING_LIST)
    assert listing is not None
    assert listing.rule.sees_subject


@pytest.mark.parametrize("action", list(Action))
def test_the_decision_does_not_depend_on_role_order(action: Action) -> None:
    decisions = {decide(who(*order), action) for order in itertools.permutations(list(Role))}
    assert len(decisions) == 1


@pytest.mark.parametrize("action", list(Action))
def test_every_role_at_once_gets_the_widest_scope(action: Action) -> None:
    grant = decide(who(*Role), action)
    assert grant is not None
    assert grant.scope is ALL
