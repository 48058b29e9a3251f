"""What each step does to a case; the engine has already checked who and from where.

A handler reads its fields, changes the row (status, deadlines, owner, details) and
returns the note and details that go into the timeline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hall.cases.args import choice, flag, text, whole
from hall.cases.deadlines import (
    category_days,
    deadline_of,
    extend_deadlines,
    set_deadline,
    waits_for,
)
from hall.cases.errors import STATUS_ZH, IllegalStep
from hall.cases.kinds import (
    FOLLOW_UP,
    AppealKind,
    CaseKind,
    CaseStatus,
    Category,
    Origin,
    Step,
    Verdict,
)
from hall.cases.rules import HallRules
from hall.errors import InvalidInput
from hall.staff.accounts import StaffMember
from hall.store.models import CaseRow, RatingRow, StaffRow
from hall.store.unit import Unit

Args = Mapping[str, Any]
Result = tuple[str, dict[str, Any]]
UNREACHED_TO_CLOSE = 2  # unanswered re-visit attempts after which a case may be closed


@dataclass(frozen=True, slots=True)
class StepContext:
    unit: Unit
    rules: HallRules
    staff: StaffMember
    row: CaseRow

    def move(self, status: CaseStatus) -> None:
        self.row.status = status.value
        if status is CaseStatus.CLOSED:
            self.row.closed_at = self.unit.now

    def add(self, key: str, value: Any) -> None:
        self.row.details = {**self.row.details, key: value}


def not_ready(row: CaseRow, step: str, why: str, why_zh: str) -> IllegalStep:
    return IllegalStep(
        f"Cannot {step} case {row.id}: it is {row.status} and {why}.",
        f"无法处理工单 {row.id}：当前状态为“{STATUS_ZH[row.status]}”，{why_zh}。",
        row.status,
    )


async def verify(ctx: StepContext, args: Args) -> Result:
    verdict = choice(args, "result", Verdict)
    evidence = text(args, "evidence")
    note = text(args, "note", required=False)
    if verdict is Verdict.TRUE:
        ctx.move(CaseStatus.RECTIFYING)
    elif verdict is Verdict.UNTRUE:
        ctx.move(CaseStatus.REVISITING)  # explain to the citizen, then close
    else:
        _file_appeal(ctx, AppealKind.MALICIOUS, evidence)
    ctx.add("verdict", verdict.value)
    return note, {"result": verdict.value, "evidence": evidence}


def _file_appeal(ctx: StepContext, kind: AppealKind, reason: str) -> None:
    resume = CaseStatus.OPEN if ctx.row.status == CaseStatus.OPEN else CaseStatus(ctx.row.status)
    ctx.add(
        "appeal",
        {
            "kind": kind.value,
            "reason": reason,
            "by": ctx.staff.job_number,
            "at": ctx.unit.now.isoformat(),
            "resume": resume.value,
            "decision": None,
        },
    )
    ctx.move(CaseStatus.APPEALED)


async def appeal(ctx: StepContext, args: Args) -> Result:
    if ctx.row.rating_id is None:
        raise not_ready(ctx.row, "appeal", "follows no rating", "没有对应的评价")
    kind = choice(args, "kind", AppealKind)
    reason = text(args, "reason")
    _file_appeal(ctx, kind, reason)
    return reason, {"kind": kind.value}


async def decide_appeal(ctx: StepContext, args: Args) -> Result:
    uphold = bool(flag(args, "uphold"))
    note = text(args, "note")
    filed = dict(ctx.row.details.get("appeal") or {})
    filed["decision"] = "upheld" if uphold else "rejected"
    ctx.add("appeal", filed)
    if uphold:
        rating = await ctx.unit.session.get(RatingRow, ctx.row.rating_id, with_for_update=True)
        assert rating is not None
        rating.excluded = True
        rating.excluded_reason = f"{filed.get('kind', '')}: {note}"
        ctx.unit.record(
            "rating_excluded",
            "rating",
            rating.id,
            after={"excluded": True},
            data={"case": ctx.row.id, "kind": filed.get("kind"), "note": note},
            publish=False,
        )
        ctx.move(CaseStatus.CLOSED)
    else:
        ctx.move(CaseStatus(filed.get("resume") or CaseStatus.OPEN.value))
    return note, {"uphold": uphold}


async def rectify(ctx: StepContext, args: Args) -> Result:
    note = text(args, "note")
    ctx.move(CaseStatus.REVISITING)
    return note, {}


async def revisit(ctx: StepContext, args: Args) -> Result:
    reached = bool(flag(args, "reached"))
    satisfied = flag(args, "satisfied", required=reached)
    note = text(args, "note", required=False)
    if not reached:
        ctx.add("unreached", int(ctx.row.details.get("unreached", 0)) + 1)
        return note, {"reached": False}
    if satisfied:
        ctx.move(CaseStatus.REVISITED)
    else:  # not satisfied: rectification opens again, with a fresh deadline
        ctx.add("reopened", int(ctx.row.details.get("reopened", 0)) + 1)
        set_deadline(ctx.row, "rectify", ctx.rules.due(ctx.unit.now, ctx.rules.cases.rectify_days))
        ctx.move(CaseStatus.RECTIFYING)
    return note, {"reached": True, "satisfied": bool(satisfied)}


async def close(ctx: StepContext, args: Args) -> Result:
    row, kind = ctx.row, CaseKind(ctx.row.kind)
    note = text(args, "note", required=kind is not CaseKind.HELP)
    if kind in FOLLOW_UP:
        unreached = int(row.details.get("unreached", 0))
        if row.status == CaseStatus.REVISITING and unreached < UNREACHED_TO_CLOSE:
            raise not_ready(
                row,
                "close",
                f"needs a satisfied re-visit or {UNREACHED_TO_CLOSE} unanswered attempts",
                f"需先回访满意，或回访 {UNREACHED_TO_CLOSE} 次未能联系上",
            )
        ctx.move(CaseStatus.CLOSED)
    elif kind is CaseKind.CANNOT_HANDLE:
        due = ctx.rules.due(ctx.unit.now, ctx.rules.cases.contact_days)
        set_deadline(row, "feedback", due)
        ctx.add("resolved_at", ctx.unit.now.isoformat())
        ctx.move(CaseStatus.RESOLVED)  # 办结: then feedback to the citizen and a check
    else:
        ctx.move(CaseStatus.CLOSED)
    return note, {}


async def classify(ctx: StepContext, args: Args) -> Result:
    category = choice(args, "category", Category)
    note = text(args, "note", required=False)
    days = category_days(ctx.rules, category)
    set_deadline(ctx.row, "close", ctx.rules.due(ctx.row.opened_at, days))
    ctx.row.category = category.value
    ctx.move(CaseStatus.CLASSIFIED)
    return note, {"category": category.value, "days": days}


async def forward(ctx: StepContext, args: Args) -> Result:
    to = text(args, "to", limit=200)
    note = text(args, "note", required=False)
    details: dict[str, Any] = {"to": to}
    if args.get("assignee") is not None:
        details["assignee"] = await _assign(ctx, text(args, "assignee", limit=32))
    ctx.row.forwarded_to = to
    ctx.move(CaseStatus.FORWARDED)
    return note, details


async def feedback(ctx: StepContext, args: Args) -> Result:
    reached = bool(flag(args, "reached"))
    note = text(args, "note")
    due = ctx.rules.due(ctx.unit.now, ctx.rules.cases.contact_days)
    set_deadline(ctx.row, "check", due)
    ctx.move(CaseStatus.FED_BACK)
    return note, {"reached": reached}


async def check(ctx: StepContext, args: Args) -> Result:
    result = text(args, "result", limit=8)
    note = text(args, "note")
    row = ctx.row
    if result not in ("ok", "redo"):
        raise InvalidInput(
            "The field 'result' must be ok or redo.",
            "字段 'result' 必须是 ok 或 redo。",
            fields={"result": "one of ok, redo"},
        )
    if row.status == CaseStatus.OPEN:  # a 否定答复 report, checked as justified
        if row.origin != Origin.REFUSAL or result != "ok":
            raise not_ready(
                row, "check", "only a refusal report is checked before it is classified",
                "只有否定答复报告可在分类前直接核查",
            )  # fmt: skip
        ctx.move(CaseStatus.CLOSED)
    elif result == "ok":
        ctx.move(CaseStatus.CLOSED)
    else:
        ctx.move(CaseStatus.FORWARDED)
    return note, {"result": result}


async def accept(ctx: StepContext, args: Args) -> Result:
    ctx.row.owner_id, ctx.row.owner_job = ctx.staff.id, ctx.staff.job_number
    ctx.row.accepted_at = ctx.unit.now
    ctx.move(CaseStatus.ACCEPTED)
    seconds = round((ctx.unit.now - ctx.row.opened_at).total_seconds(), 1)
    return text(args, "note", required=False), {"response_seconds": seconds}


async def request_extension(ctx: StepContext, args: Args) -> Result:
    days = whole(args, "days", 1, ctx.rules.cases.max_extension_days)
    reason = text(args, "reason")
    row = ctx.row
    stage = waits_for(row)
    due = None if stage is None else deadline_of(row, stage)
    if due is None or ctx.unit.now >= due:
        raise not_ready(
            row, "extend", "an extension is asked for before the deadline", "延期须在时限届满前申请"
        )
    if row.extension is not None:
        raise not_ready(row, "extend", "an extension request waits already", "已有待审批的延期申请")
    row.extension = {
        "days": days,
        "reason": reason,
        "stage": stage,
        "by": ctx.staff.job_number,
        "at": ctx.unit.now.isoformat(),
    }
    return reason, {"days": days, "stage": stage}


async def decide_extension(ctx: StepContext, args: Args) -> Result:
    row = ctx.row
    if row.extension is None:
        raise not_ready(
            row, "decide_extension", "no extension was asked for", "没有待审批的延期申请"
        )
    approve = bool(flag(args, "approve"))
    note = text(args, "note", required=False)
    asked = dict(row.extension)
    moved = extend_deadlines(row, ctx.rules, int(asked["days"])) if approve else []
    history = [*row.details.get("extensions", []), {**asked, "approved": approve}]
    ctx.add("extensions", history)
    row.extension = None
    return note, {"approve": approve, "days": asked["days"], "moved": moved}


async def escalate(ctx: StepContext, args: Args) -> Result:
    ctx.row.escalations += 1
    return text(args, "note", required=False), {}


async def assign(ctx: StepContext, args: Args) -> Result:
    job = await _assign(ctx, text(args, "to", limit=32))
    return text(args, "note", required=False), {"to": job}


async def _assign(ctx: StepContext, username: str) -> str:
    found = await ctx.unit.session.execute(
        select(StaffRow.id, StaffRow.job_number, StaffRow.halls).where(
            StaffRow.username == username, StaffRow.active
        )
    )
    row = found.first()
    if row is None or not ("*" in row.halls or ctx.row.hall_id in row.halls):
        raise InvalidInput(
            f"There is no active staff member {username!r} in this hall.",
            f"本大厅没有在职工作人员 {username!r}。",
            fields={"to": "unknown staff member"},
        )
    ctx.row.owner_id, ctx.row.owner_job = row.id, row.job_number
    return str(row.job_number)


async def note_only(ctx: StepContext, args: Args) -> Result:
    return text(args, "note"), {}


HANDLERS: dict[Step, Callable[[StepContext, Args], Awaitable[Result]]] = {
    Step.VERIFY: verify,
    Step.APPEAL: appeal,
    Step.DECIDE_APPEAL: decide_appeal,
    Step.RECTIFY: rectify,
    Step.REVISIT: revisit,
    Step.CLOSE: close,
    Step.CLASSIFY: classify,
    Step.FORWARD: forward,
    Step.FEEDBACK: feedback,
    Step.CHECK: check,
    Step.ACCEPT: accept,
    Step.EXTEND: request_extension,
    Step.DECIDE_EXTENSION: decide_extension,
    Step.ESCALATE: escalate,
    Step.ASSIGN: assign,
    Step.NOTE: note_only,
}
