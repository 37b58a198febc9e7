"""Wire format of the preset catalogue."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas.common import ResponseModel


class Preset(ResponseModel):
    id: str = Field(description="Stable id, e.g. 'classroom'.")
    kind: str = Field(description="network, training, expression, limit, partial or descent")
    title_key: str = Field(description="Translation key of the title, 'preset.<id>.title'.")
    title: str = Field(description="English title.")
    method: str
    endpoint: str = Field(description="Where to send `request`, e.g. /api/v1/network/trace.")
    request: dict[str, Any] = Field(description="The full request body.")


class PresetList(ResponseModel):
    presets: list[Preset]
