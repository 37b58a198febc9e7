"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.settings import Settings


async def settings_of(request: Request) -> Settings:
    # async: FastAPI runs a plain ``def`` dependency in the threadpool, a hop that costs more than the lookup
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(settings_of)]
