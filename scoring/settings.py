"""Settings read from the environment, each declared once with its help text.

Settings are read at an edge (CLI, dashboard loader, app factory) and passed down as values; the core
never reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scoring.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The source checkout (or, installed from a wheel, the site-packages folder holding `scoring`)."""
DEFAULTS = Path(__file__).resolve().parent / "defaults"
"""The shipped definition files (rulebook, lifecycle, reasons, assignment, objectives, profiles):
package data of `scoring`; in a source checkout `scoring/defaults` links to the top-level `data/`.
They are only the defaults of a brand-new database; `smarketing init DIR` copies them for editing."""


def _default_home() -> Path:
    """`<checkout>/var` in a source checkout; installed, `$XDG_DATA_HOME/smarketing`."""
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "var"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "smarketing"


MAX_BODY_BYTES = 1024 * 1024
"""Default limit of an API request body (SMARKETING_API_MAX_BODY)."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SMARKETING_DATABASE_URL",
        "",
        "SQLAlchemy URL of the database. Empty: the embedded SQLite file in SMARKETING_HOME.",
    ),
    Setting(
        "SMARKETING_DATABASE_URL_FILE",
        "",
        "A file holding the database URL (with its password); read when SMARKETING_DATABASE_URL "
        "is empty, so the password is in neither the command line nor the environment.",
    ),
    Setting(
        "SMARKETING_SECRET_KEY",
        "",
        "Server key (32+ characters) the API source secrets are derived from. Empty: the key file.",
    ),
    Setting(
        "SMARKETING_SECRET_KEY_FILE",
        "",
        "File of the server key; default secret.key in SMARKETING_HOME (created, mode 600, by the "
        "first `smarketing sources add`).",
    ),
    Setting(
        "SMARKETING_HOME",
        str(_default_home()),
        "Folder for the embedded database and local artefacts (default: var/ in a source checkout,"
        " $XDG_DATA_HOME/smarketing when installed from a wheel).",
    ),
    Setting(
        "SMARKETING_UPLOAD_MAX_MB",
        "200",
        "Largest file, in MB, the dashboard's Data source page accepts for import.",
    ),
    Setting(
        "SMARKETING_DATABASE_URLS",
        "",
        "Other databases an admin may switch the dashboard to: URLs separated by spaces. "
        "Empty: only the default database.",
    ),
    Setting(
        "SMARKETING_DEMO_LEADS",
        "100000",
        "Number of demo leads generated when the dashboard starts on an empty database.",
    ),
    Setting(
        "SMARKETING_DEMO_SEED",
        "7",
        "Random seed of the demo data generated on first run.",
    ),
    Setting(
        "SMARKETING_AS_OF",
        "",
        "Moment the dashboard scores leads and measures SLAs at (ISO date and time, UTC). Empty:"
        " the clock (UTC) when the dashboard read the data, as `smarketing score` defaults to now;"
        " never a time taken from the newest row.",
    ),
    Setting(
        "SMARKETING_ROLES",
        str(DEFAULTS / "roles.yaml"),
        "With sign-in: the file that gives signed-in people their dashboard role (viewer, analyst,"
        " publisher, admin) from their email, email domain or groups, and turns four-eyes"
        " publishing on or off (docs/deployment.md).",
    ),
    Setting(
        "SMARKETING_AUTH_SERVER_METADATA_URL",
        "",
        "Sign-in without a secrets.toml: the identity provider's OpenID configuration URL (ends"
        " in /.well-known/openid-configuration).",
    ),
    Setting(
        "SMARKETING_AUTH_CLIENT_ID",
        "",
        "Sign-in without a secrets.toml: the client id the identity provider gave the dashboard.",
    ),
    Setting(
        "SMARKETING_AUTH_CLIENT_SECRET",
        "",
        "Sign-in without a secrets.toml: the client secret that goes with SMARKETING_AUTH_CLIENT_ID.",
    ),
    Setting(
        "SMARKETING_AUTH_REDIRECT_URI",
        "",
        "Sign-in without a secrets.toml: the dashboard's public URL plus /oauth2callback, as"
        " registered at the identity provider.",
    ),
    Setting(
        "SMARKETING_AUTH_COOKIE_SECRET",
        "",
        "Sign-in without a secrets.toml: the secret that signs the sign-in cookie. Empty: a random"
        " one per start (everyone signs in again after a restart).",
    ),
    Setting(
        "SMARKETING_SIGNIN",
        "",
        "Whether the dashboard signs people in, decided once at start: `smarketing dashboard` sets"
        " it for its Streamlit child (1 when sign-in is configured, else 0). With 1 the dashboard"
        " never falls back to single-user mode: when its sign-in settings cannot be read (a"
        " secrets file removed or broken while it runs) it shows an error and nothing else. Set 1"
        " yourself when you start Streamlit by hand with sign-in. Empty: the secrets decide.",
    ),
    Setting(
        "SMARKETING_TEST_POSTGRES_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "Tests only: PostgreSQL server used by the PostgreSQL cases of the suite.",
    ),
    Setting(
        "SMARKETING_REQUIRE_POSTGRES",
        "",
        "Tests only: when 1, an unreachable PostgreSQL fails the PostgreSQL tests instead of skipping.",
    ),
    Setting(
        "SMARKETING_CHROMIUM",
        "/usr/bin/chromium",
        "Tests and benchmarks only: the Chromium executable Playwright drives.",
    ),
    Setting(
        "SMARKETING_REQUIRE_BROWSER",
        "",
        "Tests only: when 1, a missing Chromium fails the browser tests instead of skipping.",
    ),
)


def _url_file(path: str) -> str:
    """The database URL kept in a file (first non-empty line); ConfigError when it cannot be read."""
    if not path:
        return ""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"SMARKETING_DATABASE_URL_FILE {path}: cannot read: {exc.strerror or exc}"
        ) from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ConfigError(f"SMARKETING_DATABASE_URL_FILE {path}: the file is empty")
    return lines[0]


@dataclass(frozen=True)
class Settings:
    database_url: str
    home: Path
    demo_leads: int
    demo_seed: int
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {s.name: env.get(s.name, s.default) for s in SETTINGS}
        home = Path(values["SMARKETING_HOME"]).expanduser()
        url = values["SMARKETING_DATABASE_URL"] or _url_file(values["SMARKETING_DATABASE_URL_FILE"])
        url = url or f"sqlite:///{home / 'smarketing.db'}"
        return cls(
            database_url=url,
            home=home,
            demo_leads=int(values["SMARKETING_DEMO_LEADS"]),
            demo_seed=int(values["SMARKETING_DEMO_SEED"]),
            extra=values,
        )
