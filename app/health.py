"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import math
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.engine import Tensor, functions
from app.pages import ROOT

router = APIRouter(tags=["ops"])


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, Literal["ok", "failed"]] = Field(description="Each check by name: engine, templates.")


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def engine_works() -> bool:
    """A forward and backward pass through y = Σ tanh(w·x), checked against dy/dw = x·(1 − tanh²(w·x))."""
    x = Tensor([0.5, -1.0])
    w = Tensor([2.0, 0.25], requires_grad=True)
    try:
        functions.tanh(w * x).sum().backward()
    except Exception:  # a probe reports failure, it does not raise
        return False
    if w.grad is None:
        return False
    expected = [xi * (1 - math.tanh(wi * xi) ** 2) for wi, xi in ((2.0, 0.5), (0.25, -1.0))]
    return all(math.isclose(g, e, rel_tol=1e-9) for g, e in zip(w.grad.tolist(), expected, strict=True))


def templates_present() -> bool:
    return (ROOT / "templates" / "base.html").is_file() and (ROOT / "static").is_dir()


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A check failed: `checks` says which."}},
    summary="Readiness: the engine computes gradients and the pages can render",
)
def readyz() -> JSONResponse:
    checks = {"engine": engine_works(), "templates": templates_present()}
    ready = all(checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {k: "ok" if v else "failed" for k, v in checks.items()},
    }
    return JSONResponse(body, status_code=200 if ready else 503)
