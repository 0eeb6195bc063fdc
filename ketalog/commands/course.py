"""`ketalog course`: the treatment courses the sessions make (a course starts at `add --new-course`)."""

import typer

from ketalog.commands.common import JsonOpt, command_group, emit, state

commands = command_group("Treatment courses: when each began, its sessions and routes.")


@commands.callback()
def course_group() -> None:
    """Treatment courses: when each began, its sessions and routes."""  # keeps `list` a subcommand


@commands.command("list")
def list_courses(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every course, oldest first: start, sessions, routes and last session.

    A course starts at your first session, or at a session logged with `ketalog add --new-course`
    (or marked later with `ketalog edit ID --new-course`).

    Examples:
      ketalog course list
      ketalog course list --json
    """
    from ketalog import store, timeparse
    from ketalog.render.text import count_of

    with state(ctx).open(write=False) as db:
        courses = store.courses(db)
    now = timeparse.now()
    data = [{**course.to_json(), "phase": course.phase(now)} for course in courses]
    if not courses:
        emit(data, as_json, "No sessions logged yet: a course starts with your first `ketalog add`.")
        return
    lines = []
    for course, row in zip(courses, data, strict=True):
        routes = ", ".join(f"{route} × {n}" for route, n in course.routes.items())
        sessions = count_of(course.session_count, "session")
        lines.append(
            f"Course {course.number}: started {course.started:%Y-%m-%d}, {sessions} ({routes}), "
            f"last {course.last:%Y-%m-%d}, {row['phase']}"
        )
    emit(data, as_json, "\n".join(lines))
