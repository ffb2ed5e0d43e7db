from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import AdminUser, CurrentUser, PageDep, SessionDep, actor_for
from studio import areas
from studio.models import AreaCreate, AreaPublic, AreaUpdate, Page

router = APIRouter(prefix="/areas", tags=["areas"])


@router.get("", response_model=Page[AreaPublic])
def list_areas(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[AreaPublic]:
    rows, total = areas.list_areas(session, page.offset, page.limit)
    return Page[AreaPublic](
        items=[areas.to_public(session, a) for a in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.post("", response_model=AreaPublic, status_code=status.HTTP_201_CREATED)
def create_area(data: AreaCreate, admin: AdminUser, session: SessionDep) -> AreaPublic:
    area = areas.create_area(session, actor_for(admin), data)
    session.commit()
    return areas.to_public(session, area)


@router.get("/{code}", response_model=AreaPublic)
def get_area(code: str, user: CurrentUser, session: SessionDep) -> AreaPublic:
    return areas.to_public(session, areas.get_area(session, code))


@router.patch("/{code}", response_model=AreaPublic)
def update_area(code: str, data: AreaUpdate, admin: AdminUser, session: SessionDep) -> AreaPublic:
    area = areas.update_area(session, actor_for(admin), code, data)
    session.commit()
    return areas.to_public(session, area)


@router.delete("/{code}", status_code=status.HTTP_204_NO_CONTENT)
def delete_area(code: str, admin: AdminUser, session: SessionDep) -> Response:
    areas.delete_area(session, actor_for(admin), code)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
