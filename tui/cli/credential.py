"""`wiro-voice check FILE` and `wiro-voice save FILE`: the credential rules and the save from a script.

check: 0 valid (warnings allowed), 1 invalid, 2 unusable input (unreadable or unparsable file).
save:  0 saved and every number pointed at Wiro; 1 validation errors, a refusal, or webhook problems
       (skipped, failed, or the whole flow failed); 2 an error (unusable file, configuration, network).

`check_file` and `save_file` are the commands as functions (a file, a client, the streams to write
to); `run(args)` reads the options and opens the client.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any, TextIO

from ..calls.sanitize import printable
from . import common
from .common import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, CliError, plural

if TYPE_CHECKING:
    import argparse


def add_parsers(subparsers: Any) -> None:
    """Add `check` and `save` to the command line's subparsers."""
    check = subparsers.add_parser("check", help="validate a twilio-voice credential file (JSON or TOML)")
    check.add_argument("file", metavar="FILE", help="the credential: the seed's field names, flat or under \"twilio-voice\"")
    check.add_argument("--json", action="store_true", help="one JSON document on stdout")
    check.add_argument("--region", metavar="CC", default="US",
                       help="region of numbers written without a country code, e.g. GB (default US)")

    save = subparsers.add_parser("save", help="validate, upload local hold files, save (CredentialUpsert), report webhooks")
    common.connection_options(save)
    save.add_argument("file", metavar="FILE", help="the credential file (JSON or TOML), as for `check`")
    save.add_argument("--json", action="store_true", help="one JSON document on stdout")
    save.add_argument("--region", metavar="CC", default="US",
                      help="region of numbers written without a country code, e.g. GB (default US)")


# -- shared ---------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """Run `check` or `save` from parsed options."""
    return run_check(args) if args.command == "check" else run_save(args)


def _region(text: str) -> str:
    import phonenumbers

    region = (text or "").strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise CliError(f"--region {text!r} is not a region code the phone-number database knows "
                                      "(two letters, e.g. US, GB, TR).")
    return region


def _load(path: str) -> Any:
    from ..credential.files import CredentialFileError, read_credential_file

    try:
        return read_credential_file(path)
    except CredentialFileError as err:
        raise CliError(err.message) from None


def _findings(loaded: Any, validation: Any) -> tuple[list, list]:
    """(errors, warnings) as Problems: the file's own notes (unknown keys, wrong types) are warnings."""
    from ..problems import warning

    notes = [warning(message, field) for field, message in loaded.notes]
    return list(validation.errors), [*notes, *validation.warnings]


def _item(problem: Any) -> dict[str, Any]:
    item = {"field": problem.field, "message": problem.message}
    fix = getattr(problem, "fix", None)
    if fix is not None and problem.field != "authtoken":  # a token is never echoed, fixed or not
        item["fix"] = fix
        item["fix_action"] = getattr(problem, "fix_action", None)
    return item


def _problem_lines(errors: list, warnings: list) -> list[str]:
    from ..credential.draft import FIELD_NAMES
    from ..credential.rules import split_field

    rank = {name: i for i, name in enumerate(FIELD_NAMES)}

    def key(item: tuple[int, Any]) -> tuple:
        base, index = split_field(item[1].field)
        return (rank.get(base, len(rank)), -1 if index is None else index, item[0])  # unknown keys last

    lines = []
    ordered = sorted(enumerate([*errors, *warnings]), key=key)
    for _, problem in ordered:
        fix = getattr(problem, "fix", None)
        hint = ""
        if fix and problem.field != "authtoken":
            label = getattr(problem, "fix_label", "") or f"use {fix}"
            hint = f" [fix: {printable(label)}]"
        lines.append(f"  {printable(problem.field) or 'file'}: {problem.level}: {printable(problem.message)}{hint}")
    return lines


# -- check ----------------------------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    """`check` from parsed options."""
    return check_file(args.file, region=getattr(args, "region", "US"), as_json=bool(args.json), out=sys.stdout)


def check_file(path: str, *, region: str = "US", as_json: bool = False, out: TextIO) -> int:
    """Validate a credential file; print the findings per field (or one JSON document with `as_json`).
    An unusable file or region raises CliError (exit 2)."""
    from ..credential.payload import normalized
    from ..credential.rules import validate

    region = _region(region)
    loaded = _load(path)
    validation = validate(loaded.draft, default_region=region, files=True)
    errors, warnings = _findings(loaded, validation)
    document = {
        "valid": not errors,
        "errors": [_item(p) for p in errors],
        "warnings": [_item(p) for p in warnings],
        "normalized": normalized(loaded.draft),
    }
    head = f"{printable(path)}: "
    if errors:
        head += f"not valid — {plural(len(errors), 'error')}" + (f", {plural(len(warnings), 'warning')}" if warnings else "")
    else:
        head += "valid" + (f" ({plural(len(warnings), 'warning')})" if warnings else "")
    lines = [head, *_problem_lines(errors, warnings)]
    lines.append("Fix the errors, then check again." if errors else "Ready for `wiro-voice save`.")
    common.emit(document, "\n".join(lines), as_json=as_json, out=out)
    return EXIT_PROBLEMS if errors else EXIT_OK


# -- save -----------------------------------------------------------------------------------------------

_SKIP_ADVICE = (
    ("no matching incomingphonenumber",
     ("the number is not on the Twilio account of this Account SID: buy it there, or import it from the account "
      "that owns it")),
)
_FAIL_ADVICE = (
    ("20003", "Twilio refused the Account SID / Auth Token pair: paste the Live Auth Token (not an API Key Secret)"),
    ("401", "Twilio refused the Account SID / Auth Token pair: paste the Live Auth Token (not an API Key Secret)"),
)


def _advice(text: str | None, table: tuple[tuple[str, str], ...]) -> str:
    lowered = (text or "").lower()
    return next((advice for fragment, advice in table if fragment in lowered), "")


def webhook_document(result: Any) -> dict[str, Any]:
    """The `webhooks` part of `save --json` for an UpsertResult (None: nothing was saved)."""
    if result is None:
        return {"updated": [], "skipped": [], "failed": [], "error": None}
    return {
        "updated": [item.number or item.text for item in result.updated],
        "skipped": [{"number": item.number, "reason": item.text} for item in result.skipped],
        "failed": [{"number": item.number, "error": item.text} for item in result.failed],
        "error": result.error,
    }


def webhook_lines(result: Any) -> list[str]:
    """The webhook report in words: which numbers Wiro configured, and what to do about the others."""
    if result.error:
        return [f"Wiro could not configure any number this round: {printable(result.error)}",
                "Nothing was configured: fix the cause, then save again (the save re-runs the webhook setup)."]
    lines = ["Webhooks (Wiro points each number's VoiceUrl and StatusCallback at the agent):"]
    for item in result.updated:
        lines.append(f"  updated  {printable(item.number or item.text)}")
    for item in result.skipped:
        advice = _advice(item.text, _SKIP_ADVICE)
        lines.append(f"  skipped  {printable(item.number or '?')}: {printable(item.text or 'no reason given')}"
                     + (f" — {advice}" if advice else ""))
    for item in result.failed:
        advice = _advice(item.text, _FAIL_ADVICE)
        lines.append(f"  failed   {printable(item.number or '?')}: {printable(item.text or 'no reason given')}"
                     + (f" — {advice}" if advice else ""))
    if not (result.updated or result.skipped or result.failed):
        lines.append("  (Wiro listed no numbers)")
    return lines


def run_save(args: argparse.Namespace) -> int:
    """`save` from parsed options: the file is read and checked before anything is sent."""
    region = _region(getattr(args, "region", "US"))
    loaded = _load(args.file)

    with common.session(args) as (settings, _sim):
        guid = common.need_agent(settings)

        async def go() -> int:
            async with common.client(settings) as client:
                return await save_file(client, guid, args.file, loaded=loaded, region=region,
                                       as_json=bool(getattr(args, "json", False)), out=sys.stdout, err=sys.stderr)

        try:
            return asyncio.run(go())
        except ValueError as err:  # the client refused its settings (a malformed key or API base)
            raise CliError(str(err)) from None


async def save_file(client: Any, guid: str, path: str, *, loaded: Any = None, region: str = "US",
                    as_json: bool = False, out: TextIO, err: TextIO) -> int:
    """Validate, upload local hold files, CredentialUpsert, and print the webhook report.

    `loaded` is the file already read (`read_credential_file`); without it `path` is read here. Exit 0
    when saved and every number is pointed at Wiro; 1 for validation errors, a refusal or webhook
    problems; 2 when the save failed otherwise."""
    from ..credential.save import save_credential

    region = _region(region)
    loaded = loaded if loaded is not None else _load(path)

    def progress(label: str, done: int, total: int | None) -> None:
        if total and done >= total:
            print(f"wiro-voice: {printable(label)}: done", file=err)

    outcome = await save_credential(client, guid, loaded.draft, progress=progress, default_region=region)

    errors, warnings = _findings(loaded, outcome.validation)
    warnings += list(outcome.notes)
    failure = outcome.failure
    listed_errors = [_item(p) for p in errors]
    if failure is not None and failure.stage != "validation":
        listed_errors.append({"field": failure.field, "message": failure.message, "stage": failure.stage,
                              "kind": failure.kind})
    document = {
        "saved": outcome.saved,
        "errors": listed_errors,
        "warnings": [_item(p) for p in warnings],
        "webhooks": webhook_document(outcome.result),
        "uploaded": {field: url for field in ("holdaudio", "holdmusic")
                     if (url := outcome.uploaded.get(getattr(loaded.draft, field)))},
        "agent": guid,
    }

    lines = _problem_lines(errors, warnings)
    if lines:
        lines.insert(0, f"{printable(path)}: {plural(len(errors), 'error')}, {plural(len(warnings), 'warning')}")
    if not outcome.saved:
        lines.append(printable(failure.message if failure else "Not saved."))
        if failure is not None and failure.stage == "validation":
            lines.append("Nothing was sent. Fix the errors (`wiro-voice check FILE` lists them), then save again.")
    else:
        lines.append(f"Saved the twilio-voice credential of agent {printable(guid)}.")
        lines.extend(webhook_lines(outcome.result))
    common.emit(document, "\n".join(lines), as_json=as_json, out=out)

    if not outcome.saved:
        if failure is None or failure.stage == "validation" or failure.kind == "refused":
            return EXIT_PROBLEMS
        return EXIT_ERROR
    return EXIT_OK if outcome.all_numbers_updated and not outcome.notes else EXIT_PROBLEMS
