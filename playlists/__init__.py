"""Pure programme assembly from value objects, and its exports (JSON manifest, M3U8, XSPF).

Fed by `studio` with plain values; imports nothing from the project but its own modules.
"""

from playlists.builder import BuildInputs, build_day, rebuild
from playlists.codec import programme_from_dict, programme_to_dict, programme_to_json
from playlists.fill import CATEGORY_VI
from playlists.model import (
    AiringMode,
    AiringRule,
    Candidate,
    ItemKind,
    Priority,
    Programme,
    ProgrammeItem,
    Session,
    Skipped,
    StationClip,
    StationPlan,
)
from playlists.versioning import Change, ChangeKind, diff, programme_digest, render_diff_text
from playlists.windows import (
    BroadcastWindow,
    QuietHours,
    RefusedSession,
    SessionPlan,
    WindowException,
    plan_sessions,
    sessions_for,
)

__all__ = [
    "CATEGORY_VI",
    "AiringMode",
    "AiringRule",
    "BroadcastWindow",
    "BuildInputs",
    "Candidate",
    "Change",
    "ChangeKind",
    "ItemKind",
    "Priority",
    "Programme",
    "ProgrammeItem",
    "QuietHours",
    "RefusedSession",
    "Session",
    "SessionPlan",
    "Skipped",
    "StationClip",
    "StationPlan",
    "WindowException",
    "build_day",
    "diff",
    "plan_sessions",
    "programme_digest",
    "programme_from_dict",
    "programme_to_dict",
    "programme_to_json",
    "rebuild",
    "render_diff_text",
    "sessions_for",
]
