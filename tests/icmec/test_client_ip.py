"""The client's address behind proxies: X-Forwarded-For is believed only from trusted proxies,
and only its last hop that is not one of them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from icmec.clientip import client_ip

PROXIES = ["10.0.0.0/8", "192.0.2.7", "fd00::/8"]

CASES = [
    # (REMOTE_ADDR, X-Forwarded-For or None, expected)
    # Straight from the client: the header is whatever the client wrote, and ignored.
    ("198.51.100.9", None, "198.51.100.9"),
    ("198.51.100.9", "203.0.113.1", "198.51.100.9"),
    # Through one trusted proxy: the address it saw.
    ("10.0.0.5", "203.0.113.1", "203.0.113.1"),
    # The client wrote its own header first: the proxy appended the real address after it.
    ("10.0.0.5", "1.2.3.4, 203.0.113.1", "203.0.113.1"),
    # Two trusted proxies (a CDN edge listed too, then the load balancer).
    ("10.0.0.5", "1.2.3.4, 203.0.113.1, 192.0.2.7", "203.0.113.1"),
    ("10.0.0.5", "203.0.113.1,10.1.2.3", "203.0.113.1"),
    # An untrusted hop between: everything left of it is the client's say.
    ("10.0.0.5", "203.0.113.1, 198.51.100.50", "198.51.100.50"),
    # Garbage in the chain: stop at the proxy that passed it on.
    ("10.0.0.5", "203.0.113.1, not-an-ip", "10.0.0.5"),
    ("10.0.0.5", "", "10.0.0.5"),
    ("10.0.0.5", None, "10.0.0.5"),
    # Ports, IPv6, IPv4-mapped IPv6.
    ("10.0.0.5", "203.0.113.1:50412", "203.0.113.1"),
    ("10.0.0.5", "[2001:db8::1]:443", "2001:db8::1"),
    ("fd00::1", "2001:db8::2", "2001:db8::2"),
    ("::ffff:10.0.0.5", "203.0.113.1", "203.0.113.1"),
    # Only trusted hops: the farthest of them.
    ("10.0.0.5", "10.9.9.9", "10.9.9.9"),
    # No usable REMOTE_ADDR.
    ("", "203.0.113.1", ""),
]


@pytest.mark.parametrize(("remote", "forwarded", "expected"), CASES)
def test_the_client_address(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = PROXIES
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded

    assert client_ip(RequestFactory().get("/", **extra)) == expected


def test_without_trusted_proxies_the_header_is_never_believed(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"


def test_a_mistyped_proxy_setting_says_so(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.5"))


def test_allauth_rate_limits_use_the_same_address(settings):
    """allauth asks the account adapter (its rate limits, the sessions list)."""
    from allauth.account.adapter import get_adapter

    settings.TRUSTED_PROXIES = PROXIES
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1"
    )

    assert get_adapter(request).get_client_ip(request) == "203.0.113.1"
