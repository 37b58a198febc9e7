"""``python -m app``: serve the app with uvicorn as the settings say (host, port, workers, log level, limits).

The limits bound what one client can hold: connections beyond ``limit_concurrency`` get 503 at once, an
idle keep-alive connection is closed after ``timeout_keep_alive`` seconds, and the request line and headers
may take at most ``max_header_bytes``. That cap is h11's (``h11_max_incomplete_event_size``); httptools
has none and reads headers of any size, so the server speaks h11. A body that stalls is answered 408 by
the app itself (``BodyTimeoutMiddleware``). uvicorn has no timeout for headers that arrive slowly: in
production that is the job of the proxy in front (deploy/nginx.conf, ``client_header_timeout``).
"""

from __future__ import annotations

import uvicorn

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
        http="h11",
        h11_max_incomplete_event_size=settings.max_header_bytes,
        limit_concurrency=settings.limit_concurrency,
        timeout_keep_alive=settings.timeout_keep_alive,
    )


if __name__ == "__main__":
    main()
