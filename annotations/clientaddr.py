"""Which address a request comes from, when reverse proxies stand in front of the app.

Sign-in throttling counts failures per client address. Behind a proxy every
request arrives from the proxy, so one mistyping class would hold the whole
department; a trusted proxy's `X-Forwarded-For` names the real client. Only
proxies the deployment lists are believed: anyone else can write that header.
"""

from __future__ import annotations

from ipaddress import ip_address


def client_address(peer: str, forwarded_for: str, trusted: frozenset[str]) -> str:
    """The nearest address in the chain peer <- X-Forwarded-For that is not a trusted proxy.

    `forwarded_for` lists client, proxy1, proxy2...; each trusted hop appended the
    address it saw, so the chain is read from the right. A malformed entry ends the
    walk at the last trusted hop's view (never an arbitrary string).
    """
    address = peer
    if address not in trusted:
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            hop = str(ip_address(hop))
        except ValueError:
            return address
        address = hop
        if hop not in trusted:
            return hop
    return address
