"""Fictional people: names, places and identifiers, unique per person and never real PII.

Identifiers are unique across people on purpose: identity resolution must only find the duplicates
the generator plants, never accidental collisions. Phones use fictional ranges (US 555-01xx, UK
07700 900xxx), emails use reserved example domains.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from hyperjourney.data.identities import normalize_email

REGION_WEIGHTS = {"us": 0.5, "eu": 0.22, "uk": 0.13, "apac": 0.15}
COUNTRIES = {
    "us": (("US", 0.9), ("CA", 0.1)),
    "eu": (("DE", 0.3), ("FR", 0.25), ("ES", 0.2), ("NL", 0.15), ("IE", 0.1)),
    "uk": (("GB", 1.0),),
    "apac": (("AU", 0.4), ("SG", 0.25), ("JP", 0.2), ("IN", 0.15)),
}
REGION_OF = {country: region for region, pairs in COUNTRIES.items() for country, _ in pairs}
# (IANA zone, standard UTC offset in hours): offsets place local business hours, DST is ignored.
TIMEZONES = {
    "US": (("America/New_York", -5), ("America/Chicago", -6), ("America/Denver", -7), ("America/Los_Angeles", -8)),
    "CA": (("America/Toronto", -5), ("America/Vancouver", -8)),
    "GB": (("Europe/London", 0),),
    "IE": (("Europe/Dublin", 0),),
    "DE": (("Europe/Berlin", 1),),
    "FR": (("Europe/Paris", 1),),
    "ES": (("Europe/Madrid", 1),),
    "NL": (("Europe/Amsterdam", 1),),
    "AU": (("Australia/Sydney", 10), ("Australia/Melbourne", 10), ("Australia/Perth", 8)),
    "SG": (("Asia/Singapore", 8),),
    "JP": (("Asia/Tokyo", 9),),
    "IN": (("Asia/Kolkata", 5.5),),
}
# Share of people in a country who prefer the local language over English.
LOCAL_LANGUAGE = {"DE": ("de", 0.45), "FR": ("fr", 0.5), "ES": ("es", 0.55), "US": ("es", 0.05)}
NAME_CULTURE = {"DE": "de", "FR": "fr", "ES": "es", "NL": "nl", "JP": "jp", "IN": "in", "SG": "sg"}

FIRST_NAMES = {
    "en": "James Mary Olivia Liam Emma Noah Ava Ethan Sophia Mason Isabella Lucas Mia Aiden Harper Elijah Amelia "
    "Grace Henry Chloe Jack Zoe Owen Nora Caleb Riley Dylan Aaliyah Marcus Jasmine Tyler Priya Andre Keisha "
    "Connor Fiona Wei Hannah Samuel Leah Gabriel Maya Jordan Tessa Darnell Imani Colin Megan Rahul Jane",
    "es": "Sofía Mateo Lucía Santiago Valentina Diego Camila Javier Elena Carlos Paula Alejandro Marta Andrés "
    "Carmen Luis Isabel Pablo Ana Miguel",
    "de": "Lukas Anna Jonas Lea Felix Hannah Maximilian Laura Paul Julia Leon Katharina Tobias Sophie Jan Clara "
    "Moritz Lena Florian Johanna",
    "fr": "Lucas Chloé Hugo Léa Louis Manon Arthur Camille Jules Inès Gabriel Sarah Théo Juliette Nathan Élise "
    "Raphaël Margaux Antoine Claire",
    "nl": "Daan Emma Sem Julia Lars Sanne Bram Fleur Thijs Lotte Ruben Anouk Jesse Eva Niels Iris",
    "jp": "Haruto Yui Sota Hina Ren Aoi Yuto Sakura Kaito Mei Riku Yuna Takumi Rin Kenji Emi",
    "in": "Aarav Ananya Vihaan Diya Arjun Isha Rohan Kavya Aditya Meera Karan Nisha Vikram Pooja Sanjay Riya",
    "sg": "Wei Jun Hui Min Jia Hao Xin Yi Kai Ling Zhi Hao Mei Ling Darren Rachel Marcus Cheryl Bryan Joanne",
}
LAST_NAMES = {
    "en": "Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Wilson,Anderson,Taylor,Thomas,Moore,Martin,"
    "Jackson,Thompson,White,Harris,Clark,Lewis,Robinson,Walker,Young,Allen,King,Wright,Scott,Nguyen,Hill,Green,"
    "Adams,Baker,Nelson,Carter,Mitchell,Patel,Roberts,Turner,Phillips,Campbell,Parker,Evans,Edwards,Collins,"
    "Stewart,Murphy,Cook,Rogers,Okafor,Kowalski,Doe",
    "es": "García,Martínez,López,Sánchez,González,Pérez,Rodríguez,Fernández,Gómez,Díaz,Moreno,Álvarez,Romero,"
    "Navarro,Torres,Ruiz,Ramírez,Flores",
    "de": "Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Koch,Richter,Klein,Wolf,"
    "Schröder,Neumann,Braun,Zimmermann",
    "fr": "Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefèvre,Michel,"
    "Garnier,Fontaine,Rousseau,Chevalier",
    "nl": "de Jong,Jansen,de Vries,van Dijk,Bakker,Visser,Smit,Meijer,de Boer,Mulder,Bos,Vos,Peters,Hendriks",
    "jp": "Sato,Suzuki,Takahashi,Tanaka,Watanabe,Ito,Yamamoto,Nakamura,Kobayashi,Kato,Yoshida,Yamada,Sasaki",
    "in": "Sharma,Verma,Gupta,Iyer,Reddy,Nair,Menon,Rao,Kapoor,Mehta,Joshi,Desai,Singh,Bose",
    "sg": "Tan,Lim,Lee,Ng,Ong,Wong,Goh,Chua,Chan,Koh,Teo,Ang,Yeo,Low",
}
CONSUMER_DOMAINS = ("example.com", "example.org", "example.net")
# Any NANP-shaped area code works: 555-0100..0199 lines are reserved for fiction in every one of them.
_US_AREA_CODES = [str(a) for a in range(201, 990) if a % 100 != 11 and a // 10 % 10 != 9]
_COUNTRY_CODES = {
    "IE": "353",
    "DE": "49",
    "FR": "33",
    "ES": "34",
    "NL": "31",
    "AU": "61",
    "SG": "65",
    "JP": "81",
    "IN": "91",
}


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str | None
    region: str
    country: str
    language: str
    timezone: str
    utc_offset: float
    age_band: str | None = None
    crm_id: str | None = None
    device_id: str | None = None
    cookie_id: str | None = None


@dataclass(frozen=True)
class Place:
    region: str
    country: str
    language: str
    timezone: str
    utc_offset: float


def ascii_slug(text: str) -> str:
    """Lowercase ASCII for email locals and domains: 'Müller' -> 'muller', 'de Jong' -> 'dejong'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


class People:
    """Draws people and hands out identifiers that no two people share."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._emails: set[str] = set()
        self._tokens: set[str] = set()
        self._us_numbers = [(a, n) for a in _US_AREA_CODES for n in range(100)]
        self._uk_numbers = list(range(1000))
        rng.shuffle(self._us_numbers)
        rng.shuffle(self._uk_numbers)
        self._other_numbers = {cc: rng.randrange(1000, 5000) for cc in _COUNTRY_CODES}
        self._crm = rng.randrange(10_000, 90_000)

    def place(self, country: str | None = None) -> Place:
        rng = self.rng
        if country is None:
            region = rng.choices(list(REGION_WEIGHTS), weights=list(REGION_WEIGHTS.values()))[0]
            pairs = COUNTRIES[region]
            country = rng.choices([c for c, _ in pairs], weights=[w for _, w in pairs])[0]
        zone, offset = rng.choice(TIMEZONES[country])
        language = "en"
        if country in LOCAL_LANGUAGE and rng.random() < LOCAL_LANGUAGE[country][1]:
            language = LOCAL_LANGUAGE[country][0]
        return Place(REGION_OF[country], country, language, zone, offset)

    def person(self, place: Place, *, domain: str | None = None, phone_share: float = 0.5) -> Person:
        """A new person at ``place``; ``domain`` gives a work address, otherwise a consumer one."""
        rng = self.rng
        culture = "es" if place.language == "es" else NAME_CULTURE.get(place.country, "en")
        first = rng.choice(FIRST_NAMES[culture].split())
        last = rng.choice(LAST_NAMES[culture].split(","))
        email = self._email(first, last, domain)
        phone = self.phone(place.country) if rng.random() < phone_share else None
        return Person(
            first, last, email, phone, place.region, place.country, place.language, place.timezone, place.utc_offset
        )

    def _email(self, first: str, last: str, domain: str | None) -> str:
        f, ln = ascii_slug(first), ascii_slug(last)
        rng = self.rng
        if domain is None:
            local = rng.choice(
                (f"{f}.{ln}", f"{f}{ln}", f"{f[0]}{ln}", f"{f}_{ln}", f"{f}.{ln}{rng.randrange(70, 100)}")
            )
            domain = rng.choice(CONSUMER_DOMAINS)
        else:
            local = rng.choice((f"{f}.{ln}", f"{f}.{ln}", f"{f[0]}{ln}", f"{f}"))
        candidate, n = f"{local}@{domain}", 1
        while normalize_email(candidate) in self._emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self._emails.add(normalize_email(candidate))
        return candidate

    def alias_email(self, person: Person) -> str:
        """A second, different address for the same person (a duplicate linked by another identifier)."""
        return self._email(person.first_name, person.last_name, self.rng.choice(CONSUMER_DOMAINS))

    def phone(self, country: str) -> str | None:
        """A fictional number in one of several everyday spellings; None once a fictional range runs out."""
        rng = self.rng
        if country in ("US", "CA"):  # North American numbering: fictional 555-01xx lines
            if not self._us_numbers:
                return None
            area, n = self._us_numbers.pop()
            return format_us_phone(area, f"01{n:02d}", rng.randrange(6))
        if country == "GB":
            if not self._uk_numbers:
                return None
            return format_intl_phone("44", f"7700900{self._uk_numbers.pop():03d}", rng.randrange(3))
        self._other_numbers[country] += 1
        return format_intl_phone(_COUNTRY_CODES[country], f"555{self._other_numbers[country]:05d}", rng.randrange(3))

    def token(self, prefix: str) -> str:
        """A random unique device or cookie id."""
        while True:
            value = f"{prefix}_{self.rng.getrandbits(64):016x}"
            if value not in self._tokens:
                self._tokens.add(value)
                return value

    def crm_id(self) -> str:
        self._crm += 1
        return f"003NW{self._crm:010d}"


def format_us_phone(area: str, line: str, style: int) -> str:
    exchange = "555"
    return (
        f"+1 ({area}) {exchange}-{line}",
        f"{area}-{exchange}-{line}",
        f"({area}) {exchange}-{line}",
        f"+1 {area} {exchange} {line}",
        f"+1{area}{exchange}{line}",
        f"{area}.{exchange}.{line}",
    )[style % 6]


def format_intl_phone(code: str, national: str, style: int) -> str:
    head, tail = national[:4], national[4:]
    return (f"+{code} {head} {tail}", f"+{code}{national}", f"00{code} {head} {tail}")[style % 3]


def respell_phone(phone: str, country: str, style: int) -> str:
    """The same number written another way, as a second profile of the same person would have it."""
    digits = "".join(c for c in phone if c.isdigit())
    if country in ("US", "CA"):
        line = digits[-10:]
        return format_us_phone(line[:3], line[6:], style)
    code = "44" if country == "GB" else _COUNTRY_CODES[country]
    national = digits[len(code) + (2 if phone.startswith("00") else 0) :]
    return format_intl_phone(code, national, style)


def recase_email(email: str, style: int) -> str:
    """The same address with different casing: identity resolution lowercases, a naive join does not."""
    local, _, domain = email.partition("@")
    if style % 3 == 0:
        return f"{local.title()}@{domain.title()}"
    if style % 3 == 1:
        return email.upper()
    return f"{local.capitalize()}@{domain}"
