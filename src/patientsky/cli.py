"""
The ``patientsky`` command.

Each subcommand is a :class:`Command`: a name, a one-line help, a function that adds
its arguments to its parser and a function that runs it and returns the exit code.
Adding a subcommand is adding one to :data:`COMMANDS`.

Exit codes: 0 done, 1 the answer is "no" (an invalid number for ``check-id``), 2 bad
usage or input (the message on stderr names the option), or a subcommand whose extra is
not installed (``patientsky sandbox`` without ``patientsky[sandbox]``: one line says what
to install). No traceback is shown for bad input.

The bare install (no extras) runs ``--help``, ``--version``, ``check-id`` and
``availability``; the subcommands that need an extra load it only when run.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, TextIO

import attrs

from patientsky.errors import InvalidInput

__all__ = [
    "COMMANDS",
    "Command",
    "UsageError",
    "main",
]

EXTRAS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "sandbox": ("starlette", "uvicorn", "fpdf"),
        # ``patientsky portal`` runs the sandbox too: both extras, as pip spells them.
        "sandbox,portal": ("starlette", "uvicorn", "fpdf", "jinja2", "multipart"),
    }
)
"""The modules each extra installs, by the extra's name (``pip install "patientsky[sandbox]"``)."""

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class UsageError(Exception):
    """
    Bad input for an option, raised by a command: reported with the usage, exit code 2.

    Args:
        option: The option or argument, as the usage shows it (``--period``, ``FOLDER``).
        message: What is wrong with it.
    """

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"argument {option}: {message}")


@attrs.frozen
class Command:
    """
    A subcommand of ``patientsky``.

    Args:
        name: What is typed after ``patientsky``.
        help: One line for ``patientsky --help``.
        configure: Adds the subcommand's arguments to its parser.
        run: Runs it with the parsed arguments, writing to the given output; returns
            the exit code. It raises :class:`UsageError` for bad input.
        extra: The extra the command needs (a key of :data:`EXTRAS`), or ``None``.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]
    extra: str | None = None

    def missing(self) -> str | None:
        """Return a module of the command's extra that is not installed, or ``None``."""
        if self.extra is None:
            return None
        return next((m for m in EXTRAS[self.extra] if importlib.util.find_spec(m) is None), None)

    def needs_extra(self, exc: ModuleNotFoundError) -> bool:
        """Whether ``exc`` is about a module of the command's extra (and not a bug)."""
        top = (exc.name or "").partition(".")[0]
        return self.extra is not None and top in EXTRAS[self.extra]


# availability ---------------------------------------------------------------------


def _configure_availability(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder", metavar="FOLDER", nargs="?", help="a folder of PatientSky calendar exports"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="read the calendar exports shipped with patientsky instead of a FOLDER",
    )
    parser.add_argument(
        "--duration", required=True, type=int, metavar="MINUTES", help="the least length wanted"
    )
    parser.add_argument(
        "--period",
        required=True,
        metavar="START/END",
        help="ISO 8601 interval; times without offset are Oslo time, "
        "e.g. 2019-04-23T08:00:00/2019-04-27T00:00:00",
    )
    parser.add_argument(
        "--calendar",
        action="append",
        metavar="ID",
        help="a calendar that must be free (id or name); repeat it; default: all",
    )
    parser.add_argument("--type", metavar="ID", help="count only time slots of this type")
    parser.add_argument(
        "--public-only", action="store_true", help="count only publicly bookable time"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _length(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def _run_availability(args: argparse.Namespace, out: TextIO) -> int:
    from patientsky.rules.freetime import free_time, parse_period
    from patientsky.wire.legacy import demo_exports, load_folder

    if (args.folder is None) is not args.demo:
        raise UsageError("FOLDER", "give a folder of calendar exports, or --demo, not both")
    folder = demo_exports() if args.demo else args.folder
    if args.duration <= 0:
        raise UsageError("--duration", "must be a positive number of minutes")
    try:
        period = parse_period(args.period)
    except InvalidInput as exc:
        raise UsageError("--period", exc.message) from None
    try:
        imported = load_folder(folder, strict=False)
    except InvalidInput as exc:
        where = f"{exc.field}: " if exc.field else ""
        raise UsageError("FOLDER", f"{where}{exc.message}") from None
    for problem in imported.problems:
        print(f"patientsky: warning: left out {problem}", file=sys.stderr)

    calendar_ids: list[str] | None = None
    if args.calendar:
        calendar_ids = []
        for key in args.calendar:
            found = imported.find_calendar(key)
            if found is None:
                known = ", ".join(f"{c.id} ({c.name})" for c in imported.calendars)
                raise UsageError("--calendar", f"no calendar {key!r}; known: {known}")
            calendar_ids.append(found.id)
    if args.type is not None and imported.schedule.time_slot_type(args.type) is None:
        known = ", ".join(f"{t.id} ({t.name})" for t in imported.time_slot_types)
        raise UsageError("--type", f"no time slot type {args.type!r}; known: {known}")

    intervals = free_time(
        imported.schedule,
        args.duration,
        period,
        calendar_ids=calendar_ids,
        time_slot_type_id=args.type,
        public_only=args.public_only,
    )
    chosen = [c for c in imported.calendars if calendar_ids is None or c.id in calendar_ids]
    if args.json:
        document = {
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
            "durationMinutes": args.duration,
            "calendars": [{"id": c.id, "name": c.name} for c in chosen],
            "timeSlotTypeId": args.type,
            "publicOnly": args.public_only,
            "intervals": [
                {"start": i.start.isoformat(), "end": i.end.isoformat(), "minutes": i.minutes}
                for i in intervals
            ],
        }
        json.dump(document, out, indent=2)
        out.write("\n")
        return 0

    names = ", ".join(sorted(c.name for c in chosen))
    out.write(f"Free time of {names}, at least {_length(args.duration)}, {period}\n\n")
    rows = [("Date", "Weekday", "From", "To", "Length")]
    for interval in intervals:
        start, end = interval.start, interval.end
        until = end.strftime("%H:%M") if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
        rows.append(
            (
                start.date().isoformat(),
                _WEEKDAYS[start.weekday()],
                start.strftime("%H:%M"),
                until,
                _length(interval.minutes),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        out.write("\n")
    count = len(intervals)
    out.write(f"\n{count} free interval{'' if count == 1 else 's'}\n")
    return 0


# check-id -------------------------------------------------------------------------


def _configure_check_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "number",
        nargs="?",
        metavar="NUMBER",
        help="the number; if left out, read from stdin (one a line), "
        "which keeps it out of the shell history",
    )
    parser.add_argument(
        "--allow-synthetic",
        action="store_true",
        help="accept synthetic test numbers (month + 80)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object a number (JSON Lines), invalid ones too; "
        "the number is masked, as in the text output",
    )


def _json_line(out: TextIO, document: Mapping[str, object]) -> None:
    out.write(json.dumps(document, ensure_ascii=False) + "\n")


def _run_check_id(args: argparse.Namespace, out: TextIO) -> int:
    from patientsky.models.identity import NationalId

    numbers: list[tuple[int | None, str]]
    if args.number is not None:
        numbers = [(None, args.number)]
    else:
        lines = [line.strip() for line in sys.stdin]
        numbers = [(n, text) for n, text in enumerate(lines, 1) if text]
        if not numbers:
            raise UsageError("NUMBER", "give a number, or one a line on stdin")
    code = 0
    for n, text in numbers:
        where = "" if n is None else f"line {n}: "
        line = {} if n is None else {"line": n}
        try:
            national_id = NationalId.parse(text, allow_synthetic=args.allow_synthetic)
        except InvalidInput as exc:
            code = 1
            # The message never repeats the digits.
            if args.json:
                _json_line(out, {**line, "valid": False, "error": exc.message})
            else:
                print(f"patientsky: {where}invalid: {exc.message}", file=sys.stderr)
            continue
        if args.json:
            document = {
                **line,
                "valid": True,
                "masked": national_id.masked,
                "kind": national_id.kind.value,
                "synthetic": national_id.is_synthetic,
                "birthDate": national_id.birth_date.isoformat(),
            }
            _json_line(out, document)
            continue
        synthetic = " (synthetic test number)" if national_id.is_synthetic else ""
        out.write(
            f"{where}{national_id.masked}  {national_id.kind.value}{synthetic}  "
            f"born {national_id.birth_date.isoformat()}\n"
        )
    return code


# sandbox (the sandbox engineer's; loads Starlette only when run) -------------------


def _configure_sandbox(parser: argparse.ArgumentParser) -> None:
    from patientsky.sandbox import _cli

    _cli.configure(parser)


def _run_sandbox(args: argparse.Namespace, out: TextIO) -> int:
    from patientsky.sandbox import _cli

    return _cli.run(args, out)


# demo (loads the sandbox and the client only when run) ------------------------------


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    from patientsky import demo

    demo.configure(parser)


def _run_demo(args: argparse.Namespace, out: TextIO) -> int:
    from patientsky import demo

    return demo.run(args, out)


# portal (the sandbox and the web portal in one process; loads them only when run) -----


def _configure_portal(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=8080, help="the portal's port on 127.0.0.1 (0: any free one)"
    )


def _run_portal(args: argparse.Namespace, out: TextIO) -> int:
    """Start the sandbox (in a thread) and the portal on 127.0.0.1; serve until interrupted."""
    import errno
    import socket

    from patientsky.portal import create_portal
    from patientsky.portal.app import serve
    from patientsky.sandbox import create_app, get_sandbox, serve_in_thread

    if not 0 <= args.port <= 65535:
        raise UsageError("--port", "must be from 0 to 65535")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", args.port))
        sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            out.write(f"patientsky portal: port {args.port} on 127.0.0.1 is already in use\n")
            return 3
        raise
    with contextlib.closing(sock):
        sandbox_app = create_app(demo=True)
        sandbox = get_sandbox(sandbox_app)
        people = len(sandbox.demo.logins) if sandbox.demo is not None else 0
        with serve_in_thread(sandbox_app) as api:
            portal = create_portal(api, sandbox_admin_key=sandbox.admin_key, demo_login=True)
            address = f"http://127.0.0.1:{sock.getsockname()[1]}"
            out.write(
                f"PatientSky portal at {address}  (open it in a browser)\n"
                f"  the sandbox behind it: {api}\n"
                f"  log in as one of {people} test people; Ctrl+C stops both\n"
            )
            out.flush()
            serve(portal, sock)
    return 0


COMMANDS: tuple[Command, ...] = (
    Command(
        "availability",
        "print when calendars of PatientSky exports are free",
        _configure_availability,
        _run_availability,
    ),
    Command(
        "check-id",
        "validate a Norwegian national identity number (fødselsnummer, D- or H-number)",
        _configure_check_id,
        _run_check_id,
    ),
    Command(
        "demo",
        "walk through the portal against an in-process sandbox",
        _configure_demo,
        _run_demo,
        extra="sandbox",
    ),
    Command(
        "portal",
        "run the web portal in front of a sandbox, on 127.0.0.1",
        _configure_portal,
        _run_portal,
        extra="sandbox,portal",
    ),
    Command(
        "sandbox",
        "run the sandbox server with demo data",
        _configure_sandbox,
        _run_sandbox,
        extra="sandbox",
    ),
)
"""The subcommands, in the order ``--help`` lists them."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("patientsky")
    except PackageNotFoundError:  # a source tree that was never installed
        return "unknown (not installed)"


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser], dict[str, str]]:
    parser = argparse.ArgumentParser(
        prog="patientsky", description="Tools for the PatientSky patient portal library."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parsers = {}
    unavailable: dict[str, str] = {}
    for command in COMMANDS:
        missing = command.missing()
        if missing is not None:
            # Takes any arguments (even --help) and says what to install.
            text = f"{command.help} (needs patientsky[{command.extra}])"
            parsers[command.name] = sub.add_parser(command.name, help=text, add_help=False)
            unavailable[command.name] = missing
            continue
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        try:
            command.configure(child)
        except ModuleNotFoundError as exc:
            if not command.needs_extra(exc):
                raise
            unavailable[command.name] = exc.name or "?"
        parsers[command.name] = child
    return parser, parsers, unavailable


def _needs_extra(command: Command, module: str) -> int:
    print(
        f"patientsky {command.name}: needs the {command.extra} extra ({module} is not "
        f'installed): pip install "patientsky[{command.extra}]"',
        file=sys.stderr,
    )
    return 2


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """
    Run the ``patientsky`` command.

    Args:
        argv: The arguments (without the program name); ``sys.argv[1:]`` if None.
        out: Where to write the answer; standard output if None.

    Returns:
        The exit code: 0 done, 1 a "no" answer, 2 bad usage or input, or a missing extra.
    """
    parser, parsers, unavailable = _parser()
    try:
        args, rest = parser.parse_known_args(argv)
        if rest and args.command not in unavailable:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
    except SystemExit as exc:  # argparse exits on --help, --version and on usage errors
        return exc.code if isinstance(exc.code, int) else 2
    command = next(c for c in COMMANDS if c.name == args.command)
    if command.name in unavailable:
        return _needs_extra(command, unavailable[command.name])
    try:
        return command.run(args, out if out is not None else sys.stdout)
    except UsageError as exc:
        parsers[command.name].print_usage(sys.stderr)
        print(f"patientsky {command.name}: error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        if not command.needs_extra(exc):
            raise
        return _needs_extra(command, exc.name or "?")
