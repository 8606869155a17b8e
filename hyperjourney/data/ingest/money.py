"""Amounts at any precision, rounded half-even (banker's rounding) to the currency's minor unit."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DECIMALS = "CLF UYW"
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_ZERO_DECIMALS.split(), 0),
    **dict.fromkeys(_THREE_DECIMALS.split(), 3),
    **dict.fromkeys(_FOUR_DECIMALS.split(), 4),
}
"""ISO 4217 currencies whose minor unit is not 1/100."""


def minor_unit(currency: str) -> int:
    """Decimal places of the currency's minor unit (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get(currency.upper(), 2)


def rounded(amount: Decimal, currency: str) -> tuple[Decimal, Decimal | None]:
    """(the amount at the minor unit, the original where rounding changed it, else None)."""
    exact = amount.quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_EVEN)
    return exact, (None if exact == amount else amount)
