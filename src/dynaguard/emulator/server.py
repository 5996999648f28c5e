"""The embedded AWS emulator: moto's server, patched, in this process, on 127.0.0.1.

    with start_emulator() as emulator:
        dynamodb = boto3.client("dynamodb", **emulator.client_kwargs("us-east-1"))

Nothing here touches ``os.environ``: the caller decides whether to export
:meth:`Emulator.env` (for code that reads ``AWS_ENDPOINT_URL``) or to pass
:meth:`Emulator.client_kwargs` to boto3. moto keeps its state in the process, so it survives
stop/start; :meth:`Emulator.reset` clears it (``POST /moto-api/reset``).
"""

from __future__ import annotations

import urllib.request
from types import TracebackType
from typing import Any

from dynaguard.emulator.patches import apply_patches

FAKE_CREDENTIAL = "testing"  # moto accepts any credentials; the default account is 123456789012
DEFAULT_REGION = "us-east-1"


def client_kwargs(endpoint_url: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """Keyword arguments for ``boto3.client(service, **kwargs)`` against the emulator."""
    return {
        "endpoint_url": endpoint_url,
        "region_name": region,
        "aws_access_key_id": FAKE_CREDENTIAL,
        "aws_secret_access_key": FAKE_CREDENTIAL,
        "aws_session_token": FAKE_CREDENTIAL,
    }


def client_env(endpoint_url: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """Environment variables that point boto3 (and the AWS CLI) at the emulator."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIAL,
        "AWS_SESSION_TOKEN": FAKE_CREDENTIAL,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


def _quiet_server(ip_address: str, port: int) -> Any:
    """A ThreadedMotoServer whose request handler does not log every request to stderr."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    class QuietMotoServer(ThreadedMotoServer):
        # Same as ThreadedMotoServer._server_entry, with the quiet handler.
        def _server_entry(self) -> None:
            app = DomainDispatcherApplication(create_backend_app)
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=QuietHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return QuietMotoServer(ip_address=ip_address, port=port, verbose=False)


class Emulator:
    """A running emulator. Use as a context manager, or call :meth:`stop`."""

    def __init__(self, server: Any) -> None:
        self._server = server
        host, port = server.get_host_and_port()
        self.host: str = host
        self.port: int = port
        self.endpoint_url: str = f"http://{host}:{port}"
        self._running = True

    def client_kwargs(self, region: str = DEFAULT_REGION) -> dict[str, str]:
        return client_kwargs(self.endpoint_url, region)

    def env(self, region: str = DEFAULT_REGION) -> dict[str, str]:
        return client_env(self.endpoint_url, region)

    def reset(self) -> None:
        """Forget every resource in every account and region (moto's state is global)."""
        request = urllib.request.Request(  # noqa: S310 - always our own http://127.0.0.1 URL
            f"{self.endpoint_url}/moto-api/reset", data=b"", method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()

    @property
    def running(self) -> bool:
        return self._running

    def stop(self) -> None:
        if self._running:
            self._server.stop()
            self._running = False

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_emulator(ip_address: str = "127.0.0.1", port: int = 0) -> Emulator:
    """Apply the patches and start moto's server in a daemon thread on a free port."""
    apply_patches()
    server = _quiet_server(ip_address, port)
    server.start()
    return Emulator(server)
