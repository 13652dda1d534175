"""The client address behind trusted reverse proxies (sign-in throttling counts by it)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations.clientaddr import client_address

PROXY = frozenset({"10.0.0.2"})


def test_a_direct_request_is_its_peer_whatever_it_claims() -> None:
    assert client_address("203.0.113.7", "198.51.100.1", PROXY) == "203.0.113.7"
    assert client_address("203.0.113.7", "", frozenset()) == "203.0.113.7"


def test_a_trusted_proxy_names_the_client() -> None:
    assert client_address("10.0.0.2", "198.51.100.1", PROXY) == "198.51.100.1"


def test_only_the_hops_the_trusted_proxies_added_are_believed() -> None:
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    assert client_address("10.0.0.2", "1.2.3.4, 198.51.100.1", PROXY) == "198.51.100.1"
    two = frozenset({"10.0.0.2", "10.0.0.3"})
    assert client_address("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3", two) == "198.51.100.1"


def test_a_malformed_hop_ends_at_the_last_trusted_view() -> None:
    assert client_address("10.0.0.2", "<script>", PROXY) == "10.0.0.2"
    assert client_address("10.0.0.2", "198.51.100.1, nonsense", PROXY) == "10.0.0.2"


@given(st.lists(st.ip_addresses().map(str), max_size=4), st.ip_addresses().map(str))
def test_the_answer_is_the_peer_or_an_address_from_the_header(hops: list[str], peer: str) -> None:
    got = client_address(peer, ", ".join(hops), PROXY)
    assert got == peer or got in hops
