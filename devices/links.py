"""Byte links over pyserial (any path or URL) and sockets: clear input, write, read exactly n."""

from __future__ import annotations

import contextlib
import logging
import socket
import termios
import time

import serial

log = logging.getLogger(__name__)

#: pyserial read timeout; reads loop on it up to their own deadline.
TICK = 0.02

#: Exceptions meaning the port went away (unplugged, closed pty, reset connection).
PORT_ERRORS = (OSError, serial.SerialException, termios.error, ConnectionError)


class SerialLink:
    """A pyserial port (``serial_for_url``: device paths, ptys, ``socket://``, ``rfc2217://``...)."""

    def __init__(self, port: serial.SerialBase) -> None:
        self.port = port
        if port.timeout != TICK:
            port.timeout = TICK  # fixed: changing it reconfigures the port on every read

    @classmethod
    def open(cls, url: str, baud: int) -> SerialLink:
        """Open ``url`` 8N1 at ``baud``."""
        return cls(serial.serial_for_url(url, baudrate=baud, timeout=TICK, write_timeout=5))

    def clear_input(self) -> None:
        """Throw away anything the device sent before our command."""
        # every pyserial port class has it; the stubs declare it on serialposix.Serial only
        self.port.reset_input_buffer()  # type: ignore[attr-defined]

    def write(self, data: bytes) -> None:
        """Write all of ``data``."""
        self.port.write(data)

    def drain(self) -> None:
        """Wait until the OS has sent what we wrote."""
        self.port.flush()

    def read_exact(self, n: int, timeout: float) -> bytes:
        """Read up to ``n`` bytes, stopping at ``timeout`` seconds (returns as soon as n arrived)."""
        deadline = time.monotonic() + timeout
        out = b""
        while len(out) < n:
            out += self.port.read(n - len(out))
            if time.monotonic() >= deadline:
                break
        return out

    def close(self) -> None:
        """Close, ignoring errors of a port that went away."""
        with contextlib.suppress(*PORT_ERRORS):
            self.port.close()


class SocketLink:
    """A TCP socket (network printers, raw port 9100)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def clear_input(self) -> None:
        """Drain pending input without blocking."""
        self.sock.setblocking(False)
        try:
            while self.sock.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            self.sock.setblocking(True)

    def write(self, data: bytes) -> None:
        """Send all of ``data``."""
        self.sock.sendall(data)

    def drain(self) -> None:
        """Nothing to wait for on a socket."""

    def read_exact(self, n: int, timeout: float) -> bytes:
        """Read up to ``n`` bytes within ``timeout``."""
        deadline = time.monotonic() + timeout
        out = b""
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(n - len(out))
            except TimeoutError:
                break
            if not chunk:
                raise ConnectionError("printer closed the connection")
            out += chunk
        return out

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()
