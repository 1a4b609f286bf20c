"""Checks that confirm or reject a candidate number: check digits and numbering plans.

Every function takes the candidate as a string and answers ``True`` only for a well-formed
value; anything that is not all ASCII digits (``iban``: not letters and digits) is ``False``,
never an exception. Lengths and prefixes are table-driven:

- cards: brand by prefix and length, then Luhn (``is_card_number``). Troy's 65 ranges are
  Discover co-badged and are reported as ``discover``; UnionPay cards that skip Luhn are missed.
- T.C. kimlik (``tckn``) and the tax number VKN (``vkn``) by their published check digits.
- IBAN by ISO 13616 mod-97 and the IBAN registry's length for the country.
- phone numbers by numbering plan: Turkish (mobile 5xx, geographic area codes, 444 and
  non-geographic 8xx/900), UK, North American (NANP), and E.164 for the common country codes.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")


def _digits(text: str) -> bool:
    return _DIGITS.fullmatch(text) is not None


# --- cards ---------------------------------------------------------------------------------


def luhn(digits: str) -> bool:
    """The Luhn (mod 10) check that payment card numbers carry in their last digit."""
    if len(digits) < 2 or not _digits(digits):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# (brand, prefix ranges as (low, high) of equal length, allowed lengths); first match wins.
_BRANDS: tuple[tuple[str, tuple[tuple[str, str], ...], frozenset[int]], ...] = (
    ("amex", (("34", "34"), ("37", "37")), frozenset({15})),
    ("troy", (("9792", "9792"),), frozenset({16})),
    ("visa", (("4", "4"),), frozenset({13, 16, 19})),
    ("mastercard", (("51", "55"), ("2221", "2720")), frozenset({16})),
    ("mir", (("2200", "2204"),), frozenset(range(16, 20))),
    (
        "discover",
        (("6011", "6011"), ("644", "649"), ("65", "65"), ("622126", "622925")),
        frozenset(range(16, 20)),
    ),
    ("unionpay", (("62", "62"), ("81", "81")), frozenset(range(16, 20))),
    ("jcb", (("3528", "3589"),), frozenset(range(16, 20))),
    (
        "diners",
        (("300", "305"), ("3095", "3095"), ("36", "36"), ("38", "39")),
        frozenset(range(14, 20)),
    ),
    (
        "maestro",
        (("50", "50"), ("56", "58"), ("6304", "6304"), ("67", "67")),
        frozenset(range(12, 20)),
    ),
)


def card_brand(digits: str) -> str | None:
    """The card scheme whose prefix (IIN range) and length ``digits`` fit, if any."""
    if not _digits(digits):
        return None
    for brand, ranges, lengths in _BRANDS:
        for low, high in ranges:
            if low <= digits[: len(low)] <= high:
                return brand if len(digits) in lengths else None
    return None


def is_card_number(digits: str) -> bool:
    """A payment card number: a known brand's prefix and length, and the Luhn check."""
    return card_brand(digits) is not None and luhn(digits)


# --- Turkish identity and tax numbers ------------------------------------------------------


def tckn(digits: str) -> bool:
    """T.C. kimlik numarası: 11 digits, not starting with 0, two check digits."""
    if len(digits) != 11 or not _digits(digits) or digits[0] == "0":
        return False
    d = [int(c) for c in digits]
    tenth = (7 * sum(d[0:9:2]) - sum(d[1:8:2])) % 10
    return d[9] == tenth and d[10] == sum(d[:10]) % 10


def vkn(digits: str) -> bool:
    """Vergi kimlik numarası: 10 digits, the last a check digit over the first nine."""
    if len(digits) != 10 or not _digits(digits):
        return False
    total = 0
    for weight, char in enumerate(reversed(digits[:9]), start=1):
        shifted = (int(char) + weight) % 10
        if shifted:
            total += (shifted * 2**weight) % 9 or 9
    return (10 - total % 10) % 10 == int(digits[9])


# --- IBAN ----------------------------------------------------------------------------------

_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


def iban(text: str) -> bool:
    """An IBAN, with or without spaces and dashes, in either case: the country's registry
    length (15 to 34 for a country not in the table) and the mod-97 check."""
    compact = "".join(text.split()).replace("-", "").upper()
    if _IBAN_SHAPE.fullmatch(compact) is None:
        return False
    if len(compact) != _IBAN_LENGTHS.get(compact[:2], len(compact)):
        return False
    remainder = 0
    for char in compact[4:] + compact[:4]:
        value = int(char, 36)  # 0-9 as themselves, A=10 … Z=35
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder == 1


# --- phone numbers -------------------------------------------------------------------------

_TR_AREA_CODES = frozenset(str(code) for code in (  # the 81 provinces, and 392 (KKTC)
    212, 216, 222, 224, 226, 228, 232, 236, 242, 246, 248, 252, 256, 258, 262, 264, 266, 272, 274,
    276, 282, 284, 286, 288, 312, 318, 322, 324, 326, 328, 332, 338, 342, 344, 346, 348, 352, 354,
    356, 358, 362, 364, 366, 368, 370, 372, 374, 376, 378, 380, 382, 384, 386, 388, 392, 412, 414,
    416, 422, 424, 426, 428, 432, 434, 436, 438, 442, 446, 452, 454, 456, 458, 462, 464, 466, 472,
    474, 476, 478, 482, 484, 486, 488,
))  # fmt: skip
_TR_NON_GEOGRAPHIC = frozenset({"800", "822", "850", "888", "900"})


def _turkish_national(number: str) -> bool:
    if len(number) == 7:
        return number.startswith("444")  # 444 xx xx, dialled without an area code
    if len(number) != 10:
        return False
    return number[0] == "5" or number[:3] in _TR_AREA_CODES or number[:3] in _TR_NON_GEOGRAPHIC


def turkish_phone(digits: str) -> bool:
    """A Turkish number: 10 national digits (mobile 5xx, a geographic area code, 8xx/900),
    after an optional 0, 90 or 0090; or a 444 number."""
    if not _digits(digits):
        return False
    for prefix in ("0090", "90", "0"):
        national = digits[len(prefix) :]
        if digits.startswith(prefix) and len(national) in (7, 10) and _turkish_national(national):
            return True
    return _turkish_national(digits)


def _uk_national(number: str) -> bool:
    if len(number) == 10:
        return number[0] in "1235789"
    return len(number) == 9 and number[0] in "18"  # a few old area codes, 0800 1111


def uk_phone(digits: str) -> bool:
    """A UK number: 0 and 9 or 10 national digits, or the same after 44 or 0044."""
    if not _digits(digits):
        return False
    for prefix in ("0044", "44", "0"):
        if digits.startswith(prefix) and _uk_national(digits[len(prefix) :]):
            return True
    return False


def _nanp_national(number: str) -> bool:
    if len(number) != 10:
        return False
    area, exchange = number[:3], number[3:6]
    return (
        area[0] in "23456789"
        and area[1] != "9"  # N9X area codes are reserved
        and area[1:] != "11"
        and exchange[0] in "23456789"
        and exchange[1:] != "11"
    )


def us_phone(digits: str) -> bool:
    """A North American (NANP) number: NXX-NXX-XXXX, optionally after 1 or 001."""
    if not _digits(digits):
        return False
    for prefix in ("001", "1", ""):
        if digits.startswith(prefix) and _nanp_national(digits[len(prefix) :]):
            return True
    return False


def us_ssn(digits: str) -> bool:
    """A US social security number's shape: 9 digits, area not 000, 666 or 9xx, group not 00,
    serial not 0000 (there is no check digit)."""
    if len(digits) != 9 or not _digits(digits):
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


# National significant number lengths (min, max) by E.164 country code.
_COUNTRY_LENGTHS = {
    "7": (10, 10), "20": (8, 10), "27": (9, 9), "30": (10, 10), "31": (9, 9), "32": (8, 9),
    "33": (9, 9), "34": (9, 9), "36": (8, 9), "39": (6, 11), "40": (9, 9), "41": (9, 9),
    "43": (4, 13), "45": (8, 8), "46": (7, 13), "47": (8, 8), "48": (9, 9), "49": (6, 13),
    "52": (10, 10), "54": (10, 11), "55": (10, 11), "61": (9, 9), "62": (8, 12), "63": (8, 10),
    "64": (8, 10), "65": (8, 8), "66": (8, 9), "81": (9, 10), "82": (8, 10), "84": (9, 10),
    "86": (8, 11), "91": (10, 10), "92": (9, 10), "93": (9, 9), "94": (9, 9), "98": (10, 10),
    "212": (9, 9), "213": (8, 9), "216": (8, 8), "218": (8, 9), "234": (8, 10), "254": (9, 9),
    "351": (9, 9), "352": (4, 11), "353": (7, 9), "354": (7, 9), "355": (8, 9), "358": (5, 12),
    "359": (8, 9), "370": (8, 8), "371": (8, 8), "372": (7, 8), "373": (8, 8), "374": (8, 8),
    "375": (9, 9), "380": (9, 9), "381": (8, 9), "385": (8, 9), "386": (8, 8), "387": (8, 8),
    "389": (8, 8), "420": (9, 9), "421": (9, 9), "852": (8, 8), "886": (9, 9), "961": (7, 8),
    "962": (8, 9), "964": (10, 10), "966": (9, 9), "971": (8, 9), "972": (8, 9), "974": (8, 8),
    "994": (9, 9), "995": (9, 9), "998": (9, 9),
}  # fmt: skip
_BY_PLAN = {"1": _nanp_national, "44": _uk_national, "90": _turkish_national}


def international_phone(digits: str) -> bool:
    """A number in international form (country code first, after an optional 00): 8 to 15
    digits, a known country code and a national number of that country's length; Turkey, the
    UK and NANP by their own plans."""
    if not _digits(digits):
        return False
    number = digits[2:] if digits.startswith("00") else digits
    if not 8 <= len(number) <= 15:
        return False
    for size in (1, 2, 3):
        code, national = number[:size], number[size:]
        if code in _BY_PLAN:
            return _BY_PLAN[code](national)
        if code in _COUNTRY_LENGTHS:
            low, high = _COUNTRY_LENGTHS[code]
            return low <= len(national) <= high and national[0] != "0"
    return False
