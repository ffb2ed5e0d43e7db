"""The bulletin state machine: the only table of legal transitions.

draft --submit--> submitted --approve--> approved
                  submitted --reject---> rejected
draft | submitted | rejected | approved --edit--> draft   (a new version unless draft)
any but withdrawn --withdraw--> withdrawn
draft | submitted | approved | rejected --expire--> expired   (after valid_until)
"""

from __future__ import annotations

from enum import StrEnum

from studio.errors import InvalidTransition
from studio.types import BulletinStatus as S


class Action(StrEnum):
    edit = "edit"
    submit = "submit"
    approve = "approve"
    reject = "reject"
    withdraw = "withdraw"
    expire = "expire"


TRANSITIONS: dict[tuple[S, Action], S] = {
    (S.draft, Action.edit): S.draft,
    (S.submitted, Action.edit): S.draft,
    (S.rejected, Action.edit): S.draft,
    (S.approved, Action.edit): S.draft,
    (S.draft, Action.submit): S.submitted,
    (S.submitted, Action.approve): S.approved,
    (S.submitted, Action.reject): S.rejected,
    **{(s, Action.withdraw): S.withdrawn for s in S if s is not S.withdrawn},
    **{(s, Action.expire): S.expired for s in (S.draft, S.submitted, S.approved, S.rejected)},
}

STATUS_VI = {
    S.draft: "bản nháp",
    S.submitted: "chờ duyệt",
    S.approved: "đã duyệt",
    S.rejected: "bị từ chối",
    S.withdrawn: "đã rút",
    S.expired: "đã hết hạn",
}
ACTION_VI = {
    Action.edit: "sửa",
    Action.submit: "gửi duyệt",
    Action.approve: "duyệt",
    Action.reject: "từ chối",
    Action.withdraw: "rút",
    Action.expire: "cho hết hạn",
}


def next_status(current: S, action: Action) -> S:
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidTransition(
            f"Không thể {ACTION_VI[action]} bản tin đang ở trạng thái «{STATUS_VI[current]}»"
        ) from None


def allowed_actions(current: S) -> list[Action]:
    return [action for (status, action) in TRANSITIONS if status is current]
