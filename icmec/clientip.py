"""The address of the client that sent a request, behind proxies too.

Behind a reverse proxy or load balancer, `REMOTE_ADDR` is the proxy's address for every
reader, so a per-address rate limit would put everyone in one allowance. Proxies append the
address they received the connection from to `X-Forwarded-For`; anything to the left of that
was written by the client and can say anything. So the header is believed only when the
connection comes from a proxy listed in `TRUSTED_PROXIES` (addresses or CIDR ranges), and
only as far as the chain of trusted proxies goes: the address is the last (right-most) hop
that is not a trusted proxy. Every rate limit of the project asks this module (the
newsletter's sign-up, and allauth's through the portal's account adapter).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from icmec.caching.memo import computed_once

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """`TRUSTED_PROXIES` parsed ("10.0.0.0/8", "192.0.2.7", "fd00::/8"), once per process and
    value of the setting (every rate-limited request asks)."""
    return computed_once((__name__, entries), lambda: _parse_networks(entries))


def _parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR range."
            ) from exc
    return tuple(networks)


def parse_address(value: str | None) -> IPAddress | None:
    """An address as proxies write it ("192.0.2.1", "192.0.2.1:4711", "[2001:db8::1]:443")."""
    value = (value or "").strip().strip('"')
    if not value:
        return None
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address ("" if the request has none that parses)."""
    address = parse_address(request.META.get("REMOTE_ADDR"))
    if address is None:
        return ""
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _is_trusted(address, networks):
        return str(address)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",") if forwarded else []):
        hop_address = parse_address(hop)
        if hop_address is None:
            # Garbage in the chain: nothing to its left can be believed either.
            break
        if not _is_trusted(hop_address, networks):
            return str(hop_address)
        address = hop_address
    # Every hop is a trusted proxy (or the header is missing): the one farthest from us.
    return str(address)
