"""Roles and permissions, the role mapping (claims -> role, checked with line numbers), sign-in settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.access import (
    DATABASES,
    DRAFT,
    EXPORT,
    EXPORT_PERSONAL,
    IMPORT,
    PERMISSIONS,
    PUBLISH,
    READ,
    ROLES,
    WHAT_IF,
    Actor,
    allows,
    auth_from_settings,
    auth_problems,
    identity_name,
    is_loopback,
    load_roles,
    parse_roles,
    signin_expected,
)
from scoring.errors import ConfigError, NotPermitted, RolesError
from scoring.settings import DEFAULTS, PROJECT_ROOT

# role -> what it may do (each role has everything the one before it has)
MAY = {
    "viewer": {READ, EXPORT},
    "analyst": {READ, EXPORT, EXPORT_PERSONAL, WHAT_IF, DRAFT},
    "publisher": {READ, EXPORT, EXPORT_PERSONAL, WHAT_IF, DRAFT, PUBLISH},
    "admin": {READ, EXPORT, EXPORT_PERSONAL, WHAT_IF, DRAFT, PUBLISH, IMPORT, DATABASES},
}

ROLES_YAML = """\
version: "7"
four_eyes: true
groups_claim: groups
rules:
  - role: viewer
    domains: [example.com]
  - role: analyst
    emails: [Ana@Example.com]
  - role: publisher
    groups: [RevOps]
  - role: admin
    emails: [root@ops.example.org]
"""


@pytest.mark.parametrize(("role", "permission"), [(r, p.name) for r in ROLES for p in PERMISSIONS])
def test_each_role_has_exactly_its_permissions(role: str, permission: str) -> None:
    assert allows(role, permission) == (permission in MAY[role])


def test_an_unknown_role_may_nothing_and_an_unknown_permission_is_a_bug() -> None:
    assert not any(allows("owner", p.name) for p in PERMISSIONS)
    with pytest.raises(ValueError, match="unknown permission"):
        allows("admin", "launch")


def test_require_refuses_with_who_their_role_and_the_role_needed() -> None:
    viewer = Actor("vi@example.com", "viewer", signed_in=True)
    with pytest.raises(NotPermitted) as refused:
        viewer.require(PUBLISH)
    assert refused.value.role == "viewer"
    assert "vi@example.com (viewer)" in str(refused.value)
    assert "publisher role" in str(refused.value)
    viewer.require(EXPORT)  # allowed: no error


def test_the_single_user_is_admin_without_four_eyes() -> None:
    local = Actor.single_user()
    assert local.role == "admin" and not local.four_eyes and not local.signed_in
    assert all(local.may(p.name) for p in PERMISSIONS)


V = {"email_verified": True}  # what the identity provider says of an address it checked


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        ({"email": "someone@example.com", **V}, "viewer"),
        ({"email": "ANA@example.COM", **V}, "analyst"),  # emails are case-insensitive
        ({"email": "ana@example.com", "groups": ["revops"], **V}, "publisher"),  # the highest wins
        ({"email": "x@elsewhere.com", "groups": "RevOps"}, "publisher"),  # one group as a string
        ({"email": "root@ops.example.org", **V}, "admin"),
        ({"email": "x@eu.example.com", **V}, None),  # a domain matches exactly, not subdomains
        ({"email": "ana@example.com", "email_verified": False}, None),  # unverified: no match
        ({"sub": "1234", "groups": ["marketing"]}, None),
        ({}, None),
    ],
)
def test_claims_give_the_highest_matching_role(claims: dict[str, object], role: str | None) -> None:
    grant = parse_roles(ROLES_YAML).grant(claims)
    assert (grant.role if grant else None) == role


@pytest.mark.parametrize(
    ("flag", "verified"),
    [
        (True, True),
        ("true", True),
        ("TRUE", True),
        ("True", True),
        (None, False),  # Entra sends no flag at all: not verified
        (False, False),
        ("false", False),
        ("1", False),
        (1, False),
        ("yes", False),
        ("", False),
        ([True], False),
    ],
)
def test_only_an_email_verified_exactly_true_matches_emails_and_domains(
    flag: object, verified: bool
) -> None:
    """Replayed attack: a missing or odd `email_verified` counted as verified, so anyone who could
    put a colleague's address on their account (unverified) got the colleague's role."""
    claims: dict[str, object] = {"email": "ana@example.com"}
    if flag is not None:
        claims["email_verified"] = flag
    grant = parse_roles(ROLES_YAML).grant(claims)
    assert (grant.role if grant else None) == ("analyst" if verified else None)


def test_a_roles_file_may_opt_in_to_unverified_emails_knowingly() -> None:
    trusting = parse_roles(ROLES_YAML.replace("rules:", "trust_unverified_email: true\nrules:"))
    assert trusting.trust_unverified_email
    assert trusting.grant({"email": "ana@example.com"}).role == "analyst"  # type: ignore[union-attr]
    assert not parse_roles(ROLES_YAML).trust_unverified_email  # the default
    with pytest.raises(RolesError, match="trust_unverified_email must be true or false"):
        parse_roles(ROLES_YAML.replace("rules:", "trust_unverified_email: yes please\nrules:"))


@pytest.mark.parametrize(
    "email",
    [
        "evil@straße.de",  # casefold("straße") == "strasse"
        "evil@STRAẞE.de",  # capital sharp s
        "evil@ｓtrasse.de",  # fullwidth s
        "evil@strasse.de\u200b",  # zero-width space
        "evil@ſtrasse.de",  # long s: casefold gives s
    ],
)
def test_addresses_that_only_fold_to_a_listed_domain_do_not_match(email: str) -> None:
    """Replayed attack: casefold made different addresses equal, so a verified `evil@straße.de`
    matched `domains: [strasse.de]`."""
    roles = parse_roles('version: "1"\nrules:\n  - role: admin\n    domains: [strasse.de]\n')
    assert roles.grant({"email": email, **V}) is None
    assert roles.grant({"email": "Ops@STRASSE.de", **V}).role == "admin"  # type: ignore[union-attr]


def test_rules_name_international_domains_in_their_ascii_form() -> None:
    with pytest.raises(
        RolesError, match=r"'straße\.de' is not ASCII: write an international domain"
    ):
        parse_roles('version: "1"\nrules:\n  - role: viewer\n    domains: [straße.de]\n')
    puny = parse_roles('version: "1"\nrules:\n  - role: viewer\n    domains: [xn--strae-oqa.de]\n')
    assert puny.grant({"email": "ana@xn--strae-oqa.de", **V}).role == "viewer"  # type: ignore[union-attr]


def test_a_grant_says_which_rule_gave_it() -> None:
    grant = parse_roles(ROLES_YAML, "roles.yaml").grant({"email": "x@y.org", "groups": ["revops"]})
    assert grant is not None and grant.because == "group revops (roles.yaml:9)"


def test_the_groups_claim_is_configurable() -> None:
    entra = parse_roles(ROLES_YAML.replace("groups_claim: groups", "groups_claim: roles"))
    assert entra.grant({"roles": ["revops"]}).role == "publisher"  # type: ignore[union-attr]
    assert entra.grant({"groups": ["revops"]}) is None


def test_every_problem_of_a_roles_file_is_named_with_its_line() -> None:
    bad = """\
version: "1"
four_eyes: maybe
colour: blue
rules:
  - role: owner
    emails: [a@example.com]
  - role: viewer
  - role: analyst
    emails: [not-an-email]
    domains: ["@example.com"]
    team: [x]
  - role: publisher
    groups: revops
"""
    with pytest.raises(RolesError) as refused:
        parse_roles(bad, "roles.yaml")
    found = {str(p) for p in refused.value.problems}
    expected = {
        "roles.yaml:2": "four_eyes must be true or false",
        "roles.yaml:3": "unknown field 'colour'",
        "roles.yaml:5": "role 'owner' is not one of viewer, analyst, publisher, admin",
        "roles.yaml:7": "the rule matches nobody",
        "roles.yaml:9": "'not-an-email' is not an email address",
        "roles.yaml:10": "'@example.com' is not a domain",
        "roles.yaml:11": "unknown field 'team'",
        "roles.yaml:13": "groups must be a non-empty list",
    }
    for where, message in expected.items():
        assert any(p.startswith(f"{where}: {message}") for p in found), (where, found)
    assert len(found) == len(expected)


def test_a_roles_file_without_rules_or_unreadable_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RolesError, match="needs a `rules:` list"):
        parse_roles("version: 1\n", "roles.yaml")
    with pytest.raises(RolesError, match="cannot read"):
        load_roles(tmp_path / "missing.yaml")


def test_the_shipped_mapping_loads_and_turns_four_eyes_on() -> None:
    shipped = load_roles(DEFAULTS / "roles.yaml")
    assert shipped.four_eyes and {r.role for r in shipped.rules} == set(ROLES)


def test_the_audit_names_a_person_by_verified_email_else_username_else_subject() -> None:
    assert identity_name({"email": "Bo@Example.com", "sub": "1", **V}) == "bo@example.com"
    assert identity_name({"preferred_username": "bo", "sub": "1"}) == "bo"
    assert identity_name({"sub": "00u1"}) == "00u1"
    # an address the provider does not vouch for is never shown as who someone is
    assert identity_name({"email": "ceo@example.com", "sub": "00u2"}) == "00u2"
    assert identity_name({"email": "ceo@example.com", "sub": "00u2"}, trust_unverified=True) == (
        "ceo@example.com"
    )


FULL = {
    "SMARKETING_AUTH_SERVER_METADATA_URL": "https://idp/.well-known/openid-configuration",
    "SMARKETING_AUTH_CLIENT_ID": "smarketing",
    "SMARKETING_AUTH_CLIENT_SECRET": "s3cret",
    "SMARKETING_AUTH_REDIRECT_URI": "https://dash.example.com/oauth2callback",
}


def test_sign_in_from_settings_is_all_or_nothing() -> None:
    assert auth_from_settings({}, cookie_secret="c") is None
    section = auth_from_settings(FULL, cookie_secret="random")
    assert section is not None and section["cookie_secret"] == "random"
    assert not auth_problems(section)
    partial = {k: v for k, v in FULL.items() if k != "SMARKETING_AUTH_CLIENT_SECRET"}
    with pytest.raises(ConfigError, match="set SMARKETING_AUTH_CLIENT_SECRET too"):
        auth_from_settings(partial, cookie_secret="c")


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        (None, "no sign-in is configured"),
        (
            {"redirect_uri": "https://d/oauth2callback", "client_id": "x"},
            "[auth] needs cookie_secret",
        ),
        ({"redirect_uri": "https://d/", "cookie_secret": "c"}, "names no identity provider"),
        (
            {"redirect_uri": "https://d/cb", "cookie_secret": "c", "okta": {"client_id": "x"}},
            "[auth.okta] needs client_secret",
        ),
        (
            {"redirect_uri": "https://d/cb", "cookie_secret": "c", "client_id": "x"},
            "redirect_uri must end with /oauth2callback",
        ),
    ],
)
def test_an_incomplete_auth_section_is_named(section: dict | None, problem: str) -> None:
    assert any(problem in p for p in auth_problems(section)), auth_problems(section)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("", False),  # Streamlit binds every interface when given no address
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("dashboard.example.com", False),
    ],
)
def test_only_loopback_addresses_count_as_this_machine(address: str, loopback: bool) -> None:
    assert is_loopback(address) == loopback


def test_security_doc_names_every_role_and_the_deployment_doc_every_setting() -> None:
    security = (PROJECT_ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    roles_table = security[security.index("## Roles") :]
    assert all(re.search(rf"\| `{role}` \|", roles_table) for role in ROLES)
    deployment = (PROJECT_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for name in [*FULL, "SMARKETING_AUTH_COOKIE_SECRET", "SMARKETING_ROLES"]:
        assert name in deployment, name
    for provider in ("Google", "Microsoft Entra", "Okta", "Keycloak"):
        assert provider in deployment, provider


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_the_deployment_examples_are_valid() -> None:
    import tomllib

    deployment = (PROJECT_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    [example] = _blocks(deployment, "yaml")
    roles = parse_roles(example, "docs/deployment.md")
    assert roles.four_eyes
    head = {"email": "head.of.revops@example.com", **V}
    assert roles.grant(head).role == "publisher"  # type: ignore[union-attr]
    assert roles.grant({"email": "pat@example.com", "groups": ["data"]}).role == "analyst"  # type: ignore[union-attr]
    sections = [b for b in _blocks(deployment, "toml") if b.startswith("[auth]")]
    assert len(sections) == 2
    for block in sections:
        assert not auth_problems(tomllib.loads(block)["auth"]), block
    fragments = [b for b in _blocks(deployment, "toml") if not b.startswith("[auth]")]
    assert all(tomllib.loads(b)["server_metadata_url"].startswith("https://") for b in fragments)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("0", False), ("FALSE", False), ("", None), (" ", None)],
)
def test_smarketing_signin_says_sign_in_single_user_or_undecided(
    value: str, expected: bool | None
) -> None:
    assert signin_expected(value) is expected


def test_an_odd_smarketing_signin_is_refused() -> None:
    with pytest.raises(ConfigError, match="SMARKETING_SIGNIN='yes' must be 1"):
        signin_expected("yes")
