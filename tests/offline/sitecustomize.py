"""Loaded into the CLI subprocess by the no-phone-home test: every non-local connection is recorded and refused."""

import os
import socket

_LOG = os.environ["HJ_NET_LOG"]
_LOCAL = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


def _record(what: str) -> None:
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(what + "\n")


def _connect(self: socket.socket, address: object) -> None:
    if self.family != socket.AF_UNIX:
        host = str(address[0]) if isinstance(address, tuple) else str(address)
        if not host.startswith(_LOCAL):
            _record(f"connect {address!r}")
            raise OSError("network disabled by hyperjourney's no-phone-home test")
    _real_connect(self, address)


def _getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if host is not None and not str(host).startswith(_LOCAL):
        _record(f"resolve {host!r}")
        raise socket.gaierror("network disabled by hyperjourney's no-phone-home test")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


socket.socket.connect = _connect  # type: ignore[method-assign]
socket.getaddrinfo = _getaddrinfo  # type: ignore[assignment]
