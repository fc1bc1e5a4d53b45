"""Who may do what on the dashboard: roles and permissions, the role mapping, sign-in settings (pure).

roles = load_roles(path)                          # data/roles.yaml, checked with line numbers
grant = roles.grant(claims)                       # highest matching role, or None: no access
actor = Actor(identity_name(claims), grant.role, signed_in=True, four_eyes=roles.four_eyes)
actor.require(PUBLISH)                            # NotPermitted unless the role allows it
"""

from scoring.access.mapping import (
    Grant,
    RoleMap,
    claim_groups,
    identity_name,
    load_roles,
    parse_roles,
    verified_email,
)
from scoring.access.roles import (
    DATABASES,
    DRAFT,
    EXPORT,
    EXPORT_PERSONAL,
    IMPORT,
    PERMISSIONS,
    PUBLISH,
    READ,
    ROLE_HELP,
    ROLES,
    WHAT_IF,
    Actor,
    Permission,
    allows,
    permissions_of,
)
from scoring.access.signin import (
    auth_from_settings,
    auth_problems,
    auth_toml,
    is_loopback,
    providers,
    refusal,
    signin_expected,
)

__all__ = [
    "DATABASES",
    "DRAFT",
    "EXPORT",
    "EXPORT_PERSONAL",
    "IMPORT",
    "PERMISSIONS",
    "PUBLISH",
    "READ",
    "ROLES",
    "ROLE_HELP",
    "WHAT_IF",
    "Actor",
    "Grant",
    "Permission",
    "RoleMap",
    "allows",
    "auth_from_settings",
    "auth_problems",
    "auth_toml",
    "claim_groups",
    "identity_name",
    "is_loopback",
    "load_roles",
    "parse_roles",
    "permissions_of",
    "providers",
    "refusal",
    "signin_expected",
    "verified_email",
]
