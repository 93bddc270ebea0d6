"""Worker processes for ``shopsense serve --workers N``, one listening socket each.

uvicorn's own ``--workers`` shares one listening socket among the processes, and an
asyncio worker accepts every pending connection in a loop once it wakes: keep-alive
clients that connect together (a load balancer's pool, a benchmark's 32 connections)
all land on one worker while the others idle — measured 31 of 32 connections on one
of two workers (benchmarks/RESULTS.md, issue 7, fourth session). Here every worker
listens on its own ``SO_REUSEPORT`` socket bound to the same address, so the kernel
spreads new connections over the workers by a hash of the client's address and port.
uvicorn still supervises the processes (health checks, restarts, signals). Where the
system has no ``SO_REUSEPORT`` the workers share one socket, as uvicorn's do.
"""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Any

from uvicorn import Config
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from shopsense.core.errors import InputError


def port_taken(host: str, port: int) -> bool:
    """Whether something already accepts connections on host:port."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other workers' sockets may share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


#: How long a stopping server waits for its workers' open requests before killing them.
STOP_GRACE_S = 20.0


class Supervisor(Multiprocess):
    """uvicorn's supervisor, answering a stop request promptly."""

    def keep_subprocess_alive(self) -> None:
        """Replace workers that exited. uvicorn's own check also pings every live worker
        and blocks until it answers (up to ``timeout_worker_healthcheck``); a worker busy
        opening its indexes answers late, and a supervisor blocked in that wait does not
        act on SIGTERM (seen: a ``serve --workers 2`` that outlived its test by minutes).
        Here a worker is alive while its process is, and signals are handled every 0.5 s.
        """
        if self.should_exit.is_set():
            return
        for idx, process in enumerate(self.processes):
            if process.process.is_alive():
                continue
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # the same failure on every restart
                self.should_exit.set()
                return
            replacement = Process(self.config, self.sockets)
            replacement.start()
            self.processes[idx] = replacement

    def join_all(self) -> None:
        """Wait for the workers to finish their requests, at most ``STOP_GRACE_S`` in all;
        then stop the ones left (a stop request must stop the server)."""
        deadline = time.monotonic() + STOP_GRACE_S
        for process in self.processes:
            process.process.join(max(0.0, deadline - time.monotonic()))
            if process.process.is_alive():
                process.kill()
                process.process.join()


class SpreadWorkers(Supervisor):
    """uvicorn's supervisor, handing each new worker a socket of its own."""

    def __init__(self, config: Config) -> None:
        if port_taken(config.host, config.port):
            raise InputError(
                f"{config.host}:{config.port} is already in use; choose another --port"
            )
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        """Read by uvicorn each time it starts a worker: a fresh socket for that worker."""
        return [reuse_port_socket(self.config.host, self.config.port)]

    @sockets.setter
    def sockets(self, value: Any) -> None:
        """uvicorn's ``__init__`` stores the shared sockets; there are none here."""


def run_workers(app: str, host: str, port: int, workers: int, **options: Any) -> None:
    """Serve the app factory ``app`` with ``workers`` processes until interrupted."""
    config = Config(app, host=host, port=port, workers=workers, factory=True, **options)
    with contextlib.suppress(KeyboardInterrupt):
        if hasattr(socket, "SO_REUSEPORT"):
            SpreadWorkers(config).run()
        else:  # pragma: no cover - no SO_REUSEPORT (Windows): uvicorn's shared socket
            Supervisor(config, sockets=[config.bind_socket()]).run()
