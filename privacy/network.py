"""Client IP addresses: kept only as a coarse network and a token that lives one day.

The network (`/24` for IPv4, `/48` for IPv6) is enough for geography and abuse
statistics. The token lets analysts count distinct addresses within a day, but
it is keyed with a key of that day, so the same address cannot be followed from
one day to the next, and without the secret it cannot be computed from an
address at all.

An IPv6 address that carries an IPv4 address is that IPv4 address here: its /48 could
spell the IPv4 address out (6to4's `2002:c000:0204::/48` is 192.0.2.4), and a visitor
must count once whichever form its packets took. The forms: IPv4-mapped `::ffff:0:0/96`,
IPv4-compatible `::/96` (but `::` and `::1`), NAT64's well-known prefix `64:ff9b::/96`
(the last 32 bits), 6to4 `2002::/16` (bits 16-47) and Teredo `2001::/32` (the client's
address, bits 96-127 inverted).

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
_NAT64_HIGH_BITS: Final = int(ipaddress.IPv6Address("64:ff9b::")) >> 32
# Chain entries that name no client (RFC 7239's `unknown` and obfuscated identifiers,
# perhaps with a port): skipped. ASCII, or the Kelvin sign would pass for a `k`.
_OBFUSCATED: Final = r"_[A-Za-z0-9._-]+"
_NO_CLIENT: Final = re.compile(
    rf"(?:unknown|{_OBFUSCATED})(?::(?:[0-9]{{1,5}}|{_OBFUSCATED}))?", re.ASCII | re.IGNORECASE
)


def _canonical(addr: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 form carries (see the module docstring), else `addr`.

    Every address passes here, so network, token and client address agree on every form.
    """
    if isinstance(addr, ipaddress.IPv4Address):
        return addr
    value = int(addr)
    high = value >> 32
    if high == 0xFFFF or (high == 0 and value > 1) or high == _NAT64_HIGH_BITS:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)  # mapped, compatible, NAT64
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
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
    """The visitor's address: the first hop of `x_forwarded_for` that names one, else `ip`.

    Behind a proxy `ip` is the proxy, and the contract says the first entry of the chain
    is the client. Entries that name no one are skipped: empty ones, `unknown` (any case)
    and RFC 7239 obfuscated identifiers (`_hidden`, `_SEVKISEK`), with or without a port.
    `ip` must be a bare address, as the contract says; a chain entry may carry a port or
    IPv6 brackets. Raises ValueError naming the field when the client entry (or `ip`, if
    it is the client) is not an address, so the record can be quarantined instead of
    guessed at.
    """
    if x_forwarded_for is not None:
        for entry in x_forwarded_for.split(","):
            entry = entry.strip()
            if entry and not _NO_CLIENT.fullmatch(entry):
                return _parse_address(entry, "x_forwarded_for")
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


# The IPv6 forms that carry an IPv4 address, each with the first bit of every IPv4 address
# it carries (Teredo: its server's, then the client's).
_IPV4_IN_IPV6: Final = (
    (ipaddress.IPv6Network("::ffff:0:0/96"), (96,)),
    (ipaddress.IPv6Network("::/96"), (96,)),
    (ipaddress.IPv6Network("64:ff9b::/96"), (96,)),
    (ipaddress.IPv6Network("2002::/16"), (16,)),
    (ipaddress.IPv6Network("2001::/32"), (32, 96)),
)


def is_coarse_network(address: str, prefix: int) -> bool:
    """Whether the network `address/prefix` (CIDR text, split at its slash) is no finer
    than what the warehouse keeps of an address, so stored text may hold it.

    For the free-text detector: `x/n` in stored text is a finding unless this is True.
    Coarse means an IPv4 prefix of at most 24, or an IPv6 prefix of at most 48 that shows
    at most 24 bits of an IPv4 address the network carries: 6to4 keeps one in bits 16-47,
    so `2002:c000:0204::/48` spells out 192.0.2.4, while `2002:c000:200::/40` is only
    192.0.2.0/24. Text with host bits set (`95.56.12.7/24`) or a prefix out of range holds
    more than a network, so it is not coarse. Raises ValueError, without the value, when
    `address` is not an IP address.
    """
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        raise ValueError("not an IP address") from None
    bits = addr.max_prefixlen
    if not 0 <= prefix <= bits or int(addr) & ((1 << (bits - prefix)) - 1):
        return False
    if isinstance(addr, ipaddress.IPv4Address):
        return prefix <= IPV4_PREFIX
    return prefix <= IPV6_PREFIX and all(
        prefix - start <= IPV4_PREFIX
        for form, starts in _IPV4_IN_IPV6
        if prefix >= form.prefixlen and addr in form
        for start in starts
    )


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
    perhaps with a port, before its first comma. A chain opening with an entry that names
    no client (empty, `unknown`, `_obfuscated`) is left to Python, which skips it.
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
