"""/docs is served from this server alone: no CDN, no inline script, so the CSP holds."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_page_loads_only_local_scripts_and_styles(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    html = response.text
    assert "http://" not in html
    assert "https://" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, "the page starts Swagger UI with scripts"
    for attributes, body in scripts:
        if 'type="application/json"' in attributes:
            continue  # the page's translations: a data block, never executed
        assert 'src="/' in attributes
        assert body.strip() == "", "inline script would be refused by the CSP"
    assert "<style" not in html
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handlers would be refused by the CSP"


def test_every_referenced_asset_is_served(client: TestClient) -> None:
    html = client.get("/docs").text
    for url in re.findall(r'(?:src|href)="(/[^"]+)"', html):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content


def test_init_script_points_at_the_local_spec(client: TestClient) -> None:
    response = client.get("/docs/init.js")
    assert response.headers["content-type"].startswith("text/javascript")
    assert '"/openapi.json"' in response.text
    assert "validatorUrl: null" in response.text  # no calls to an online validator


def test_the_cdn_pages_are_gone(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404
