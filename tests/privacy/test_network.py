from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime, timedelta
from ipaddress import IPv4Address, IPv6Address

import duckdb
import pytest

from privacy.network import (
    client_address,
    day_key,
    ip_network_of,
    ip_token,
    ipv4_network_sql,
    ipv4_token_sql,
    is_coarse_network,
    plain_ipv4_client_sql,
    pseudonymize_ip,
)
from privacy.pseudonyms import derive_key, hmac_pads

IP_KEY = derive_key(bytes(range(32)), "ip")
OTHER_IP_KEY = derive_key(bytes(range(1, 33)), "ip")
DAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("ip", "x_forwarded_for", "expected"),
    [
        ("10.0.0.5", None, IPv4Address("10.0.0.5")),
        ("10.0.0.5", "", IPv4Address("10.0.0.5")),
        ("10.0.0.5", "   ", IPv4Address("10.0.0.5")),
        ("10.0.0.5", "95.56.12.7", IPv4Address("95.56.12.7")),
        ("10.0.0.5", " 95.56.12.7 , 10.0.0.1, 10.0.0.5", IPv4Address("95.56.12.7")),
        ("10.0.0.5", "95.56.12.7:51234, 10.0.0.1", IPv4Address("95.56.12.7")),
        ("2a00:1fa0:42::1", None, IPv6Address("2a00:1fa0:42::1")),
        ("10.0.0.5", "[2a00:1fa0:42::1]:443", IPv6Address("2a00:1fa0:42::1")),
        ("::ffff:95.56.12.7", None, IPv4Address("95.56.12.7")),
        ("10.0.0.5", "[::ffff:95.56.12.7]:8080", IPv4Address("95.56.12.7")),
        ("10.0.0.5", "[2002:5f38:c07::1]:443", IPv4Address("95.56.12.7")),
    ],
)
def test_client_address_takes_the_first_forwarded_hop_else_the_edge_address(
    ip: str, x_forwarded_for: str | None, expected: IPv4Address | IPv6Address
) -> None:
    assert client_address(ip, x_forwarded_for) == expected


@pytest.mark.parametrize(
    ("ip", "x_forwarded_for", "field"),
    [
        ("95.56.12.777", None, "ip"),
        ("", None, "ip"),
        ("95.56.12.7:http", None, "ip"),
        ("95.56.12.7:443", None, "ip"),  # the edge's own field is a bare address
        (" 95.56.12.7", None, "ip"),
        ("[2a00:1fa0:42::1]", None, "ip"),
        ("[2a00:1fa0:42::1", None, "ip"),
        ("[2a00:1fa0:42::1]443", None, "ip"),
        ("95.56.12.7", "-, 10.0.0.1", "x_forwarded_for"),
        ("95.56.12.7", "_, 10.0.0.1", "x_forwarded_for"),  # `_` alone obfuscates nothing
        ("95.56.12.7", "_hid den, 10.0.0.1", "x_forwarded_for"),
        ("95.56.12.7", "_hidden:port, 10.0.0.1", "x_forwarded_for"),
        ("95.56.12.7", "unknown:http, 10.0.0.1", "x_forwarded_for"),
        ("95.56.12.7", "unknown 10.0.0.1", "x_forwarded_for"),
        ("95.56.12.7", "unk\u212anown, 10.0.0.1", "x_forwarded_for"),  # a Kelvin sign
        ("95.56.12.7", "unknown, _hidden, 95.56.12.777", "x_forwarded_for"),
        ("95.56.12.7", "95.56.12.8:99999999", "x_forwarded_for"),
        ("95.56.12.7:80", "unknown, _hidden", "ip"),  # nothing named: the client is `ip`
    ],
)
def test_a_non_address_is_an_error_naming_the_field_but_not_the_value(
    ip: str, x_forwarded_for: str | None, field: str
) -> None:
    with pytest.raises(ValueError, match=rf"^{field}: not an IP address") as error:
        client_address(ip, x_forwarded_for)
    assert "95.56" not in str(error.value)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        (IPv4Address("95.56.12.7"), "95.56.12.0/24"),
        (IPv4Address("95.56.12.255"), "95.56.12.0/24"),
        (IPv6Address("2a00:1fa0:42:7::1"), "2a00:1fa0:42::/48"),
        (IPv6Address("::ffff:95.56.12.7"), "95.56.12.0/24"),
        (IPv6Address("::"), "::/48"),
        (IPv6Address("::1"), "::/48"),
    ],
)
def test_network_is_the_24_or_48_holding_the_address(
    address: IPv4Address | IPv6Address, network: str
) -> None:
    assert ip_network_of(address) == network


@pytest.mark.parametrize(
    ("x_forwarded_for", "expected"),
    [
        ("unknown, 95.56.12.7", "95.56.12.7"),
        ("UNKNOWN,95.56.12.7, 10.0.0.1", "95.56.12.7"),
        ("_hidden, 95.56.12.7", "95.56.12.7"),
        ("_SEVKISEK, _a.b_c-9, 95.56.12.7", "95.56.12.7"),
        ("unknown:8080, _hidden:_port, _x:443, [2a00:1fa0:42::1]:443", "2a00:1fa0:42::1"),
        (", 95.56.12.7", "95.56.12.7"),
        (" , ,\t, 95.56.12.7:51234", "95.56.12.7"),
        ("unknown, [::ffff:95.56.12.7]:8080", "95.56.12.7"),
        ("95.56.12.7, unknown", "95.56.12.7"),
        ("unknown", "10.0.0.5"),
        ("_hidden, unknown, ", "10.0.0.5"),
        (", ,", "10.0.0.5"),
    ],
)
def test_chain_entries_naming_no_client_are_skipped(x_forwarded_for: str, expected: str) -> None:
    # RFC 7239: `unknown` and `_obfuscated` nodes (perhaps with a port) say a hop hid the
    # client; empty entries say nothing. The client is the first entry that names one.
    assert str(client_address("10.0.0.5", x_forwarded_for)) == expected


# 95.56.12.7 is 5f38:0c07; Teredo keeps the client's address inverted (a0c7:f3f8).
IPV4_IN_IPV6 = {
    "mapped": "::ffff:95.56.12.7",
    "compatible": "::95.56.12.7",
    "compatible_hex": "::5f38:c07",
    "nat64": "64:ff9b::95.56.12.7",
    "6to4": "2002:5f38:c07::1",
    "6to4_other_host": "2002:5f38:c07:1234:5678::abcd",
    "teredo": "2001:0:4136:e378:8000:63bf:a0c7:f3f8",
    "teredo_other_server": "2001:0:5ef5:79fd:0:fbff:a0c7:f3f8",
}


@pytest.mark.parametrize("form", IPV4_IN_IPV6.values(), ids=IPV4_IN_IPV6.keys())
def test_an_ipv6_form_carrying_an_ipv4_address_is_that_address(form: str) -> None:
    plain = IPv4Address("95.56.12.7")
    key = day_key(IP_KEY, DAY)
    assert client_address(form, None) == plain
    assert client_address("10.0.0.5", f"[{form}]:443, 10.0.0.1") == plain
    assert ip_network_of(IPv6Address(form)) == "95.56.12.0/24"
    assert ip_token(key, IPv6Address(form)) == ip_token(key, plain)
    assert pseudonymize_ip(form, None, IP_KEY, DAY) == pseudonymize_ip(
        "95.56.12.7", None, IP_KEY, DAY
    )


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("::", "::/48"),  # unspecified and loopback are not IPv4-compatible forms
        ("::1", "::/48"),
        ("::1:5f38:c07", "::/48"),
        ("64:ff9b:1::5f38:c07", "64:ff9b:1::/48"),  # NAT64's local-use prefix: no fixed place
        ("2001:db8::5f38:c07", "2001:db8::/48"),  # 2001:db8::/32 is not Teredo's 2001::/32
        ("2003:5f38:c07::1", "2003:5f38:c07::/48"),
        ("::fffe:5f38:c07", "::/48"),
    ],
)
def test_ipv6_next_to_the_embedding_forms_stays_ipv6(address: str, network: str) -> None:
    assert client_address(address, None) == IPv6Address(address)
    assert ip_network_of(IPv6Address(address)) == network


@pytest.mark.parametrize(
    ("address", "prefix", "coarse"),
    [
        ("0.0.0.0", 0, True),
        ("95.56.0.0", 16, True),
        ("95.56.12.0", 24, True),
        ("95.56.12.0", 25, False),
        ("95.56.12.7", 32, False),
        ("95.56.12.7", 24, False),  # host bits set: an address with its network
        ("95.56.12.0", 33, False),
        ("95.56.12.0", -1, False),
        ("::", 0, True),
        ("2a00:1fa0:42::", 48, True),
        ("2a00:1fa0:42::", 49, False),
        ("2a00:1fa0:42::1", 48, False),
        ("2a00:1fa0:42::", 129, False),
        ("2a00:1fa0::", 32, True),
        ("2002::", 16, True),
        ("2002:5f38::", 32, True),
        ("2002:5f38:c00::", 40, True),  # 6to4 bits 16-39: 95.56.12.0/24
        ("2002:5f38:c00::", 41, False),
        ("2002:5f38:c07::", 48, False),  # spells out 95.56.12.7
        ("2002:5f38:c06::", 47, False),  # 31 bits of 95.56.12.6
        ("2003:5f38:c07::", 48, True),
        ("2000::", 3, True),  # holds 2002::/16 but carries no address
        ("2001:0:4136::", 48, True),  # Teredo: 16 bits of its server
        ("2001:0:4136:e378::", 64, False),
        ("::ffff:95.56.12.0", 120, False),  # IPv6 finer than /48, whatever it carries
        ("::ffff:0:0", 96, False),
        ("64:ff9b::", 96, False),
        ("64:ff9b::", 32, True),
    ],
)
def test_is_coarse_network_keeps_only_what_the_warehouse_keeps(
    address: str, prefix: int, coarse: bool
) -> None:
    assert is_coarse_network(address, prefix) is coarse


@pytest.mark.parametrize("address", ["95.56.12", "95.56.12.0/24", "", "unknown", "95.56.012.0"])
def test_is_coarse_network_refuses_a_non_address_without_echoing_it(address: str) -> None:
    with pytest.raises(ValueError, match=r"^not an IP address$"):
        is_coarse_network(address, 24)


def test_a_network_kept_by_the_warehouse_is_coarse() -> None:
    for text in ("95.56.12.7", "2a00:1fa0:42:7::1", "2002:5f38:c07::1", "::ffff:95.56.12.7"):
        network, prefix = ip_network_of(client_address(text, None)).split("/")
        assert is_coarse_network(network, int(prefix))


def test_token_is_equal_within_a_day_and_differs_across_days() -> None:
    address = IPv4Address("95.56.12.7")
    assert ip_token(day_key(IP_KEY, DAY), address) == ip_token(day_key(IP_KEY, DAY), address)
    days = [DAY + timedelta(days=n) for n in range(60)]
    assert len({ip_token(day_key(IP_KEY, day), address) for day in days}) == len(days)


def test_token_distinguishes_addresses_within_a_day() -> None:
    key = day_key(IP_KEY, DAY)
    addresses = [IPv4Address(f"95.56.12.{n}") for n in range(256)]
    assert len({ip_token(key, address) for address in addresses}) == 256


def test_token_is_keyed_short_hex_and_not_the_address() -> None:
    address = IPv6Address("2a00:1fa0:42::1")
    token = ip_token(day_key(IP_KEY, DAY), address)
    assert re.fullmatch(r"[0-9a-f]{16}", token)
    assert token != ip_token(day_key(OTHER_IP_KEY, DAY), address)
    unkeyed = {hashlib.sha256(data).hexdigest() for data in (address.packed, b"2a00:1fa0:42::1")}
    assert not any(h.startswith(token) for h in unkeyed)


def test_mapped_and_plain_ipv4_share_a_token() -> None:
    key = day_key(IP_KEY, DAY)
    assert ip_token(key, IPv6Address("::ffff:95.56.12.7")) == ip_token(
        key, IPv4Address("95.56.12.7")
    )


def test_day_key_refuses_a_datetime() -> None:
    with pytest.raises(TypeError, match="date"):
        day_key(IP_KEY, datetime(2026, 3, 1, 10, 15))


def test_pseudonymize_ip_follows_the_documented_derivation() -> None:
    key = hmac.new(IP_KEY, b"almaty/ip-day/v1/2026-03-01", hashlib.sha256).digest()
    token = hmac.new(key, bytes([95, 56, 12, 7]), hashlib.sha256).hexdigest()[:16]
    assert pseudonymize_ip("10.0.0.5", "95.56.12.7, 10.0.0.5", IP_KEY, DAY) == (
        "95.56.12.0/24",
        token,
    )


def test_pseudonymize_ip_propagates_the_field_error() -> None:
    with pytest.raises(ValueError, match=r"^ip: "):
        pseudonymize_ip("not-an-ip", None, IP_KEY, DAY)


# Every shape of the two fields the contract allows, and the malformed ones it warns of.
ADDRESS_SHAPES = [
    *(("10.0.0.5", forwarded) for forwarded in (None, "", "   ", "\t95.56.12.7")),
    *(
        (ip, None)
        for ip in (
            "0.0.0.0",
            "255.255.255.255",
            "95.56.12.7",
            "95.56.12.07",  # a leading zero: ipaddress refuses it
            "256.1.1.1",
            "1.2.3.4.5",
            "1.2.3",
            " 95.56.12.7",
            "95.56.12.7\n",
            "95.56.12.7:443",
            "\u0661.2.3.4",  # an Arabic-Indic digit
            "2a00:1fa0:42::1",
            "::ffff:95.56.12.7",
            *IPV4_IN_IPV6.values(),
            "::",
            "::1",
            "unknown",
            "_hidden",
            "",
        )
    ),
    *(
        ("10.0.0.5", forwarded)
        for forwarded in (
            "95.56.12.7",
            "  95.56.12.7  ",
            " 95.56.12.7 , 10.0.0.1, 10.0.0.5",
            "95.56.12.7:51234, 10.0.0.1",
            "95.56.12.7:",
            "95.56.12.7 :80",
            "95.56.12.7:123456",
            "95.56.12.7:99999",
            "95.56.12.7\t,10.0.0.1",
            "95.56.012.7",
            "[95.56.12.7]",
            "[2a00:1fa0:42::1]:443",
            "[::ffff:95.56.12.7]:8080",
            "unknown, 10.0.0.1",
            ", 95.56.12.8",
            "95.56.12.7,",
            "unknown",
            "UNKNOWN, 95.56.12.7:80",
            "_hidden, 95.56.12.7",
            "_SEVKISEK:_port, _x, 95.56.12.7",
            " , ,95.56.12.7",
            "unknown, _hidden, ",
            "-, 95.56.12.7",
            "95.56.12.7, unknown",
            "95.56.12.7:80, _hidden",
            "[2002:5f38:c07::1]:443",
            "2001:0:4136:e378:8000:63bf:a0c7:f3f8",
            "unknown, 64:ff9b::95.56.12.7",
            "::95.56.12.7, 10.0.0.1",
        )
    ),
    *(("95.56.12.7", forwarded) for forwarded in ("unknown", "_hidden", ", ,")),
    ("95.56.12.07", "95.56.12.7"),  # the edge's own address must be one too
]


def _python_network_and_token(ip: str, forwarded: str | None) -> tuple[str, str] | None:
    try:
        client_address(ip, None)
        address = client_address(ip, forwarded)
    except ValueError:
        return None
    return ip_network_of(address), ip_token(day_key(IP_KEY, DAY), address)


def test_duckdb_takes_plain_ipv4_addresses_exactly_as_python_and_leaves_the_rest() -> None:
    # Ingestion maps plain IPv4 addresses in DuckDB and every other text in Python: where
    # DuckDB answers, it must give what Python gives, and it must answer the common shapes.
    inner, outer = hmac_pads(day_key(IP_KEY, DAY))
    address = plain_ipv4_client_sql("ip", "coalesce(forwarded, '')")
    rows = duckdb.sql(
        f"""select ip, forwarded, a is not null,
          {ipv4_network_sql("a")}, {ipv4_token_sql("a", "$inner", "$outer")}
        from (select *, {address} as a from (
          select unnest($ips) as ip, unnest($forwarded) as forwarded))""",
        params={
            "ips": [ip for ip, _ in ADDRESS_SHAPES],
            "forwarded": [forwarded for _, forwarded in ADDRESS_SHAPES],
            "inner": inner,
            "outer": outer,
        },
    ).fetchall()
    assert len(rows) == len(ADDRESS_SHAPES)
    answered = set()
    for ip, forwarded, taken, network, token in rows:
        if taken:
            assert (network, token) == _python_network_and_token(ip, forwarded), (ip, forwarded)
            answered.add((ip, forwarded))
    assert {
        ("95.56.12.7", None),
        ("255.255.255.255", None),
        ("10.0.0.5", " 95.56.12.7 , 10.0.0.1, 10.0.0.5"),
        ("10.0.0.5", "95.56.12.7:51234, 10.0.0.1"),
    } <= answered
