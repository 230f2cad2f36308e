"""`wiro-voice check FILE` and `wiro-voice save FILE`: the credential rules and the save from a script.

check: 0 valid (warnings allowed), 1 invalid, 2 unusable input (unreadable or unparsable file).
save:  0 everything saved and every number pointed at Wiro; 1 saved with problems (a webhook step skipped
       or failed, rows refused after others were saved, setup still required); 2 nothing saved (invalid
       file, Wiro refused every row, or an error: configuration, key, network).

`check_file` and `save_file` are the commands as functions (a file, a client, the streams to write
to); `run(args)` reads the options and opens the client.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..common.text import printable
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

    save = subparsers.add_parser(
        "save", help="validate, upload local hold files, save (CredentialUpsert), leave setup, report webhooks",
        description="Validate the credential file, store local hold files (CredentialFileUpload), save every other "
        "field (CredentialUpsert), ask Wiro to re-check setup when the agent needs it (Update), and report what "
        "Wiro did with each number's webhook (kept beside the config file for `webhooks` and `doctor`, as the dashboard "
        "keeps it). A file without `authtoken` (or with Wiro's mask) keeps the token "
        "Wiro already has, as the form does. Exit 0: all saved, every number configured; 1: saved with problems; "
        "2: nothing saved.")
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
    from ..credential.rules import item_label, split_field

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
        lines.append(f"  {printable(item_label(problem.field)) or 'file'}: {problem.level}: {printable(problem.message)}{hint}")
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
    ("incomplete", "fill in the Account SID and the Auth Token, then save again"),
    ("no phone number", "add the phone numbers, then save again"),
    ("credential", "check the Account SID and the Auth Token, then save again"),
)
_FAIL_ADVICE = (
    ("20403", "Twilio refused this account's own SID and token (403, 20403): the Twilio account is suspended or "
              "closed (or the token is wrong); check it in the Twilio Console"),
    ("20003", "Twilio refused the Account SID / Auth Token pair (401, 20003): the token is wrong or was rotated, or "
              "the Twilio account is suspended or closed; check the account, then save the current Live Auth Token"),
    ("401", "Twilio refused the Account SID / Auth Token pair: the token is wrong or was rotated, or the Twilio "
            "account is suspended or closed"),
    ("403", "Twilio refused access to this account with its own SID and token: it is likely suspended or closed "
            "(or the token is wrong)"),
)


def _advice(text: str | None, table: tuple[tuple[str, str], ...]) -> str:
    lowered = (text or "").lower()
    return next((advice for fragment, advice in table if fragment in lowered), "")


def webhook_document(result: Any) -> dict[str, Any]:
    """The `webhooks` part of `save --json` for an UpsertResult (None: nothing was saved)."""
    if result is None:
        return {"updated": [], "skipped": [], "failed": [], "error": None}
    skipped = [{"number": item.number, "reason": item.text} if item.number else {"reason": item.text}
               for item in result.skipped]
    if result.skipped_reason:
        skipped.append({"reason": result.skipped_reason})
    return {
        "updated": [item.number or item.text for item in result.updated],
        "skipped": skipped,
        "failed": [{"number": item.number, "error": item.text} for item in result.failed],
        "error": result.error,
    }


def webhook_lines(result: Any, numbers: Sequence[str] = ()) -> list[str]:
    """The webhook report in words: which numbers Wiro configured, and what to do about the others."""
    if result.error:
        return [f"Wiro could not configure any number this round: {printable(result.error)}",
                "Nothing was configured: fix the cause, then save again (the save re-runs the webhook setup)."]
    lines = ["Webhooks (Wiro points each number's VoiceUrl and StatusCallback at the agent):"]
    if result.skipped_reason:
        advice = _advice(result.skipped_reason, _SKIP_ADVICE)
        lines.append(f"  skipped  every number: {printable(result.skipped_reason)}" + (f" — {advice}" if advice else ""))
        lines.append("           Wiro skipped the webhook step, so no number was pointed at the agent this round.")
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
    mentioned = {"".join(c for c in (i.number or "") if c.isdigit())
                 for i in (*result.updated, *result.skipped, *result.failed)}
    if not result.skipped_reason:
        for number in numbers:
            if "".join(c for c in number if c.isdigit()) not in mentioned and result.reported:
                lines.append(f"  ?        {printable(number)}: Wiro did not say what it did with this number "
                             "(`wiro-voice webhooks` checks it on Twilio)")
    if not result.reported:
        lines.append("  (Wiro said nothing about the webhooks: `wiro-voice webhooks` checks each number on Twilio)")
    elif not (result.updated or result.skipped or result.failed or result.skipped_reason):
        lines.append("  (Wiro listed no numbers)")
    return lines


def status_lines(outcome: Any) -> list[str]:
    """What happened to the agent's status: left setup through Update, still in setup, or restarting."""
    from ..wiro.models import status_name

    before, after = outcome.status_before, outcome.status_after
    if outcome.update_error:
        return [f"Status: {status_name(before)}. {outcome.update_error}"]
    if outcome.updated_setup:
        if after == 6 or outcome.still_needs_setup:
            return [f"Status: still {status_name(after)} after asking Wiro to re-check setup (Update)."]
        return [f"Status: {status_name(before)} → {status_name(after)} (Wiro re-checked setup). "
                "Start the agent with `wiro-voice start`."]
    if after is not None and before in (3, 4) and after in (1, 2, 3):
        return [f"Status: {status_name(before)} → {status_name(after)}: Wiro restarts the agent to apply the change."]
    if after is not None and after != before:
        return [f"Status: {status_name(before)} → {status_name(after)}."]
    return [f"Status: {status_name(after if after is not None else before)}."] if before is not None else []


def run_save(args: argparse.Namespace) -> int:
    """`save` from parsed options: the file is read and checked before anything is sent."""
    from ..webhooks.store import reports_dir

    region = _region(getattr(args, "region", "US"))
    loaded = _load(args.file)

    with common.session(args) as (settings, _sim):
        guid = common.need_agent(settings)

        async def go() -> int:
            async with common.client(settings) as client:
                return await save_file(client, guid, args.file, loaded=loaded, region=region,
                                       as_json=bool(getattr(args, "json", False)), out=sys.stdout, err=sys.stderr,
                                       reports=reports_dir(settings.config_path))

        try:
            return asyncio.run(go())
        except ValueError as err:  # the client refused its settings (a malformed key or API base)
            raise CliError(str(err)) from None


async def save_file(client: Any, guid: str, path: str, *, loaded: Any = None, region: str = "US",
                    as_json: bool = False, out: TextIO, err: TextIO, reports: Path | None = None) -> int:
    """Validate, upload local hold files, CredentialUpsert, and print the webhook report.

    `loaded` is the file already read (`read_credential_file`); without it `path` is read here. `reports` is
    the folder the webhook report is kept in, for `webhooks` and `doctor` (None keeps none). Exit 0 when
    everything was saved and every number is pointed at Wiro; 1 saved with problems; 2 nothing saved."""
    from ..credential.save import save_credential

    region = _region(region)
    loaded = loaded if loaded is not None else _load(path)

    def progress(label: str, done: int, total: int | None) -> None:
        if total and done >= total:
            print(f"wiro-voice: {printable(label)}: done", file=err)

    outcome = await save_credential(client, guid, loaded.draft, progress=progress, default_region=region,
                                    reports=reports)
    if outcome.report_problem:  # the save itself stands: said, not counted against it
        common.say(err, printable(outcome.report_problem))

    errors, warnings = _findings(loaded, outcome.validation)
    warnings += list(outcome.notes)
    failure = outcome.failure
    listed_errors = [_item(p) for p in errors]
    listed_errors += [{"field": r.field, "message": r.message, "stage": "upsert", "kind": "row", "code": r.code}
                      for r in outcome.row_errors]
    if failure is not None and failure.stage != "validation" and failure.kind not in ("rejected", "partial"):
        listed_errors.append({"field": failure.field, "message": failure.message, "stage": failure.stage,
                              "kind": failure.kind})
    if outcome.update_error:
        listed_errors.append({"field": "", "message": outcome.update_error, "stage": "update", "kind": "update"})
    document = {
        "saved": outcome.saved,
        "complete": outcome.complete,
        "applied": outcome.applied,
        "errors": listed_errors,
        "warnings": [_item(p) for p in warnings],
        "webhooks": webhook_document(outcome.result),
        "status": {"before": outcome.status_before, "after": outcome.status_after,
                   "updated": outcome.updated_setup},
        "files": list(outcome.files_written),
        "uploaded": {field: url for field in ("holdaudio", "holdmusic")
                     if (url := outcome.uploaded.get(getattr(loaded.draft, field)))},
        "agent": guid,
    }

    lines = _problem_lines(errors, warnings)
    if lines:
        lines.insert(0, f"{printable(path)}: {plural(len(errors), 'error')}, {plural(len(warnings), 'warning')}")
    for row in outcome.row_errors:
        lines.append(f"  {printable(row.field) or 'credential'}: refused by Wiro: {printable(row.message)}")
    if not outcome.saved:
        lines.append(printable(failure.message if failure else "Not saved."))
        if failure is not None and failure.stage == "validation":
            lines.append("Nothing was sent. Fix the errors (`wiro-voice check FILE` lists them), then save again.")
    else:
        if outcome.complete:
            applied = f" ({plural(outcome.applied, 'row')} applied)" if outcome.applied is not None else ""
            lines.append(f"Saved the twilio-voice credential of agent {printable(guid)}{applied}.")
        else:
            lines.append(printable(failure.message if failure else "Saved in part."))
        for name in outcome.files_written:
            lines.append(f"  {name}: stored by Wiro (CredentialFileUpload)")
        if outcome.result is not None:
            lines.extend(webhook_lines(outcome.result, outcome.numbers))
        lines.extend(status_lines(outcome))
    common.emit(document, "\n".join(lines), as_json=as_json, out=out)

    if not outcome.saved:
        return EXIT_ERROR
    return EXIT_OK if outcome.fully_done else EXIT_PROBLEMS
