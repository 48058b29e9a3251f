"""Window sessions from window events: the derivation the planner's calibration reuses."""

from __future__ import annotations

from hall.analytics.sessions import StaffAt, WindowEvent, WindowSession, window_sessions

IN, OUT, PAUSE, RESUME = "window_signed_in", "window_signed_out", "window_pause", "window_resume"


def test_a_day_at_one_window_with_a_pause() -> None:
    events = [
        WindowEvent(100, 3, IN, "C1"),
        WindowEvent(200, 3, PAUSE),
        WindowEvent(260, 3, RESUME),
        WindowEvent(500, 3, OUT),
    ]
    (session,) = window_sessions(reversed(events), until=1000)  # any order
    assert session == WindowSession(3, "C1", 100, 500, ((200, 260),))
    assert session.signed_in_seconds == 400
    assert session.paused_seconds == 60
    assert session.open_intervals() == [(100, 200), (260, 500)]


def test_open_sessions_end_at_until_or_at_the_end_of_their_day() -> None:
    events = [
        WindowEvent(100, 1, IN, "C1"),
        WindowEvent(150, 1, PAUSE),
        WindowEvent(120, 2, IN, "C2"),
    ]
    found = window_sessions(events, until=400, day_end=lambda start: 300 if start < 110 else 900)
    assert found == [
        WindowSession(1, "C1", 100, 300, ((150, 300),)),  # never signed out: ends with its day
        WindowSession(2, "C2", 120, 400),  # still open now
    ]
    assert found[0].open_intervals() == [(100, 150)]


def test_a_second_sign_in_closes_the_first_and_strays_are_ignored() -> None:
    events = [
        WindowEvent(50, 4, OUT),  # before any sign-in
        WindowEvent(60, 4, RESUME),
        WindowEvent(100, 4, IN, "C1"),
        WindowEvent(130, 4, RESUME),  # not paused
        WindowEvent(200, 4, IN, "C2"),  # C1's sign-out was lost
        WindowEvent(210, 4, PAUSE),
        WindowEvent(220, 4, PAUSE),  # already paused
        WindowEvent(300, 4, OUT),
    ]
    assert window_sessions(events, until=1000) == [
        WindowSession(4, "C1", 100, 200),
        WindowSession(4, "C2", 200, 300, ((210, 300),)),
    ]


def test_staff_at_a_window_at_a_moment() -> None:
    sessions = [WindowSession(1, "C1", 100, 200), WindowSession(1, "C2", 300, 400)]
    who = StaffAt(sessions)
    assert [who(1, t) for t in (99, 100, 150, 200, 250, 300, 400, 401)] == [
        None, "C1", "C1", "C1", None, "C2", "C2", None,
    ]  # fmt: skip
    assert who(2, 150) is None
    assert who(None, 150) is None
    assert who(1, None) is None


def test_with_day_ends_a_session_never_runs_into_the_next_day() -> None:
    def midnight(start: float) -> float:
        return 1000 if start < 1000 else 2000

    events = [
        WindowEvent(100, 5, IN, "C1"),  # never signed out on its day
        WindowEvent(900, 5, PAUSE),
        WindowEvent(1200, 5, OUT),  # the next day, without a sign-in: a stray
        WindowEvent(1300, 6, IN, "C2"),
        WindowEvent(1100, 6, IN, "C3"),  # the sign-in of 1300 closes this one
    ]
    both = window_sessions(events, until=5000, day_end=midnight)
    assert both == [
        WindowSession(5, "C1", 100, 1000, ((900, 1000),)),
        WindowSession(6, "C3", 1100, 1300),
        WindowSession(6, "C2", 1300, 2000),
    ]
    first = window_sessions([e for e in events if e.at < 1000], 5000, day_end=midnight)
    second = window_sessions([e for e in events if e.at >= 1000], 5000, day_end=midnight)
    assert first + second == both  # the days' sessions apart are the range's
