"""Demo data for ``make run``: a province, three communes (one with Khmer), stations, an admin,
and the two people of the review desk: a ward editor and a provincial approver."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from sqlmodel import Session, select

from studio import areas, bulletins, stations, users, windows
from studio.audit import Actor
from studio.models import (
    AreaCreate,
    AreaUpdate,
    Bulletin,
    BulletinCreate,
    StationCreate,
    User,
    UserCreate,
)
from studio.schedule_models import WindowCreate
from studio.security import generate_password
from studio.types import AreaLevel, Category, Language, Role, StationKind, utcnow

# The province's usual sessions (Circular 39: morning and late afternoon); the urban ward caps
# its sessions at 15 minutes.
DEMO_WINDOWS = [("Sáng", time(5, 30), 30), ("Chiều", time(17, 0), 30)]
URBAN_CAP_MINUTES = ("91-LX", 15)

# Codes are data, not constants the code depends on: An Giang after the 2025 merger
# (with Kien Giang) keeps code 91. Commune codes here are demo values.
DEMO_PROVINCE = ("91", "Tỉnh An Giang")
DEMO_COMMUNES = [
    ("91-LX", "Phường Long Xuyên", [Language.vi]),
    ("91-TT", "Xã Tri Tôn", [Language.vi, Language.km]),
    ("91-MHH", "Xã Mỹ Hòa Hưng", [Language.vi]),
]
DEMO_BULLETIN = (
    "Thông báo lịch tiêm chủng mở rộng",
    "UBND xã thông báo: ngày 05/12/2026, từ 7h30 đến 11h00, Trạm Y tế xã tổ chức tiêm chủng "
    "mở rộng cho trẻ em dưới 5 tuổi. Đề nghị phụ huynh mang theo sổ tiêm chủng và thẻ BHYT.",
)


# The review desk's demo people (username, full name, role, area, what the operator is told).
DEMO_PEOPLE = [
    ("bientap.lx", "Cán bộ văn hóa - thông tin phường", Role.editor, "91-LX", "biên tập viên"),
    ("lanhdao.tinh", "Lãnh đạo Sở VHTT tỉnh", Role.approver, "91", "người duyệt"),
]


@dataclass(frozen=True)
class DemoAccount:
    label: str  # in Vietnamese, for the operator
    username: str
    password: str


@dataclass(frozen=True)
class SeedResult:
    admin_username: str
    admin_password: str | None  # None when the admin already existed (never re-printed)
    created: bool
    accounts: tuple[DemoAccount, ...] = ()  # made with the admin, printed once like it


def seed_demo(session: Session, admin_username: str = "admin") -> SeedResult:
    existing = session.exec(select(User).where(User.username == admin_username)).first()
    if existing is not None:
        return SeedResult(admin_username, None, created=False)
    system = Actor.system("cli")
    password = generate_password()
    users.create_user(
        session,
        system,
        UserCreate(
            username=admin_username, full_name="Quản trị viên", password=password, role=Role.admin
        ),
    )
    province_code, province_name = DEMO_PROVINCE
    areas.create_area(
        session,
        system,
        AreaCreate(code=province_code, name=province_name, level=AreaLevel.province),
    )
    for code, name, languages in DEMO_COMMUNES:
        areas.create_area(
            session,
            system,
            AreaCreate(code=code, name=name, level=AreaLevel.commune, parent_code=province_code),
        )
        stations.create_station(
            session,
            system,
            StationCreate(
                code=f"{code.lower()}-loa1",
                name=f"Cụm loa 1 - {name}",
                area_code=code,
                kind=StationKind.loudspeaker_cluster,
                languages=languages,
            ),
        )
    province = windows.owner_of(session, "area", province_code)
    for name, start, minutes in DEMO_WINDOWS:
        windows.create_window(
            session,
            system,
            province,
            WindowCreate(name=name, start_time=start, length_minutes=minutes),
        )
    accounts = []
    people: dict[str, User] = {}
    for username, full_name, role, area, label in DEMO_PEOPLE:
        secret = generate_password()
        people[username] = users.create_user(
            session,
            system,
            UserCreate(
                username=username,
                full_name=full_name,
                password=secret,
                role=role,
                area_codes=[area],
            ),
        )
        accounts.append(DemoAccount(label, username, secret))
    ward, cap = URBAN_CAP_MINUTES
    areas.update_area(session, system, ward, AreaUpdate(session_cap_minutes=cap))
    stations.create_station(
        session,
        system,
        StationCreate(
            code="91-dai-tinh",
            name="Đài Phát thanh tỉnh An Giang",
            area_code=province_code,
            kind=StationKind.radio_station,
            languages=[Language.vi, Language.km],
        ),
    )
    if not session.exec(select(Bulletin)).first():
        title, body = DEMO_BULLETIN
        bulletins.create_bulletin(
            session,
            Actor(user=people["bientap.lx"], via="cli"),  # a draft for the desk's editor
            BulletinCreate(
                title=title,
                body=body,
                language=Language.vi,
                category=Category.health,
                target_area_codes=["91-LX"],
                valid_until=utcnow() + timedelta(days=30),
            ),
        )
    return SeedResult(admin_username, password, created=True, accounts=tuple(accounts))
