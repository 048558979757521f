"""The local run's public address, derived from where it listens (no Django imports: the runner,
scripts/dev.py, uses it before any settings exist)."""

from __future__ import annotations

# Addresses a browser on this machine reaches as localhost.
_LOCAL_ADDRESSES = {"", "127.0.0.1", "0.0.0.0", "::", "::1", "localhost"}  # noqa: S104


def local_link_host(host: str) -> str:
    """The host name links should use for a server listening on `host`."""
    if host in _LOCAL_ADDRESSES:
        return "localhost"
    return f"[{host}]" if ":" in host else host  # an IPv6 address goes in brackets


def local_site_url(host: str, port: int | str) -> str:
    """`http://<host>:<port>` as a browser on this machine would type it."""
    return f"http://{local_link_host(host)}:{port}"
