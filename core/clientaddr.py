"""The client's address of a request, the one every per-address limit and audit entry uses.

Behind a reverse proxy every request comes from the proxy's address, so per-address limits would become one
global limit. The proxy appends the address it received the request from to ``X-Forwarded-For`` (nginx:
``$proxy_add_x_forwarded_for``); anyone can send that header with made-up addresses in front. So the header is
read only when the direct peer is a trusted proxy (``TRUSTED_PROXIES``: addresses or CIDR networks), from the
right: the rightmost address that is not itself a trusted proxy is the client. With no trusted proxy configured
the peer's address is the client."""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def parse_networks(entries) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` as networks (config/settings.py refuses to start with a malformed entry)."""
    return _networks(tuple(entries))


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str | None:
    """The address of the client that sent ``request`` (see the module's note), as text, or None."""
    peer = request.META.get("REMOTE_ADDR") or None
    networks = parse_networks(settings.TRUSTED_PROXIES)
    if not networks or not _trusted(_address(peer or ""), networks):
        return peer
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage from an untrusted sender: stop at the last address we can vouch for
            return peer
        if not _trusted(address, networks):
            return str(address)
        peer = str(address)
    return peer  # every hop is a trusted proxy: the leftmost one sent the request itself
