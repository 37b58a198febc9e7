"""Configuration from environment variables (prefix ``BACKPROP_``), read once per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every cap and knob of a deployment. Each can be set as ``BACKPROP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="BACKPROP_", extra="ignore")

    host: str = "127.0.0.1"  # 0.0.0.0 in a container
    port: int = 8000
    workers: int = 1  # server processes (python -m app); each serves any request
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-For is trusted; "*" behind the compose proxy
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    cors_origins: list[str] = []  # JSON list, e.g. ["https://example.org"]; none: no CORS headers
    rate_limit_per_minute: int = 600  # heavy API requests (POST /api/...) per client address and process; 0: off
    body_timeout: float = 30.0  # seconds a request body may take to arrive in full; then 408
    limit_concurrency: int = 400  # connections one server process (python -m app) holds; more get 503
    timeout_keep_alive: int = 5  # seconds python -m app keeps an idle connection open
    max_header_bytes: int = 16_384  # bytes of the request line and headers python -m app reads; more get 400

    max_layers: int = 10  # including the input and output layers
    max_neurons: int = 64  # per layer
    max_batch: int = 256  # samples in one traced pass
    max_dataset: int = 2000  # points in a training set
    max_train_steps: int = 20000
    max_train_work: int = 500_000_000  # steps × samples per step × parameters: about 2 s of one core
    max_expression_length: int = 500
    max_expression_depth: int = 40
    max_variables: int = 16
    max_body_bytes: int = 1_000_000
    max_trace_steps: int = 5000  # narration steps in one trace response
    max_trace_weights: int = 10_000  # weights of a traced network: each is written into several formulas
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

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


@lru_cache
def get_settings() -> Settings:
    return Settings()
