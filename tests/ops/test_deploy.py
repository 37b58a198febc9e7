"""The Dockerfile, docker-compose.yml and deploy/nginx.conf agree with each other and with the app.

No container engine runs in CI, so these files are checked as text: names, ports, paths and commands.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
APP_PORT = 8000
STREAM_PATH = "/api/v1/network/train/stream"


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines() if line.strip()]


def instructions(name: str) -> list[str]:
    return [args for instruction, args in dockerfile() if instruction == name]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def nginx() -> str:
    return re.sub(r"#.*", "", (ROOT / "deploy" / "nginx.conf").read_text())


@pytest.fixture(scope="module")
def answers() -> Callable[[str], bool]:
    """Whether the app answers GET path with 200."""
    client = TestClient(create_app(Settings()))
    return lambda path: client.get(path).status_code == 200


def exec_form(args: str) -> list[str]:
    import json

    return json.loads(args) if args.lstrip().startswith("[") else shlex.split(args)


def health_url(command: list[str]) -> str:
    (url,) = re.findall(r"https?://[^'\"\s)]+", " ".join(command))
    return url


def runs_the_app(command: list[str]) -> bool:
    return command[-2:] == ["-m", "app"] or "app.main:app" in command


# ------------------------------------------------------------------------------------------------ Dockerfile
def test_dockerfile_base_matches_the_supported_python() -> None:
    (base,) = instructions("FROM")
    assert base == "python:3.11-slim"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"


def test_dockerfile_runs_the_app_as_a_non_root_user() -> None:
    steps = dockerfile()
    users = [args.strip() for instruction, args in steps if instruction == "USER"]
    assert users, "the image must switch away from root"
    assert users[-1] not in {"root", "0", "0:0"}
    last_user = max(i for i, (instruction, _) in enumerate(steps) if instruction == "USER")
    (cmd_at,) = [i for i, (instruction, _) in enumerate(steps) if instruction == "CMD"]
    assert last_user < cmd_at
    assert any(users[-1] in args for args in instructions("RUN")), "the user is created in the image"


def test_dockerfile_installs_and_starts_the_app() -> None:
    assert any("pip install ." in args for args in instructions("RUN"))
    (cmd,) = instructions("CMD")
    assert runs_the_app(exec_form(cmd))


def test_dockerfile_copies_everything_the_app_reads() -> None:
    copied = {part.rstrip("/") for args in instructions("COPY") for part in shlex.split(args)[:-1]}
    assert {"pyproject.toml", "app", "templates", "static"} <= copied
    for source in copied:
        assert (ROOT / source).exists(), source
    ignored = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert not ignored & {"app", "templates", "static", "pyproject.toml", "README.md"}


def test_dockerfile_port_and_listen_address() -> None:
    assert instructions("EXPOSE") == [str(APP_PORT)]
    env = " ".join(instructions("ENV"))
    assert f"BACKPROP_PORT={APP_PORT}" in env
    assert "BACKPROP_HOST=0.0.0.0" in env


def test_dockerfile_healthcheck_hits_a_real_route(answers: Callable[[str], bool]) -> None:
    (check,) = instructions("HEALTHCHECK")
    command = exec_form(check.split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"]
    url = urlparse(health_url(command))
    assert url.port == APP_PORT
    assert url.path == "/healthz"
    assert answers(url.path)


# ------------------------------------------------------------------------------------------------ compose
def test_compose_services(compose: dict) -> None:
    assert set(compose["services"]) == {"app", "proxy", "redis"}


def test_compose_app_keeps_live_classes_in_the_redis_service(compose: dict) -> None:
    app, redis = compose["services"]["app"], compose["services"]["redis"]
    url = urlparse(app["environment"]["BACKPROP_REDIS_URL"])
    assert url.scheme == "redis" and url.hostname == "redis" and url.port == 6379
    assert str(url.port) in [str(port) for port in redis["expose"]]
    assert redis["image"].startswith("redis:") and "ports" not in redis, "Redis is reachable by the app only"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert redis["healthcheck"]["test"][:2] == ["CMD", "redis-cli"]


def test_compose_app_can_scale(compose: dict) -> None:
    app = compose["services"]["app"]
    assert app["build"] == "."
    assert "ports" not in app, "a fixed host port would stop `--scale app=N`"
    assert "container_name" not in app
    assert str(APP_PORT) in [str(port) for port in app.get("expose", [])]
    assert runs_the_app(exec_form(app["command"])) if "command" in app else True


def test_compose_app_environment_names_real_settings(compose: dict) -> None:
    environment = compose["services"]["app"]["environment"]
    assert str(environment["BACKPROP_WORKERS"]) == "2"
    assert str(environment["BACKPROP_PORT"]) == str(APP_PORT)
    for name, value in environment.items():
        assert name.startswith("BACKPROP_")
        Settings.model_validate({name.removeprefix("BACKPROP_").lower(): value})
        assert name.removeprefix("BACKPROP_").lower() in Settings.model_fields


def test_compose_healthchecks_hit_real_routes(compose: dict, answers: Callable[[str], bool]) -> None:
    app_check = compose["services"]["app"]["healthcheck"]["test"]
    assert app_check[0] == "CMD"
    url = urlparse(health_url(app_check))
    assert (url.port, url.path) == (APP_PORT, "/healthz")
    proxy_url = urlparse(health_url(compose["services"]["proxy"]["healthcheck"]["test"]))
    assert answers(proxy_url.path)


def test_compose_proxy(compose: dict) -> None:
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("nginx:") and proxy["image"].endswith("alpine")
    assert proxy["ports"] == ["8000:80"]
    (mount,) = proxy["volumes"]
    source, target, *_ = mount.split(":")
    assert (ROOT / source).resolve() == ROOT / "deploy" / "nginx.conf"
    assert target == "/etc/nginx/nginx.conf"
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"


def test_compose_every_service_has_a_memory_limit(compose: dict) -> None:
    for name, service in compose["services"].items():
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        limit = service.get("mem_limit") or limits.get("memory")
        assert limit, f"service {name} has no memory limit"
        assert re.fullmatch(r"\d+[kmg]", str(limit).lower()), f"service {name}: {limit}"


# ------------------------------------------------------------------------------------------------ nginx
def test_nginx_listens_where_compose_publishes(nginx: str, compose: dict) -> None:
    container_port = compose["services"]["proxy"]["ports"][0].split(":")[1]
    assert re.search(rf"^\s*listen\s+{container_port};", nginx, re.M)


def test_nginx_proxies_to_the_app_service_through_docker_dns(nginx: str, compose: dict) -> None:
    (upstream,) = re.findall(r"set\s+\$app_upstream\s+([^;]+);", nginx)
    host, port = upstream.split(":")
    assert host in compose["services"]
    assert int(port) == APP_PORT
    assert re.search(r"^\s*resolver\s+127\.0\.0\.11\b", nginx, re.M), "re-resolve `app` to find scaled replicas"
    passes = re.findall(r"proxy_pass\s+([^;]+);", nginx)
    assert passes
    assert all(target == "http://$app_upstream" for target in passes)


def test_nginx_passes_the_request_id(nginx: str) -> None:
    assert re.search(r"proxy_set_header\s+X-Request-ID\s+\$\w+;", nginx)


def test_nginx_streams_training_events_unbuffered(nginx: str) -> None:
    assert STREAM_PATH in create_app(Settings()).openapi()["paths"], "the unbuffered location names a real route"
    block = re.search(rf"location\s+{re.escape(STREAM_PATH)}\s*\{{(.*?)\}}", nginx, re.S)
    assert block, f"no location for {STREAM_PATH}"
    assert re.search(r"proxy_buffering\s+off;", block.group(1))


def test_nginx_passes_the_classroom_channel_unbuffered(nginx: str) -> None:
    path = "/api/v1/classroom/{code}/events"
    assert path in create_app(Settings()).openapi()["paths"], "the unbuffered location names a real route"
    (pattern, block) = re.search(r"location\s+~\s+(\S+)\s*\{(.*?)\}", nginx, re.S).groups()
    assert re.fullmatch(pattern.strip("^$"), path.replace("{code}", "ACDE34"))
    assert not re.fullmatch(pattern.strip("^$"), "/api/v1/classroom/ACDE34/answer")
    assert re.search(r"proxy_buffering\s+off;", block) and re.search(r"gzip\s+off;", block)
    timeout = re.search(r"proxy_read_timeout\s+(\d+)([smh]);", block).groups()
    assert int(timeout[0]) * {"s": 1, "m": 60, "h": 3600}[timeout[1]] > 15, "longer than the app's keep-alive"


def test_nginx_body_cap_leaves_the_app_to_answer(nginx: str) -> None:
    (size,) = re.findall(r"client_max_body_size\s+(\d+)([km]?);", nginx)
    limit = int(size[0]) * {"": 1, "k": 1024, "m": 1024 * 1024}[size[1]]
    assert limit >= Settings().max_body_bytes
