"""Client IP addresses: kept only as a coarse network and a token that lives one day.

The network (`/24` for IPv4, `/48` for IPv6) is enough for geography and abuse
statistics. The token lets analysts count distinct addresses within a day, but
it is keyed with a key of that day, so the same address cannot be followed from
one day to the next, and without the secret it cannot be computed from an
address at all.

Day keys: HMAC-SHA256(ip key, b"almaty/ip-day/v1/" + ISO date), where the ip key
is `privacy.pseudonyms.derive_key(secret, "ip")`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from datetime import date, datetime
from typing import Final

from privacy.pseudonyms import hmac_sha256_sql

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

IPV4_PREFIX: Final = 24
IPV6_PREFIX: Final = 48
TOKEN_HEX_CHARS: Final = 16  # 64 bits: collisions are negligible among one day's addresses

_DAY_LABEL: Final = b"almaty/ip-day/v1/"
_PORT: Final = re.compile(r"[0-9]{1,5}")
# A plain IPv4 address as `ipaddress` accepts it (no leading zeros): nearly every client
# address, so DuckDB takes these (`plain_ipv4_client_sql`) and Python the rest.
_OCTET: Final = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_PLAIN_IPV4: Final = rf"{_OCTET}(?:\.{_OCTET}){{3}}"


def _canonical(addr: IPAddress) -> IPAddress:
    """IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as the IPv4 address it is, so both forms agree."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _parse_address(text: str, field: str) -> IPAddress:
    """One address as edges and proxies write it: spaces, `1.2.3.4:port`, `[v6]:port`.

    The message names the field but not the value, so an error log never holds
    an address.
    """
    candidate = text.strip()
    port = ""
    if candidate.startswith("["):
        candidate, bracket, rest = candidate[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"{field}: not an IP address")
        port = rest[1:] if rest else ""
    elif candidate.count(":") == 1:
        candidate, _, port = candidate.partition(":")
    if port and not _PORT.fullmatch(port):
        raise ValueError(f"{field}: not an IP address (bad port)")
    try:
        return _canonical(ipaddress.ip_address(candidate))
    except ValueError:
        raise ValueError(f"{field}: not an IP address") from None


def client_address(ip: str, x_forwarded_for: str | None) -> IPAddress:
    """The visitor's address: the first hop of `x_forwarded_for` if any, else `ip`.

    Behind a proxy `ip` is the proxy, and the contract says the first entry of
    the chain is the client. `ip` must be a bare address, as the contract says; a
    chain entry may carry a port or IPv6 brackets. Raises ValueError naming the field
    when it is not an address, so the record can be quarantined instead of guessed at.
    """
    if x_forwarded_for is not None and x_forwarded_for.strip():
        return _parse_address(x_forwarded_for.split(",", 1)[0], "x_forwarded_for")
    try:  # the edge writes its own field as a bare address; only proxies add ports
        return _canonical(ipaddress.ip_address(ip))
    except ValueError:
        raise ValueError("ip: not an IP address") from None


_IPV4_MASK: Final = ((1 << IPV4_PREFIX) - 1) << (32 - IPV4_PREFIX)
_IPV6_MASK: Final = ((1 << IPV6_PREFIX) - 1) << (128 - IPV6_PREFIX)


def ip_network_of(addr: IPAddress) -> str:
    """The `/24` (IPv4) or `/48` (IPv6) network holding `addr`: coarse enough to keep.

    Written as `ipaddress` writes networks, with the host bits masked off directly (building
    a network object per address is most of the time of a day's distinct addresses).
    """
    addr = _canonical(addr)
    if isinstance(addr, ipaddress.IPv4Address):
        return f"{ipaddress.IPv4Address(int(addr) & _IPV4_MASK)}/{IPV4_PREFIX}"
    return f"{ipaddress.IPv6Address(int(addr) & _IPV6_MASK)}/{IPV6_PREFIX}"


def day_key(ip_key: bytes, day: date) -> bytes:
    """The key of one day's tokens; a new day gives unrelated tokens.

    `day` is the day the caller counts addresses in (the event's day in Almaty).
    A datetime is refused: its time of day would silently make a key per instant.
    """
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError("day_key needs a date, not a datetime or string")
    return hmac.new(ip_key, _DAY_LABEL + day.isoformat().encode(), hashlib.sha256).digest()


def ip_token(day_key: bytes, addr: IPAddress) -> str:
    """A keyed token of `addr`, equal within the day of `day_key` and unlinkable across days."""
    packed = _canonical(addr).packed
    return hmac.new(day_key, packed, hashlib.sha256).hexdigest()[:TOKEN_HEX_CHARS]


def pseudonymize_ip(
    ip: str, x_forwarded_for: str | None, ip_key: bytes, day: date
) -> tuple[str, str]:
    """(network, day token) of a record's client address: all the warehouse keeps of it."""
    addr = client_address(ip, x_forwarded_for)
    return ip_network_of(addr), ip_token(day_key(ip_key, day), addr)


def plain_ipv4_client_sql(ip: str, forwarded: str) -> str:
    """DuckDB SQL for `client_address(ip, forwarded)` where that is a plain IPv4 address,
    else NULL, left to `client_address` itself (IPv6, IPv4-mapped, brackets, tabs, leading
    zeros, anything not an address).

    Only shapes on which both certainly agree are taken: `ip` a plain address, and
    `forwarded` (SQL giving '' when absent) empty or opening with one, space-padded and
    perhaps with a port, before its first comma.
    """
    first_entry = rf"^ *({_PLAIN_IPV4})(?::[0-9]{{1,5}})? *(?:,|$)"
    return f"""case when regexp_full_match({ip}, '{_PLAIN_IPV4}') then
      case when {forwarded} = '' then {ip}
        else nullif(regexp_extract({forwarded}, '{first_entry}', 1), '') end
    end"""


def ipv4_network_sql(address: str) -> str:
    """DuckDB SQL for `ip_network_of` of plain IPv4 text `address`: with a `/24` its last
    octet is the host part (tests compare both on every shape of address).
    """
    return f"regexp_replace({address}, '[0-9]+$', '0') || '/{IPV4_PREFIX}'"


def ipv4_token_sql(address: str, inner: str, outer: str) -> str:
    """DuckDB SQL for `ip_token` of plain IPv4 text `address`; `inner` and `outer` are SQL
    for the day key's `hmac_pads` (columns, so one statement serves several days).
    """
    octets = ", ".join(f"split_part({address}, '.', {n})::utinyint" for n in range(1, 5))
    packed = f"unhex(printf('%02x%02x%02x%02x', {octets}))"
    return f"left({hmac_sha256_sql(packed, inner, outer)}, {TOKEN_HEX_CHARS})"
