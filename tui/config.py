"""Settings: environment variables > config file > defaults.

The config file is TOML, written atomically with mode 0600. Secrets are held in `Secret`, whose
repr and str are masked, so a settings object can be logged or shown without leaking them.

The Twilio Account SID and Auth Token come from the environment only (TWILIO_ACCOUNT_SID,
TWILIO_AUTH_TOKEN): they are read here once, never written to the config file. What they mean next to
the credential's own SID is `tui.twilio.access`'s rule.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping


from .common.masking import mask

DEFAULT_API_BASE = "https://api.wiro.ai/v1"
DEFAULT_TWILIO_BASE = "https://api.twilio.com"
APP_NAME = "wiro-voice"
ENV_TWILIO_SID, ENV_TWILIO_TOKEN = "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"

#: Keys the config file may hold, and their types. Later features add theirs here.
KNOWN_KEYS: dict[str, type] = {
    "api_key": str,
    "api_secret": str,
    "agent": str,
    "api_base": str,
    "twilio_base": str,
    "theme": str,
    "history_days": int,
    # the watch command's alert rules, a table checked by tui.watch.settings.check_alerts_table
    "alerts": dict,
    "keymap": dict,
    "export_dir": str,
}
#: How long the local call history keeps calls (the config file's `history_days`), and the bounds it may take.
DEFAULT_HISTORY_DAYS = 90
HISTORY_DAYS_RANGE = (1, 3650)

#: a binding id as the app names them: "area.verb" ("calls.export_csv", "goto.overview")
_BINDING_ID = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")


#: what to say when a twilio-voice credential file is given where the settings file belongs
CREDENTIAL_GIVEN_AS_CONFIG = ("--config names wiro-voice's own settings file (config.toml); give a credential file "
                              "to `wiro-voice check FILE` / `save FILE`, or to `hold render --credential FILE`.")


class ConfigError(Exception):
    """A config file that cannot be used. The message names the file and the key, and says what to do."""


class Secret:
    """A string that never shows itself: repr/str give a mask with at most the last 4 characters."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({mask(self._value)!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    @property
    def masked(self) -> str:
        return mask(self._value)


@dataclass(frozen=True)
class Settings:
    api_key: Secret | None = None
    api_secret: Secret | None = None
    agent: str | None = None
    api_base: str = DEFAULT_API_BASE
    twilio_base: str = DEFAULT_TWILIO_BASE
    theme: str | None = None
    #: days the local call history keeps calls (config file `history_days`)
    history_days: int = DEFAULT_HISTORY_DAYS
    #: TWILIO_ACCOUNT_SID: overrides the credential's Account SID for the Twilio checks (environment only)
    twilio_account_sid: str | None = None
    #: TWILIO_AUTH_TOKEN: the token for the Twilio checks when none is typed (environment only, never saved)
    twilio_auth_token: Secret | None = None
    #: the config file's [keymap]: binding id -> keys ("doctor.run" = "f5"); checked against the app's
    #: bindings by the app (a warning) and by `wiro-voice doctor`
    keymap: Mapping[str, str] = field(default_factory=dict)
    #: where exports go, as the user set it (WIRO_VOICE_EXPORT_DIR or `export_dir`, `~` expanded); None = not set,
    #: and the exporter picks its default (tui.calls.export)
    export_dir: Path | None = None
    config_path: Path = field(default_factory=lambda: default_config_path())
    #: the `[alerts]` table as checked AlertSettings (tui.watch.settings), None when the file has none
    alerts: Any = None
    #: where each value came from: "env", "file", "flag" or "default"
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    #: things worth telling the user that do not stop anything (e.g. a config file others can read)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def has_account(self) -> bool:
        return bool(self.api_key)

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("WIRO_VOICE_CONFIG"):
        return Path(env["WIRO_VOICE_CONFIG"]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def twilio_from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`Settings` keyword arguments for the Twilio Account SID and Auth Token set in the environment."""
    env = os.environ if env is None else env
    sid = env.get(ENV_TWILIO_SID, "").strip()
    token = env.get(ENV_TWILIO_TOKEN, "").strip()
    return {"twilio_account_sid": sid or None, "twilio_auth_token": Secret(token) if token else None}


def read_config_file(path: Path) -> dict[str, Any]:
    """The file's values, checked. A missing file is empty; anything unusable raises ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text. Fix or delete it.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if text.lstrip().startswith("{"):
            raise ConfigError(f"The config file {path} is JSON, not TOML. {CREDENTIAL_GIVEN_AS_CONFIG}") from None
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}. Fix or delete it.") from None
    for key, value in data.items():
        if key not in KNOWN_KEYS:
            from .credential.draft import FIELD_NAMES

            if key in FIELD_NAMES or key == "twilio-voice":
                raise ConfigError(f'The config file {path} has the credential field "{key}": it looks like a '
                                  f"twilio-voice credential file. {CREDENTIAL_GIVEN_AS_CONFIG}")
            import difflib

            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            hint = f' Did you mean "{close[0]}"?' if close else f" Known keys: {', '.join(KNOWN_KEYS)}."
            raise ConfigError(f'The config file {path} has an unknown key "{key}".{hint}')
        if key == "alerts":
            _check_alerts(value, path)
            continue
        expected = KNOWN_KEYS[key]
        if expected is int and not isinstance(value, bool) and isinstance(value, int):
            low, high = HISTORY_DAYS_RANGE
            if not low <= value <= high:
                raise ConfigError(f'In the config file {path}, "{key}" must be between {low} and {high} (days), '
                                  f"not {value}.")
        elif expected is int:
            raise ConfigError(f'In the config file {path}, "{key}" must be a whole number of days (no quotes), '
                              f"not {type(value).__name__}.")
        elif expected is dict:
            _check_keymap_table(path, value)
        elif not isinstance(value, expected):
            raise ConfigError(
                f'In the config file {path}, "{key}" must be a {expected.__name__} (text in quotes), '
                f"not {type(value).__name__}."
            )
    return data


def _check_alerts(table: Any, path: Path) -> Any:
    """The `[alerts]` table as AlertSettings; ConfigError naming the file and the key when it is unusable."""
    from .watch.settings import AlertsConfigError, check_alerts_table  # only when the file has the table

    try:
        return check_alerts_table(table)
    except AlertsConfigError as err:
        raise ConfigError(f"In the config file {path}: {err}") from None


def _check_keymap_table(path: Path, table: Any) -> None:
    """The [keymap] table's shape: binding ids to key text. Whether each id and key exists is the app's to say
    (the bindings live with the screens)."""
    example = '[keymap]\n"doctor.run" = "f5"'
    if not isinstance(table, dict):
        raise ConfigError(f"In the config file {path}, keymap must be a table of binding ids and keys, e.g.\n{example}")
    for binding_id, keys in table.items():
        if not _BINDING_ID.match(binding_id):
            raise ConfigError(f'In the config file {path}, [keymap] "{binding_id}" is not a binding id: ids look like '
                              f'"calls.export_csv" (press ? in the app to see every id).')
        if not isinstance(keys, str) or not keys.strip() or any(not k.strip() for k in keys.split(",")):
            raise ConfigError(f'In the config file {path}, [keymap] "{binding_id}" must be keys in quotes, e.g. '
                              f'"ctrl+e", or several separated by commas: "ctrl+e,f5".')


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    config_path: Path | str | None = None,
    agent: str | None = None,
    api_base: str | None = None,
    twilio_base: str | None = None,
    theme: str | None = None,
) -> Settings:
    """Resolve settings: flags (the keyword arguments) and env vars > config file > defaults."""
    env = os.environ if env is None else env
    path = Path(config_path).expanduser() if config_path else default_config_path(env)
    file = read_config_file(path)
    sources: dict[str, str] = {}

    def pick(key: str, env_name: str | None, flag: str | None, default: str | None) -> str | None:
        if flag:
            sources[key] = "flag"
            return flag.strip()
        if env_name and env.get(env_name, "").strip():
            sources[key] = "env"
            return env[env_name].strip()
        if isinstance(file.get(key), str) and file[key].strip():
            sources[key] = "file"
            return file[key].strip()
        sources[key] = "default"
        return default

    api_key = pick("api_key", "WIRO_API_KEY", None, None)
    api_secret = pick("api_secret", "WIRO_API_SECRET", None, None)
    settings = Settings(
        api_key=Secret(api_key) if api_key else None,
        api_secret=Secret(api_secret) if api_secret else None,
        agent=pick("agent", "WIRO_AGENT_GUID", agent, None),
        api_base=pick("api_base", "WIRO_API_BASE", api_base, DEFAULT_API_BASE) or DEFAULT_API_BASE,
        twilio_base=pick("twilio_base", "TWILIO_API_BASE", twilio_base, DEFAULT_TWILIO_BASE) or DEFAULT_TWILIO_BASE,
        theme=pick("theme", None, theme, None),
        history_days=file.get("history_days", DEFAULT_HISTORY_DAYS),
        keymap={binding_id: keys.replace(" ", "") for binding_id, keys in file.get("keymap", {}).items()},
        export_dir=_folder(pick("export_dir", "WIRO_VOICE_EXPORT_DIR", None, None)),
        **twilio_from_env(env),
        alerts=_check_alerts(file["alerts"], path) if "alerts" in file else None,
        config_path=path,
        sources=sources,
        warnings=_permission_warnings(path, file),
    )
    _check_values(settings, path)
    return settings


def _folder(value: str | None) -> Path | None:
    return Path(value).expanduser() if value else None


_ENV_NAMES = {"api_key": "WIRO_API_KEY", "api_secret": "WIRO_API_SECRET", "agent": "WIRO_AGENT_GUID",
              "api_base": "WIRO_API_BASE", "twilio_base": "TWILIO_API_BASE"}
_FLAG_NAMES = {"agent": "--agent", "api_base": "--api-base", "twilio_base": "--twilio-base", "theme": "--theme"}


def _where(settings: Settings, key: str, path: Path) -> str:
    source = settings.sources.get(key)
    if source == "env":
        return f"the environment variable {_ENV_NAMES[key]}"
    if source == "flag":
        return f"the option {_FLAG_NAMES.get(key, key)}"
    return f'"{key}" in the config file {path}'


def _check_values(settings: Settings, path: Path) -> None:
    """Values that cannot work are refused here, by where they came from (never quoting a secret). The defaults
    need no check, so a plain start with nothing configured does not load the rules at all."""
    values = {
        "api_key": settings.api_key.reveal() if settings.api_key else None,
        "api_secret": settings.api_secret.reveal() if settings.api_secret else None,
        "agent": settings.agent,
        "api_base": settings.api_base,
        "twilio_base": settings.twilio_base,
    }
    given = {key: value for key, value in values.items()
             if value is not None and settings.sources.get(key) != "default"}
    if not given:
        return
    from .connection import check_agent_guid, check_api_base, check_api_key, check_api_secret

    rules = {"api_key": check_api_key, "api_secret": check_api_secret, "agent": check_agent_guid,
             "api_base": check_api_base, "twilio_base": check_api_base}
    for key, value in given.items():
        blocking = [p for p in rules[key](value) if p.blocks]
        if blocking:
            raise ConfigError(f"{_where(settings, key, path)}: {blocking[0].message}")


def _permission_warnings(path: Path, file: Mapping[str, Any]) -> tuple[str, ...]:
    if not (file.get("api_key") or file.get("api_secret")):
        return ()
    try:
        mode = path.stat().st_mode
    except OSError:
        return ()
    if mode & 0o077:
        return (f"The config file {path} holds your API key but others can read it: run chmod 600 {path}",)
    return ()


def save_config(path: Path, updates: Mapping[str, Any]) -> None:
    """Merge `updates` into the file (a value of None removes the key) and write it atomically, mode 0600.

    Secrets may be given as `Secret`. The directory is created with mode 0700 when missing.
    """
    current = read_config_file(path)
    for key, value in updates.items():
        if key not in KNOWN_KEYS:
            raise ValueError(f"unknown config key {key!r}")
        if isinstance(value, Secret):
            value = value.reveal()
        if value is None or value == "":
            current.pop(key, None)
        else:
            current[key] = value
    import tomli_w  # only when saving; start-up reads the file and nothing more

    from .common.atomic import write_private

    write_private(path, tomli_w.dumps(current).encode())
