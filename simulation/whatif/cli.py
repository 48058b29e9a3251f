"""`tongban whatif`: the rest of today, projected from the hall's queue right now.

Against a running server (``--server URL --hall H``, signing in as a supervisor; the
password from TONGBAN_PASSWORD or asked for), or offline from a saved state (``--state
state.json``, as ``--save-state`` or ``GET /api/halls/{hall}/whatif/state`` writes it),
with an optional calibrated scenario for the arrivals still to come.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from hall.analytics.snapshot import snapshot_from_json
from hall.errors import HallError
from simulation.errors import ScenarioError, SimulationError
from simulation.scenario import load_scenario
from simulation.whatif.changes import parse_question
from simulation.whatif.profile import profile_from_scenario, profile_from_today
from simulation.whatif.project import project

__all__ = ["format_answer", "register", "run_whatif"]

PASSWORD_ENV = "TONGBAN_PASSWORD"
SHOWN = ("walkin_wait", "appointment_wait_general", "appointment_wait_complex", "green_wait",
         "handling_time", "overtime")  # fmt: skip


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `tongban whatif` to the top-level parser."""
    p = sub.add_parser("whatif", help="project the rest of today from the queue right now")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--server", metavar="URL", help="a running Tongban, e.g. http://127.0.0.1:8000"
    )
    where.add_argument("--state", type=Path, metavar="STATE.json", help="a saved hall state")
    p.add_argument("--hall", help="the hall's id (with --server)")
    p.add_argument("--user", default="supervisor", help="supervisor's user name (--server)")
    p.add_argument("--scenario", type=Path, help="calibrated scenario for the arrivals (--state)")
    p.add_argument("--open", action="append", default=[], metavar="7,8[@10:30]",
                   help="open windows (at a time; default now); repeatable")  # fmt: skip
    p.add_argument("--close", action="append", default=[], metavar="3[@12:00]",
                   help="close windows (at a time; default now); repeatable")  # fmt: skip
    p.add_argument("--demand", type=float, help="scale the walk-ins still to come (0 = none)")
    p.add_argument("--replications", "-n", type=int, default=50, help="simulated days (50)")
    p.add_argument("--seed", type=int, default=1, help="random seed (1)")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the answer as JSON")
    p.add_argument(
        "--save-state", type=Path, metavar="STATE.json", help="save the hall's state (--server)"
    )
    p.set_defaults(run=run_whatif)


def _windows(spec: str, action: str) -> dict[str, Any]:
    numbers, _, at = spec.partition("@")
    try:
        windows = [int(n) for n in numbers.split(",") if n.strip()]
    except ValueError:
        raise SimulationError(
            f"--{action} {spec!r}: write window numbers like 7,8 or 7,8@10:30."
        ) from None
    change: dict[str, Any] = {action: windows}
    if at:
        change["at"] = at
    return change


def question_body(args: argparse.Namespace) -> dict[str, Any]:
    """The request body of `POST /api/halls/{hall}/whatif` the options describe."""
    changes = [_windows(s, "open") for s in args.open] + [_windows(s, "close") for s in args.close]
    if args.demand is not None:
        changes.append({"demand": args.demand})
    return {"changes": changes, "replications": args.replications, "seed": args.seed}


class _Server:
    """A signed-in session with a running server (stdlib HTTP, cookies and the CSRF token)."""

    def __init__(self, base: str, user: str, password: str) -> None:
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        who = self.call("POST", "/api/session", {"username": user, "password": password})
        self.token = str(who["csrf_token"])

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if getattr(self, "token", None):
            request.add_header("X-CSRF-Token", self.token)
        try:
            with self.opener.open(request, timeout=120) as response:
                return json.loads(response.read().decode())
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read().decode() or "{}").get("error", {})
            raise SimulationError(
                f"{method} {path}: {error.code} {detail.get('message', error.reason)}"
            ) from None
        except urllib.error.URLError as error:
            raise SimulationError(f"Cannot reach {self.base}: {error.reason}") from None


def _from_server(args: argparse.Namespace) -> dict[str, Any]:
    if not args.hall:
        raise SimulationError("--hall is required with --server.")
    password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"Password for {args.user}: ")
    server = _Server(args.server, args.user, password)
    if args.save_state is not None:
        state = server.call("GET", f"/api/halls/{args.hall}/whatif/state")
        args.save_state.write_text(
            json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    answer: dict[str, Any] = server.call(
        "POST", f"/api/halls/{args.hall}/whatif", question_body(args)
    )
    return answer


def _from_state(args: argparse.Namespace) -> dict[str, Any]:
    try:
        data = json.loads(args.state.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SimulationError(f"{args.state}: cannot read a saved state: {error}") from None
    snapshot = snapshot_from_json(data)
    question = parse_question(question_body(args), snapshot)
    if args.scenario is not None:
        profile = profile_from_scenario(load_scenario(args.scenario), str(args.scenario))
    else:
        profile = profile_from_today(snapshot)
    return project(snapshot, profile, question)


def _kpi_text(entry: dict[str, Any]) -> str:
    if entry["mean"] is None:
        return "—"
    ci = entry["ci"]
    text = f"{entry['mean']:.1f}" + ("" if ci is None else f" [{ci[0]:.1f}, {ci[1]:.1f}]")
    if entry["p_met"] is not None:
        text += f" P {entry['p_met']:.0%}"
    return text


def format_answer(answer: dict[str, Any]) -> str:
    """The answer as a table a supervisor reads in a terminal."""
    base, new = answer["baseline"], answer["scenario"]
    changes = json.dumps(answer["changes"], ensure_ascii=False) if answer["changes"] else "none"
    lines = [
        f"{answer['hall']} as of {answer['as_of'][11:16]}, {answer['replications']} simulated "
        f"days; arrivals still to come: {answer['profile']['source']}",
        f"changes: {changes}",
        f"{'':34}{'now':>30}{'with the changes':>34}",
        f"{'清空时间 hall empty at':34}{base['clear_at'][11:16]:>30}{new['clear_at'][11:16]:>34}",
    ]
    for name in SHOWN:
        a, b = base["kpis"][name], new["kpis"][name]
        target = "" if a["target"] is None else f" (≤ {a['target']:g})"
        label = f"{a['label_zh']} {a['label']}{target}"
        lines.append(f"{label[:34]:34}{_kpi_text(a):>30}{_kpi_text(b):>34}")
    lines.append("minutes: mean [confidence interval] P = probability the target is met today")
    return "\n".join(lines)


def run_whatif(args: argparse.Namespace, settings: object) -> int:
    """Run `tongban whatif`; 0 done, 2 on errors."""
    try:
        answer = _from_server(args) if args.server else _from_state(args)
    except ScenarioError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        return 2
    except HallError as error:
        print(f"tongban whatif: {error.message}", file=sys.stderr)
        return 2
    except SimulationError as error:
        print(f"tongban whatif: {error}", file=sys.stderr)
        return 2
    print(format_answer(answer))
    if args.json is not None:
        args.json.write_text(json.dumps(answer, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0
