"""Calibrate a scenario from the hall's own ticket records (`tongban calibrate`).

The records are the export's (a CSV file, or the same rows from the database with the
window sessions besides); an optional hall configuration gives opening hours, matter
names, window kinds and skills, the slot length and the policy. Every figure of the
scenario is fitted on the training days of the chosen day type, and the scenario is
written in the simulator's format with comments saying where each number came from
(`writer.py`), then read back by the simulator's own loader, so the scenario that is
back-tested (`backtest.py`) and reported is exactly the file written.
"""

from __future__ import annotations

import tomllib

import numpy as np

from hall.catalogue.schema import Hall
from hall.catalogue.schema import WindowKind as HallWindowKind
from queueing import MatterClass, WindowKind
from simulation.calibration.arrivals import fit_arrivals
from simulation.calibration.book import fit_book, fit_mix
from simulation.calibration.days import DayType, Opening, infer_opening, split_days
from simulation.calibration.fitted import Calibration, CalibrationInput, MatterFit, day_text
from simulation.calibration.fitting import fit_service
from simulation.calibration.records import Records
from simulation.calibration.roster import WindowInfo, fit_roster, infer_spans
from simulation.calibration.writer import scenario_text
from simulation.scenario import parse_scenario

__all__ = ["calibrate"]

FINISHED = (1, 2, 3, 4)  # outcome indices of a finished service (records.OUTCOMES)


def _opening(hall: Hall | None, day_type: DayType, records: Records, days: list[int]) -> Opening:
    if hall is not None:
        periods = [
            p for d in sorted(day_type.weekdays) for p in hall.opening_hours.get(_NAMES[d], ())
        ]
        if periods:
            start = min(p.start.hour * 60 + p.start.minute for p in periods)
            end = max(p.end.hour * 60 + p.end.minute for p in periods)
            return Opening(start, end, f"the hall's opening hours ({day_type.first})")
    return infer_opening(records, days)


_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KINDS = {
    HallWindowKind.COMPREHENSIVE: WindowKind.COMPREHENSIVE,
    HallWindowKind.GREEN: WindowKind.GREEN,
}


def _window_infos(hall: Hall | None) -> dict[int, WindowInfo] | None:
    if hall is None:
        return None
    return {
        w.number: WindowInfo(
            w.number,
            f"{w.name or w.kind.value} {w.number}",
            _KINDS.get(w.kind, WindowKind.SPECIALISED),
            frozenset(w.skills),
        )
        for w in hall.windows
    }


def _matters(records: Records, days: list[int], hall: Hall | None) -> list[MatterFit]:
    mine = np.isin(records.day, days) & ~records.ticketless & np.isin(records.outcome, FINISHED)
    minutes = records.finished - records.started
    usable = mine & np.isfinite(minutes) & (minutes > 0)
    names = {} if hall is None else {m.code: m for m in hall.matters}
    everything = minutes[usable]
    fits = []
    for index, code in enumerate(records.codes):
        x = minutes[usable & (records.matter == index)]
        known = names.get(code)
        name = code if known is None else known.name
        klass = records.classes[index] if known is None else MatterClass(known.matter_class.value)
        if x.size:
            fits.append(MatterFit(code, name, klass, fit_service(x), "", 0.0))
        elif known is not None:
            fits.append(
                MatterFit(
                    code,
                    name,
                    klass,
                    None,
                    "the catalogue's expected minutes",
                    known.expected_minutes,
                )
            )
        else:
            mean = float(everything.mean()) if everything.size else 5.0
            fits.append(
                MatterFit(code, name, klass, None, "the mean of all matters' services", mean)
            )
    for code, known in names.items():  # the catalogue's other matters, which window skills name
        if code not in records.codes:
            klass = MatterClass(known.matter_class.value)
            fits.append(
                MatterFit(
                    code,
                    known.name,
                    klass,
                    None,
                    "the catalogue's expected minutes",
                    known.expected_minutes,
                )
            )
    return fits


def calibrate(
    given: CalibrationInput,
    day_type: DayType,
    holdout: int = 0,
    seed: int = 0,
    name: str | None = None,
) -> Calibration:
    """Fit a scenario of `day_type` on all but the last `holdout` days of the records.

    Raises CalibrationError when the records cannot support it, and InvalidInputError for
    bad options.
    """

    records, hall = given.records, given.hall
    training, held_out = split_days(records, day_type, holdout)
    opening = _opening(hall, day_type, records, training)
    hours, rounding = fit_arrivals(records, training, opening)
    slot = None if hall is None else hall.booking.slot_minutes
    book = fit_book(records, training, opening, slot)
    if given.sessions is None:
        spans = infer_spans(records, training, opening.close_minute)
        roster_source = "the tickets' calls (the CSV holds no window sessions)"
    else:
        spans, roster_source = (
            list(given.sessions),
            "the windows' sessions (sign-in to sign-out, pauses left out)",
        )
    roster = fit_roster(records, training, opening, spans, _window_infos(hall))
    hall_id = records.hall or (hall.id if hall is not None else "hall")
    title = name or f"{hall_id} {day_type.text}, {day_text(training[0])} – {day_text(training[-1])}"
    draft = Calibration(
        source=given.source, hall=hall_id, day_type=day_type, training=training,
        held_out=held_out, opening=opening, hours=hours, rounding=rounding,
        matters=_matters(records, training, hall), mix=fit_mix(records, training), book=book,
        roster=roster, roster_source=roster_source,
        policy={} if hall is None else dict(hall.policy), seed=seed, name=title, text="",
        scenario=None,  # type: ignore[arg-type]  # filled in just below
    )  # fmt: skip
    text = scenario_text(draft)
    scenario = parse_scenario(tomllib.loads(text), source="<calibrated scenario>")
    return Calibration(**{**draft.__dict__, "text": text, "scenario": scenario})
