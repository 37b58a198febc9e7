"""Live classroom: a teacher leads, every student's device follows and answers.

No HTTP here: :mod:`app.api.routes.classroom` maps requests onto :class:`Classroom` and its errors onto
status codes. State and fan-out go through one interface, :class:`ClassroomStore`, with two backends:
in-process memory (one worker) and Redis (any number of workers and hosts).
"""

from app.classroom.service import Classroom, ClassroomError, ClassroomLimits, Joined, Started, open_store
from app.classroom.store import ClassroomStore, Event

__all__ = [
    "Classroom",
    "ClassroomError",
    "ClassroomLimits",
    "ClassroomStore",
    "Event",
    "Joined",
    "Started",
    "open_store",
]
