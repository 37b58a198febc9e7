"""``python -m app``: serve the app with uvicorn as the settings say (host, port, workers, log level, limits).

The limits bound what one client can hold: connections beyond ``limit_concurrency`` get 503 at once, an
idle keep-alive connection is closed after ``timeout_keep_alive`` seconds, and the request line and headers
may take at most ``max_header_bytes`` and ``header_timeout`` seconds (``app/http_protocol.py``). A body that
stalls is answered 408 by the app itself (``BodyTimeoutMiddleware``).

The event loop is asyncio's, not uvloop: libuv accepts one new connection per turn of its loop, so while a
worker is busy, connections that arrive together are let in one at a time between whole rounds of the
others' requests. Measured with 32 connections opening at once on a busy worker: 265–430 ms until each had
its first answer with uvloop, 18–37 ms with asyncio, at the same requests per second
(``benchmarks/throughput.py``).
"""

from __future__ import annotations

import uvicorn

from app.http_protocol import CappedHttpToolsProtocol
from app.settings import get_settings


def main() -> None:
    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=False,  # the app writes its own JSON access log ("backprop.access")
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        http=CappedHttpToolsProtocol,
        loop="asyncio",
        limit_concurrency=settings.limit_concurrency,
        timeout_keep_alive=settings.timeout_keep_alive,
    )


if __name__ == "__main__":
    main()
