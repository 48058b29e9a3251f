"""The calibrated scenario as TOML text, in the simulator's format, with comments saying
where every number came from (docs/simulator.md, "Calibrating from the hall's records")."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from simulation.calibration.arrivals import SIGNIFICANCE, HourFit
from simulation.calibration.fitted import Calibration, MatterFit, day_text
from simulation.calibration.fitting import ServiceFit
from simulation.calibration.roster import WindowFit, cover, windows_per_hour
from simulation.errors import CalibrationError

__all__ = ["clock", "scenario_text"]

SHARE_DIGITS = 6


def clock(minutes: float) -> str:
    total = round(minutes)
    return f"{total // 60:02d}:{total % 60:02d}"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string


def _f(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}f}"


def _shares(counts: Sequence[int]) -> list[float]:
    """Counts as shares rounded to SHARE_DIGITS that add up to 1 (the largest takes the rest)."""
    total = sum(counts)
    if total == 0:
        return [0.0] * len(counts)
    shares = [round(c / total, SHARE_DIGITS) for c in counts]
    largest = max(range(len(counts)), key=lambda i: counts[i])
    shares[largest] = round(
        1.0 - sum(s for i, s in enumerate(shares) if i != largest), SHARE_DIGITS
    )
    return shares


def _header(cal: Calibration) -> list[str]:
    days = len(cal.training)
    lines = [
        f"# {cal.name}",
        "# Written by `tongban calibrate` (docs/simulator.md, calibrating from the records).",
        f"# Source: {cal.source}; hall {cal.hall}; day type {cal.day_type.text}.",
        f"# Fitted on {days} days, {day_text(cal.training[0])} to {day_text(cal.training[-1])}.",
    ]
    if cal.held_out:
        lines.append(
            f"# Held out for the back-test: {len(cal.held_out)} days, "
            f"{day_text(cal.held_out[0])} to {day_text(cal.held_out[-1])}."
        )
    return [
        *lines,
        f"name = {_q(cal.name)}",
        f"seed = {cal.seed}",
        f"open = {_q(clock(cal.opening.open_minute))}  # {cal.opening.source}",
        f"close = {_q(clock(cal.opening.close_minute))}",
        "",
        "[run]",
        "replications = 30",
        "",
    ]


def _service_comment(fit: ServiceFit) -> str:
    aics = ", ".join(f"{c.family} {c.aic:.1f}" for c in fit.candidates)
    if fit.ks_statistic is None:
        return f"# {fit.n} service times (started → finished), {fit.reason}: empirical"
    verdict = f"chosen: {fit.family} ({fit.reason})"
    return (
        f"# {fit.n} service times (started → finished), mean {fit.sample_mean:.2f} min, "
        f"cv {fit.sample_cv:.2f}; AIC {aics}; KS distance of the best family "
        f"{fit.ks_statistic:.4f} (p = {fit.ks_p:.3g}); {verdict}"
    )


def _service_value(matter: MatterFit) -> str:
    fit = matter.service
    if fit is None:
        return f'{{ dist = "exponential", mean = {_f(matter.fallback_mean)} }}'
    mapping = fit.chosen.to_mapping()
    if mapping["dist"] == "empirical":
        values = ", ".join(f"{v:g}" for v in mapping["values"])
        return f'{{ dist = "empirical", values = [{values}] }}'
    parts = ", ".join(f"{k} = {_f(v)}" for k, v in mapping.items() if k != "dist")
    return f'{{ dist = "{mapping["dist"]}", {parts} }}'


def _matters(cal: Calibration) -> list[str]:
    walk, green, booked = cal.mix.walkins, cal.mix.green, cal.mix.bookings
    walk_shares, booked_shares = _shares(walk), _shares(booked)
    lines: list[str] = [
        "# Matters: shares are of the walk-ins and of the bookings of the fitted days."
    ]
    for i, matter in enumerate(cal.matters):
        mine = i < len(walk)
        w, g, b = (walk[i], green[i], booked[i]) if mine else (0, 0, 0)
        lines += ["[[matters]]", f"code = {_q(matter.code)}", f"name = {_q(matter.name)}"]
        lines.append(f"class = {_q(matter.matter_class.value)}")
        if matter.service is None:
            lines.append(f"# no service observed: exponential with {matter.fallback}")
        else:
            lines.append(_service_comment(matter.service))
        lines.append(f"service = {_service_value(matter)}")
        walk_share = _f(walk_shares[i] if mine else 0.0, SHARE_DIGITS)
        booked_share = _f(booked_shares[i] if mine else 0.0, SHARE_DIGITS)
        lines.append(f"walkin_share = {walk_share}  # {w} of {sum(walk)} walk-ins")
        lines.append(f"appointment_share = {booked_share}  # {b} of {sum(booked)} bookings")
        share = g / w if w else 0.0
        lines.append(
            f"green_share = {_f(share, SHARE_DIGITS)}  # {g} of its {w} walk-ins were green"
        )
        lines.append("")
    return lines


def _covered(cal: Calibration, windows: list[WindowFit]) -> list[WindowFit]:
    """Every matter that arrives gets a window: the one that served it most otherwise."""
    if not windows:
        raise CalibrationError(
            "No window was open on at least half of the fitted days: the roster cannot be "
            "calibrated (check the day type, or export window sessions with --hall)."
        )
    needed = [
        code
        for i, code in enumerate(m.code for m in cal.matters[: len(cal.mix.walkins)])
        if cal.mix.walkins[i] or cal.mix.bookings[i]
    ]
    return cover(windows, needed)


def _windows(cal: Calibration) -> list[str]:
    per_hour = windows_per_hour(cal.roster, cal.opening)
    open_text = ", ".join(
        f"{clock(cal.opening.open_minute + 60 * h)} {n:.1f}" for h, n in enumerate(per_hour)
    )
    lines = [
        f"# Windows: the roster that ran, from {cal.roster_source}; a window is open in a",
        "# quarter hour when it was open for half of it on at least half of the fitted days.",
        f"# Windows open per hour (this roster): {open_text}",
    ]
    for fit in _covered(cal, cal.roster):
        skills = ", ".join(_q(s) for s in sorted(fit.skills))
        shifts = ", ".join(
            f"[{_q(clock(a))}, {_q(clock(min(b, cal.opening.close_minute)))}]"
            for a, b in fit.shifts
        )
        lines += [
            "[[windows]]",
            f"name = {_q(fit.name)}  # served {fit.served} tickets on the fitted days",
            f"kind = {_q(fit.kind.value)}  # {fit.evidence}",
            f"skills = [{skills}]",
            f"shifts = [{shifts}]",
            "",
        ]
    return lines


def _hour_line(cal: Calibration, fit: HourFit) -> str:
    test = "no arrivals to test"
    if fit.ks_p is not None:
        verdict = "Poisson" if fit.ks_p >= SIGNIFICANCE else "NOT Poisson within the hour"
        test = f"KS D = {fit.ks_statistic:.4f}, p = {fit.ks_p:.3f}: {verdict}"
    spread = "" if fit.dispersion is None else f", dispersion {fit.dispersion:.2f}"
    return f"#   {clock(fit.start)}  {fit.mean_count:8.2f} a day{spread}; {test}"


def _walkins(cal: Calibration) -> list[str]:
    unit = {0.0: "none", 1.0: "to the minute", 1 / 60: "to the second"}.get(cal.rounding, "")
    lines = [
        "[walkins]",
        "# Walk-ins per hour from opening (mean a day); Kim & Whitt's conditional-uniform KS",
        f"# test of Poisson arrivals within each hour (timestamps rounded: {unit}, undone first):",
    ]
    lines += [_hour_line(cal, fit) for fit in cal.hours]
    rates = ", ".join(_f(fit.rate) for fit in cal.hours)
    return [*lines, f"per_hour = [{rates}]", ""]


def _appointments(cal: Calibration) -> list[str]:
    book = cal.book
    step = book.slot_minutes
    slots = ", ".join(
        f"{clock(cal.opening.open_minute + k * step)} {n:.2f}" for k, n in enumerate(book.per_slot)
    )
    quantiles = ", ".join(f"{q:.1f}" for q in book.early_quantiles) or "none"
    lines = [
        "[appointments]",
        f"# Bookings per slot (mean a day; slot length: {book.slot_source}):",
        f"#   {slots}",
        f"per_hour = [{', '.join(_f(v) for v in book.per_hour)}]",
        f"slot_minutes = {step}",
        f"no_show = {_f(min(book.no_show_rate, 0.99), SHARE_DIGITS)}  # {book.no_shows} of "
        f"{book.bookings} bookings never checked in (± {book.no_show_error:.4f})",
        f"# Check-in minutes before the slot, {book.early_count} check-ins from "
        f"{clock(cal.opening.open_minute + 30)}: 10/25/50/75/90 % = {quantiles}",
        f"punctuality = {{ early_mean = {_f(book.early_mean)}, "
        f"sd = {_f(max(book.early_sd, 0.0))} }}",
        "",
    ]
    return lines


def _policy(cal: Calibration) -> list[str]:
    lines = ["[targets]", "# The targets of SPEC.md (the simulator's defaults).", ""]
    lines.append("[policy]")
    if not cal.policy:
        lines.append("# The live hall's defaults (no hall configuration given).")
    for key, value in sorted(cal.policy.items()):
        lines.append(f"{key} = {_q(value) if isinstance(value, str) else value}")
    return lines


def scenario_text(cal: Calibration) -> str:
    """The scenario file of a calibration (comments included)."""
    lines = _header(cal) + _matters(cal) + _windows(cal) + _walkins(cal) + _appointments(cal)
    lines += _policy(cal)
    assert all(math.isfinite(fit.rate) for fit in cal.hours)
    return "\n".join(lines) + "\n"
