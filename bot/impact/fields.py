"""The impact fields, their validation, and the `/incident impact …` grammar.

    /incident impact amount=12000 EUR failed=340 regions=DE,FR
    /incident impact failed=4.5% delayed=120 merchants=37 key_merchants="ShopCo,Bike Hub" data=availability
    /incident impact methods=          (an empty value clears a field)

Pairs are `name=value`, separated by spaces; a value with spaces goes in double quotes; lists are
comma-separated. `failed` and `delayed` take a count (`340`) or a rate (`4.5%`). `amount` takes a
number and an ISO 4217 currency code (`12000 EUR`, `12000EUR`, `EUR 12000`), or give `currency=` apart.
`data` is `none` or any of availability, integrity, confidentiality.
"""

from __future__ import annotations

import re
import shlex
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.core.errors import InvalidInput

# ISO 4217 active currency codes (list one, 2024), plus the precious-metal and testing codes left out.
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF
CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD
LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP
PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
""".split())
DATA_KINDS = ("availability", "integrity", "confidentiality")

# field -> (label, kind); kinds: count, rate, amount, currency, list, data
FIELDS: dict[str, tuple[str, str]] = {
    "failed": ("Failed transactions", "count"),
    "failed_rate": ("Failed transactions, %", "rate"),
    "delayed": ("Delayed transactions", "count"),
    "delayed_rate": ("Delayed transactions, %", "rate"),
    "amount": ("Amount affected", "amount"),
    "currency": ("Currency (ISO 4217)", "currency"),
    "merchants": ("Merchants affected", "count"),
    "key_merchants": ("Key merchants", "list"),
    "methods": ("Payment methods and schemes", "list"),
    "acquirers": ("Acquirers, banks and partners", "list"),
    "regions": ("Regions and countries", "list"),
    "customers": ("Customers affected", "count"),
    "data": ("Data affected", "data"),
}
PUBLIC_FIELDS = ("methods", "regions")  # what the public status page may show
ALIASES = {"merchant": "key_merchants", "method": "methods", "schemes": "methods", "acquirer": "acquirers",
           "partners": "acquirers", "banks": "acquirers", "region": "regions", "countries": "regions",
           "clients": "customers"}
MAX_ITEMS = 20
MAX_ITEM = 60
USAGE = ("Usage: `/incident impact amount=12000 EUR failed=340 regions=DE,FR` — fields: failed and delayed (a "
         "count, or a rate like 4.5%), amount (with an ISO 4217 currency), merchants, key_merchants, methods, "
         "acquirers, regions, customers, data (none, availability, integrity, confidentiality); lists are "
         "comma-separated, quote a value with spaces, and `name=` clears a field. `/incident impact` alone "
         "shows the impact; `/incident impact form` opens the form.")
_AMOUNT = re.compile(r"^\s*(?:([A-Za-z]{3})\s*)?([0-9][0-9_,.]*)\s*(?:([A-Za-z]{3}))?\s*$")


def _number(raw: str, field: str, *, integer: bool) -> int | float:
    text = raw.strip().replace(",", "").replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{FIELDS[field][0]}: `{{raw}}` is not a number.", field=field,
                           values={"raw": raw[:40]}) from None
    if not value.is_finite() or value < 0 or value > Decimal("1e15"):
        raise InvalidInput(f"{FIELDS[field][0]} must be a number from 0.", field=field)
    if integer:
        if value != value.to_integral_value():
            raise InvalidInput(f"{FIELDS[field][0]} is a whole number.", field=field)
        return int(value)
    return float(value)


def currency(raw: str, field: str = "currency") -> str:
    code = raw.strip().upper()
    if code not in CURRENCIES:
        raise InvalidInput("`{code}` is not an ISO 4217 currency code (EUR, USD, GBP, …).", field=field,
                           values={"code": raw.strip()[:10]})
    return code


def _list(raw: str, field: str) -> list[str]:
    items = [" ".join(i.split()) for i in raw.split(",")]
    items = list(dict.fromkeys(i for i in items if i))
    if len(items) > MAX_ITEMS or any(len(i) > MAX_ITEM for i in items):
        raise InvalidInput(f"{FIELDS[field][0]}: at most {MAX_ITEMS} items of {MAX_ITEM} characters.", field=field)
    return items


def _data(raw: str) -> list[str]:
    kinds = [k.strip().lower() for k in raw.split(",") if k.strip()]
    if kinds == ["none"]:
        return ["none"]
    bad = [k for k in kinds if k not in DATA_KINDS]
    if bad or not kinds:
        raise InvalidInput("Data affected is `none`, or any of availability, integrity, confidentiality.",
                           field="data")
    return sorted(set(kinds), key=DATA_KINDS.index)


def parse_value(field: str, raw: str) -> Any:
    """One field's typed value; an empty string clears it (None)."""
    if not raw.strip():
        return None
    kind = FIELDS[field][1]
    if kind == "count":
        return _number(raw, field, integer=True)
    if kind == "rate":
        value = _number(raw.strip().removesuffix("%"), field, integer=False)
        if value > 100:
            raise InvalidInput(f"{FIELDS[field][0]} is a percentage, 0 to 100.", field=field)
        return value
    if kind == "amount":
        return _number(raw, field, integer=False)
    if kind == "currency":
        return currency(raw)
    if kind == "data":
        return _data(raw)
    return _list(raw, field)


def parse_args(args: str) -> dict[str, Any]:
    """`/incident impact …` → {field: value or None}; raises with the usage on anything it cannot read."""
    try:
        words = shlex.split(args)
    except ValueError:
        raise InvalidInput("A quote is not closed. " + USAGE) from None
    out: dict[str, Any] = {}
    i = 0
    while i < len(words):
        name, eq, raw = words[i].partition("=")
        i += 1
        key = ALIASES.get(name.lower(), name.lower())
        if not eq or key not in FIELDS:
            raise InvalidInput("I can't read `{word}`. " + USAGE, values={"word": words[i - 1][:40]})
        if key in ("failed", "delayed") and raw.strip().endswith("%"):
            key = f"{key}_rate"
        if key == "amount":
            # "12000 EUR": the currency may be the next word
            if raw and i < len(words) and "=" not in words[i] and re.fullmatch(r"[A-Za-z]{3}", words[i]):
                raw = f"{raw} {words[i]}"
                i += 1
            m = _AMOUNT.match(raw) if raw.strip() else None
            if raw.strip() and (m is None or (m.group(1) and m.group(3))):
                raise InvalidInput("Write the amount as `12000 EUR`. " + USAGE)
            if m is not None:
                out["amount"] = parse_value("amount", m.group(2))
                code = m.group(1) or m.group(3)
                if code:
                    out["currency"] = currency(code)
            else:
                out["amount"] = None
            continue
        out[key] = parse_value(key, raw)
    if not out:
        raise InvalidInput(USAGE)
    if "currency" in out and out["currency"] is None and out.get("amount") is not None:
        raise InvalidInput("An amount needs its currency.", field="currency")
    return out


def check(values: dict[str, Any]) -> None:
    """The impact as a whole: an amount has a currency."""
    if values.get("amount") is not None and not values.get("currency"):
        raise InvalidInput("Give the amount's currency, e.g. `amount=12000 EUR`.", field="currency")


def from_labels(labels: dict[str, Any], label_map: dict[str, str]) -> dict[str, list[str]]:
    """What an alert's labels say about the impact, per the policy's label map."""
    out: dict[str, list[str]] = {}
    for label, value in labels.items():
        field = label_map.get(str(label).lower())
        if field and isinstance(value, str) and value.strip():
            items = out.setdefault(field, [])
            for item in _list(value[:MAX_ITEM * 4], field):
                if item not in items and len(items) < MAX_ITEMS:
                    items.append(item)
    return out


def _count(n: Any) -> str:
    return f"{n:,}" if isinstance(n, int) else f"{n:g}"


def summary(values: dict[str, Any], *, public_only: bool = False) -> str:
    """The impact in one plain line ("340 failed (4.5%) · EUR 12,000 · 37 merchants · DE, FR"); '' if none."""
    v = {k: x for k, x in values.items() if x not in (None, [], "")}
    if public_only:
        v = {k: x for k, x in v.items() if k in PUBLIC_FIELDS}
    parts: list[str] = []
    for what in ("failed", "delayed"):
        count, rate = v.get(what), v.get(f"{what}_rate")
        if count is not None or rate is not None:
            text = " ".join(p for p in (_count(count) if count is not None else "",
                                        f"({rate:g}%)" if count is not None and rate is not None else
                                        (f"{rate:g}%" if rate is not None else "")) if p)
            parts.append(f"{text} {what}")
    if v.get("amount") is not None:
        parts.append(f"{v.get('currency') or ''} {v['amount']:,.2f}".strip().removesuffix(".00"))
    if v.get("merchants") is not None or v.get("key_merchants"):
        named = f" ({', '.join(v['key_merchants'])})" if v.get("key_merchants") else ""
        parts.append(f"{_count(v['merchants']) + ' merchants' if v.get('merchants') is not None else 'merchants'}"
                     f"{named}")
    if v.get("customers") is not None:
        parts.append(f"{_count(v['customers'])} customers")
    for key in ("methods", "acquirers", "regions"):
        if v.get(key):
            parts.append(", ".join(v[key]))
    if v.get("data") and v["data"] != ["none"]:
        parts.append(f"data: {', '.join(v['data'])}")
    return " · ".join(parts)


def shown(field: str, value: Any) -> str:
    """One field's value as a person reads it."""
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if FIELDS[field][1] == "rate":
        return f"{value:g}%"
    if isinstance(value, float):
        return f"{value:,.2f}".removesuffix(".00")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
