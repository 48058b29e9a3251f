"""Operations of the figures and the cases: KPIs, reports, ratings (好差评), cases, exports."""

from __future__ import annotations

from web.api.openapi.core import body, op
from web.api.openapi.parameters import DAY, FILTERS, FROM_TO, LIMIT, TEXT, enum, query
from web.api.openapi.schemas import BOOL, INT, OBJECT, PERIOD, STR, array, nullable, obj, ref

H = "/api/halls/{hall}"
BY = query("by", enum("day", "week", "month"), "series buckets (default day)")
PERIOD_NOTE = "from/to: YYYY-MM-DD, inclusive, at most 366 days apart; default today."

op(
    "GET",
    f"{H}/kpis",
    f"Every KPI of the vocabulary, hourly, windows, staff (supervisor). {PERIOD_NOTE}",
    query=FROM_TO,
    result=obj({**PERIOD, "kpis": OBJECT}),
    staff=True,
)
op(
    "GET",
    f"{H}/report",
    "Period report: KPIs, share of days met, series (by=day|week|month), groups, matters, "
    "windows, staff, previous period and year before (supervisor; default last month)",
    query=[*FROM_TO, BY],
    result=obj({**PERIOD, "by": STR, "kpis": OBJECT}),
    staff=True,
)
op(
    "GET",
    f"{H}/report.csv",
    "One table of the period report as CSV with BOM",
    query=[
        *FROM_TO,
        BY,
        query("table", enum("kpis", "series", "groups", "matters", "windows", "staff")),
    ],
    kind="csv",
    staff=True,
)
op(
    "GET",
    f"{H}/tickets.csv",
    f"The ticket records (the planner's calibration input), CSV with BOM. {PERIOD_NOTE}",
    query=FROM_TO,
    kind="csv",
    staff=True,
)
op(
    "GET",
    f"{H}/leaderboard",
    "Clerks ranked by a metric (default: the current two months)",
    query=[
        *FROM_TO,
        query(
            "metric",
            enum(
                "most_handled",
                "widest_range",
                "shortest_handling",
                "best_rated",
                "fewest_bad_ratings",
                "most_helped",
            ),
        ),
    ],
    result=obj({**PERIOD, "metric": STR, "rows": array(obj({"rank": INT, "staff": STR}))}),
    staff=True,
)
op(
    "GET",
    "/api/kpis",
    f"Every hall the supervisor works in, side by side. {PERIOD_NOTE}",
    query=FROM_TO,
    result=obj({"halls": array(obj({**PERIOD, "kpis": OBJECT}))}),
    staff=True,
)
op(
    "GET",
    "/api/kpis.csv",
    f"The city view as CSV with BOM: one row per hall, a column per KPI. {PERIOD_NOTE}",
    query=FROM_TO,
    kind="csv",
    staff=True,
)
RATING_BODY = body(
    {
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
        "aspects": {
            "type": "object",
            "properties": {
                name: {"type": "integer", "minimum": 1, "maximum": 5}
                for name in ("efficiency", "quality", "attitude")
            },
        },
        "reasons": {"type": "array", "items": {"type": "string", "maxLength": 64}},
        "comment": {"type": "string", "maxLength": 500},
        "change": {"type": "boolean", "description": "change the rating (once, within 24 h)"},
        "channel": {"enum": ["evaluator", "phone", "api"]},
    },
    ["score"],
)
op(
    "POST",
    "/api/tickets/{id}/rating",
    "Rate a finished ticket (好差评; 409 not_finished, already_rated, rating_closed)",
    ok=201,
    body=RATING_BODY,
    result=OBJECT,
)
op(
    "GET",
    "/api/tickets/{id}/rating",
    "Whether the ticket may be rated now, and its rating",
    result=obj({"can_rate": BOOL, "rating": nullable(OBJECT)}),
)
op(
    "POST",
    "/api/tickets/{id}/help",
    "Ask for 帮办 for this ticket (201 new, 200 one still open)",
    ok=201,
    also={200: obj({"case": ref("Case")})},
    body=body({"note": {"type": "string", "maxLength": 500}}, []),
    result=obj({"case": ref("Case")}),
)
op(
    "GET",
    "/api/tickets/{id}/help",
    "The ticket's latest 帮办 request",
    result=obj({"case": nullable(OBJECT)}),
)
op(
    "GET",
    "/api/halls/{hall}/windows/{no}/evaluator",
    "What the window's evaluator shows",
    query=[query("key", {"type": "string", "maxLength": 128}, "the pairing key", required=True)],
    result=obj({"type": STR}),
)
op(
    "GET",
    f"{H}/ratings",
    "Ratings (clerks: their own)",
    query=[*FROM_TO, *FILTERS, LIMIT],
    result=obj({"ratings": array(OBJECT)}),
    staff=True,
)
op(
    "GET",
    f"{H}/rating-figures",
    "好评率, 主动评价好评率, 未评价率, 差评数",
    query=[*FROM_TO, query("by", enum("window", "staff", "matter", "day")), *FILTERS],
    result=obj({**PERIOD, "figures": OBJECT}),
    staff=True,
)
CASE_KINDS = enum("bad_rating", "cannot_handle", "help", "complaint")
op(
    "GET",
    f"{H}/cases",
    "Cases, newest first",
    query=[
        query("kind", CASE_KINDS),
        query("status", TEXT, "a case status, or active (every status but closed)"),
        query("overdue", enum("true", "false", "1", "0")),
        *FILTERS,
        *FROM_TO,
        LIMIT,
    ],
    result=obj({"cases": array(ref("Case"))}),
    staff=True,
)
op(
    "POST",
    f"{H}/cases",
    "Record a 办不成事 case or a complaint",
    ok=201,
    body=body(
        {
            "kind": {"enum": ["cannot_handle", "complaint"]},
            "summary": {"type": "string", "minLength": 1, "maxLength": 500},
            "ticket": {"type": "string", "maxLength": 64},
            "matter": {"type": "string", "maxLength": 64},
        },
        ["kind", "summary"],
    ),
    result=obj({"case": ref("Case")}),
    staff=True,
)
op(
    "GET",
    "/api/cases/{id}",
    "One case with its timeline",
    result=obj({"case": ref("Case")}),
    staff=True,
)
op(
    "POST",
    "/api/cases/{id}/steps",
    "Take a step (409 illegal_step naming the state, already_accepted)",
    body=body(
        {
            "step": enum(
                "accept",
                "verify",
                "rectify",
                "revisit",
                "appeal",
                "decide_appeal",
                "classify",
                "forward",
                "close",
                "feedback",
                "check",
                "extend",
                "decide_extension",
                "escalate",
                "assign",
                "note",
            ),
            "note": {"type": "string", "maxLength": 2000},
        },
        ["step"],
    ),
    result=ref("Case"),
    staff=True,
)
op(
    "GET",
    f"{H}/help-requests",
    "Open 帮办 requests (helpers)",
    result=obj({"cases": array(ref("Case"))}),
    staff=True,
)
op(
    "GET",
    f"{H}/cases.csv",
    "The cases as CSV (UTF-8 with BOM)",
    query=[
        query("kind", CASE_KINDS),
        query("status", TEXT),
        query("overdue", enum("true", "false", "1", "0")),
        *FILTERS,
        *FROM_TO,
        LIMIT,
    ],
    kind="csv",
    staff=True,
)
DAY_QUERY = [query("day", DAY, "a day (default today)")]
summary = obj({"hall": STR, "opened": INT, "refusals": INT, "resolved": INT, "closed": INT})
for path, text, params, kind in (
    ("cannot-handle/daily", "办不成事 daily summary", DAY_QUERY, "json"),
    ("cannot-handle/daily.csv", "办不成事 daily summary as CSV", DAY_QUERY, "csv"),
    (
        "cannot-handle/weekly",
        "办不成事 weekly analysis (day: any day of the week)",
        DAY_QUERY,
        "json",
    ),
    ("cannot-handle/weekly.csv", "办不成事 weekly analysis as CSV", DAY_QUERY, "csv"),
    ("bad-rating-problems", "Frequent bad-rating problems", FROM_TO, "json"),
    ("bad-rating-problems.csv", "Frequent bad-rating problems as CSV", FROM_TO, "csv"),
):
    answer = (
        (obj({**PERIOD, "bad": INT}) if path.startswith("bad") else summary)
        if kind == "json"
        else None
    )
    op("GET", f"{H}/reports/{path}", text, query=params, kind=kind, result=answer, staff=True)
