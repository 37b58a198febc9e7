"""Configuration from environment variables (prefix ``BACKPROP_``), read once per process."""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

ORIGIN = re.compile(r"\*|[a-z][a-z0-9+.-]*://[^/\s,]+", re.IGNORECASE)  # scheme://host[:port], no path
SHOWN_VALUE = 80  # characters of a refused value quoted in the message


class Settings(BaseSettings):
    """Every cap and knob of a deployment. Each can be set as ``BACKPROP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="BACKPROP_", extra="ignore")

    host: str = "127.0.0.1"  # 0.0.0.0 in a container
    port: int = 8000
    workers: int = 1  # server processes (python -m app); each serves any request
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-For is trusted; "*" behind the compose proxy
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    # a JSON list, e.g. ["https://example.org"], or origins separated by commas; none: no CORS headers
    cors_origins: Annotated[list[str], NoDecode] = []
    # origins whose pages may show the embeds (/embed/...) in a frame, e.g. a course site or an LMS; none: no one
    frame_ancestors: Annotated[list[str], NoDecode] = []
    rate_limit_per_minute: int = 600  # heavy API requests (POST /api/...) per client address and process; 0: off
    body_timeout: float = 30.0  # seconds a request body may take to arrive in full; then 408
    limit_concurrency: int = 400  # connections one server process (python -m app) holds; more get 503
    timeout_keep_alive: int = 5  # seconds python -m app keeps an idle connection open
    max_header_bytes: int = 16_384  # bytes of the request line and headers python -m app reads; more get 431
    header_timeout: float = 10.0  # seconds python -m app gives a request's line and headers; then 408 (0: no limit)

    max_layers: int = 10  # including the input and output layers
    max_neurons: int = 64  # per layer
    max_batch: int = 256  # samples in one traced pass
    max_dataset: int = 2000  # points in a training set
    max_train_steps: int = 20000
    max_train_work: int = 500_000_000  # steps × samples per step × parameters: about 2 s of one core
    max_expression_length: int = 500
    max_expression_depth: int = 40
    max_variables: int = 16
    max_features: int = 16  # input features of a network (features of POST /network/trace and /train)
    max_body_bytes: int = 1_000_000
    max_trace_steps: int = 5000  # narration steps in one trace response
    max_trace_weights: int = 10_000  # weights of a traced network: each is written into several formulas
    max_graph_nodes: int = 400  # scalar nodes of a pass's whole graph (include_graph): more are not readable
    max_grid: int = 64  # decision-boundary grid resolution per axis
    max_neuron_grid_cells: int = 200_000  # hidden neurons × grid cells of the per-neuron heat maps
    max_train_records: int = 2000  # points of the loss history in one training run
    max_train_snapshots: int = 50  # parameter snapshots kept in one training run
    max_train_snapshot_values: int = 500_000  # numbers in all the parameter snapshots of one run
    max_gradcheck_parameters: int = 2000  # each costs two forward passes of central differences
    max_curve_samples: int = 1001  # sample points of a plotted curve
    max_descent_steps: int = 1000
    max_limit_deltas: int = 24  # rows of the Δx table
    response_cache_bytes: int = 32_000_000  # answers of deterministic endpoints kept by request body; 0: off
    max_response_bytes: int = 32_000_000  # estimated bytes of one response (a trace, a training report)
    max_stream_bytes: int = 256_000_000  # estimated bytes of one training stream, all its events together
    heavy_slots: int = 2  # heavy requests (traces, training, gradient checks) computed at once per process
    heavy_queue: int = 4  # heavy requests waiting for a slot; one more is answered 503 at once
    heavy_queue_seconds: float = 10.0  # longest wait for a slot before a 503

    # Live classes (app/classroom): Redis shares them between workers and hosts; without it, one worker only.
    redis_url: str = ""  # e.g. redis://localhost:6379/0; empty: classes live in this process's memory
    classroom_max_students: int = 400
    classroom_max_questions: int = 50  # questions one class may ask
    classroom_max_answers: int = 3  # answers one student may give to one question; the last counts
    classroom_max_name_length: int = 24  # characters of a student's display name
    classroom_idle_seconds: float = 7200.0  # a class nobody acts in for this long is gone
    classroom_join_per_minute: int = 20  # wrong join codes per client address, so codes cannot be enumerated
    classroom_max_state_bytes: int = 256_000  # the teacher's page state sent to every student (weights included)

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("cors_origins", "frame_ancestors", mode="before")
    @classmethod
    def _origin_list(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if value.strip().startswith("["):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError('not a JSON list; write ["https://a.example"] or https://a.example') from None
        return [origin.strip() for origin in value.split(",") if origin.strip()]

    @field_validator("cors_origins", "frame_ancestors")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if not ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin; write scheme://host[:port] without a path, or *")
        return origins

    @field_validator("*")
    @classmethod
    def _counts_and_seconds(cls, value: object) -> object:
        # every number here counts something or is a duration: a negative one (or NaN) is a typo
        if isinstance(value, int | float) and not isinstance(value, bool) and not (math.isfinite(value) and value >= 0):
            raise ValueError("must be a number ≥ 0")
        return value

    @field_validator("workers")
    @classmethod
    def _some_workers(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if value > 65535:
            raise ValueError("must be a port number from 0 to 65535")
        return value


class InvalidSettings(SystemExit):
    """A BACKPROP_* variable the app cannot use: ends the process with one line saying which and why."""


def _invalid_line(error: ValidationError) -> str:
    problems = []
    for problem in error.errors():
        name = "BACKPROP_" + "_".join(str(part) for part in problem["loc"][:1]).upper()
        shown = repr(problem.get("input"))[:SHOWN_VALUE]
        problems.append(f"{name}={shown}: {problem['msg']}")
    return " ".join(("invalid configuration: " + "; ".join(problems)).split())


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise InvalidSettings(_invalid_line(error)) from None
    except SettingsError as error:  # a list setting that is not JSON (pydantic-settings reads lists as JSON)
        field = re.search(r'field "(\w+)"', str(error))
        name = f"BACKPROP_{field.group(1).upper()}" if field else "a BACKPROP_* variable"
        raise InvalidSettings(f"invalid configuration: {name} is not valid JSON") from None
