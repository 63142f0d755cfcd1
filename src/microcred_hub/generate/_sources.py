"""One builder per source format: the fields a record of that register carries, with its quirks.

Each builder takes the draw function ``r`` (uniform in [0, 1)) and the record number and
returns the record's fields by attribute name; ``_records`` adds id, completeness, provenance.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from microcred_hub.generate import vocab
from microcred_hub.record import (
    AssessmentType,
    CredentialType,
    FieldOfStudy,
    LangString,
    Level,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    Skill,
    Stackability,
    Status,
    Supervision,
    Workload,
)

Draw = Callable[[], float]
Fields = dict[str, Any]
T = TypeVar("T")

NZQCF_TO_EQF = {1: 2, 2: 3, 3: 4, 4: 4, 5: 5, 6: 5, 7: 6, 9: 7, 10: 8}  # 8: none (RECORD.md)
HOURS_PER_ECTS = 27.5
EPOCH = datetime(2019, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 6 * 365 * 86400
EU_COUNTRIES = ("DE", "FR", "ES", "IE", "BE", "NL")
COUNTRY_LANG = {"DE": "de", "FR": "fr", "ES": "es", "IE": "en", "BE": "fr", "NL": "nl"}
CONJUNCTION = {"en": "and", "mi": "me", "nl": "en", "de": "und", "fr": "et", "es": "y"}


def pick(r: Draw, items: tuple[T, ...] | list[T]) -> T:
    return items[int(r() * len(items))]


def skewed(r: Draw, items: tuple[T, ...] | list[T]) -> T:
    """A few items are common, most are rare (registers have a long tail of providers)."""
    return items[int(r() * r() * len(items))]


class Providers:
    """A few thousand awarding bodies per country, the same for every seed."""

    def __init__(self) -> None:
        self.by_country: dict[str, list[tuple[str, str]]] = {}
        for country, (places, patterns) in vocab.PROVIDER_PARTS.items():
            names = [p.format(p=place) for p in patterns for place in places]
            # Departments multiply the long tail the way real issuers' sub-units do.
            names += [f"{name}, {dept}" for name in names[:60] for dept in _DEPARTMENTS]
            self.by_country[country] = [
                (name, f"{country.lower()}-{i:05d}") for i, name in enumerate(names)
            ]

    def draw(self, r: Draw, country: str) -> Organisation:
        name, ident = skewed(r, self.by_country[country])
        return Organisation(name=name, id=ident, country=country)

    def __len__(self) -> int:
        return sum(len(names) for names in self.by_country.values())


_DEPARTMENTS = (
    "School of Business", "Faculty of Health", "Centre for Lifelong Learning",
    "School of Engineering", "Faculty of Education", "Institute for Data Science",
    "School of Nursing", "Digital Academy", "Centre for Sustainability", "Language Centre",
)  # fmt: skip
PROVIDERS = Providers()


def title_text(r: Draw, lang: str) -> str:
    topic = pick(r, vocab.TOPICS[lang])
    text = pick(r, vocab.TITLE_PATTERNS[lang]).format(t=topic)
    roll = r()
    if roll < 0.3:
        text = f"{text} {CONJUNCTION[lang]} {pick(r, vocab.TOPICS[lang])}"
    elif roll < 0.45:
        text = f"{text} {int(r() * 4) + 1}"
    elif roll < 0.55:
        text = f"{text} ({2019 + int(r() * 7)})"
    return text[0].upper() + text[1:]


def sentences(r: Draw, pool: dict[str, tuple[str, ...]], lang: str, count: int) -> str:
    return " ".join(pick(r, pool[lang]).format(t=pick(r, vocab.TOPICS[lang])) for _ in range(count))


def texts(
    r: Draw, pool: dict[str, tuple[str, ...]], langs: tuple[str, ...], chance: float
) -> tuple[LangString, ...]:
    if r() >= chance:
        return ()
    return tuple(
        LangString(value=sentences(r, pool, lang, 1 + int(r() * 3)), lang=lang) for lang in langs
    )


def instant(r: Draw) -> datetime:
    return EPOCH + timedelta(seconds=int(r() * SPAN_SECONDS))


def day(r: Draw) -> date:
    return (EPOCH + timedelta(days=int(r() * 2000))).date()


def skills(r: Draw, chance: float, with_uri: bool) -> tuple[Skill, ...]:
    if r() >= chance:
        return ()
    chosen = {pick(r, vocab.SKILLS) for _ in range(1 + int(r() * 3))}
    return tuple(
        Skill(
            label=label,
            uri=f"http://data.europa.eu/esco/skill/{zlib.crc32(label.encode()):08x}"
            if with_uri
            else None,
            framework="ESCO" if with_uri else None,
        )
        for label, _ in sorted(chosen)
    )


def enums(r: Draw, members: tuple[T, ...], chance: float) -> tuple[T, ...]:
    if r() >= chance:
        return ()
    first = pick(r, members)
    second = pick(r, members) if r() < 0.3 else first
    return (first,) if second == first else (first, second)


_FORMS = tuple(ParticipationForm)[:5]
_ASSESS = tuple(AssessmentType)[:4]
_STATUS = (Status.ACTIVE,) * 17 + (Status.EXPIRED, Status.EXPIRED, Status.WITHDRAWN)


def status(r: Draw) -> Status:
    return pick(r, _STATUS)


def nzqa(r: Draw, n: int) -> Fields:
    bilingual = r() < 0.12
    title = title_text(r, "mi" if bilingual else "en")
    titles: tuple[LangString, ...] = (LangString(value=title, lang="en"),)
    if bilingual:
        titles = (*titles, LangString(value=title_text(r, "mi"), lang="mi"))
    credits = pick(r, (5, 5, 10, 10, 10, 15, 15, 20, 30, 40))
    nz_level = pick(r, (2, 3, 4, 4, 5, 5, 6, 7, 8, 8, 9))
    org = PROVIDERS.draw(r, "NZ")
    code, label = pick(r, vocab.NZSCED)
    return {
        "local_id": f"MC{n + 1000}",
        "title": title,
        "titles": titles,
        "credential_type": CredentialType.MICRO_CREDENTIAL,
        "url": f"https://www.nzqa.govt.nz/nzqf/search/viewQualification.do?selectedItemKey=MC{n}",
        "description": texts(r, vocab.DESCRIPTIONS, ("en",), 0.9),
        "learning_outcomes": texts(r, vocab.OUTCOMES, ("en",), 0.85),
        "issuer_country": ("NZ",),
        "awarding_bodies": (org,),
        "workload": Workload(
            ects=credits * 0.5,
            hours=float(credits * 10),
            derived=True,
            original_value=str(credits),
            original_unit="NZ credits",
        ),
        "level": Level(
            eqf=NZQCF_TO_EQF.get(nz_level),
            framework="NZQCF",
            framework_level=str(nz_level),
            derived=True,
        ),
        "participation_forms": enums(r, _FORMS, 0.35),
        "quality_assurance": QualityAssurance(name="NZQA approval", body="NZQA")
        if r() < 0.8
        else QualityAssurance(name="CUAP approval", body="Universities New Zealand – CUAP"),
        "languages": ("mi", "en") if bilingual else ("en",),
        "fields_of_study": (FieldOfStudy(scheme="NZSCED", code=code, label=label),),
        "skills": skills(r, 0.2, with_uri=False),
        "framework_listed": True,
        "status": status(r),
        "valid_from": day(r),
        "updated_at": instant(r),
    }


def edubadges(r: Draw, n: int) -> Fields:
    lang = "nl" if r() < 0.75 else "en"
    title = title_text(r, lang)
    titles: tuple[LangString, ...] = (LangString(value=title, lang=lang),)
    if lang == "nl" and r() < 0.4:
        titles = (*titles, LangString(value=title_text(r, "en"), lang="en"))
    ects = pick(r, (0.5, 1.0, 1.0, 2.0, 2.5, 3.0, 3.0, 4.0, 5.0, 7.5, 15.0))
    warnings: tuple[str, ...] = ()
    level = None
    if r() < 0.7:
        level = Level(eqf=pick(r, (4, 5, 5, 6, 6, 6, 7)), derived=False)
    elif r() < 0.1:
        level = Level(framework="EQF", framework_level="3.5")
        warnings = ("EQF 3.5 is not an integer 1-8; kept as original",)
    country = "NL"
    if r() < 0.01:
        country, warnings = "GB", (*warnings, "country EN read as GB")
    supervised = r() < 0.6
    return {
        "local_id": _entity_id(r),
        "title": title,
        "titles": titles,
        "credential_type": CredentialType.MICRO_CREDENTIAL if r() < 0.7 else CredentialType.BADGE,
        "url": None,
        "description": texts(r, vocab.DESCRIPTIONS, (lang,), 0.95),
        "learning_outcomes": texts(r, vocab.OUTCOMES, (lang,), 0.5),
        "issuer_country": (country,),
        "awarding_bodies": (PROVIDERS.draw(r, "NL"),),
        "workload": Workload(
            ects=ects,
            hours=round(ects * HOURS_PER_ECTS, 2),
            derived=True,
            original_value=f"{ects:g}",
            original_unit="ECTS",
        ),
        "level": level,
        "assessment_types": enums(r, _ASSESS, 0.6),
        "participation_forms": enums(r, _FORMS, 0.6),
        "quality_assurance": QualityAssurance(name="Pilot Microcredentials Hoger Onderwijs")
        if r() < 0.5
        else None,
        "supervision": pick(r, tuple(Supervision)) if supervised else None,
        "stackability": pick(r, tuple(Stackability)) if r() < 0.5 else None,
        "languages": (lang,),
        "skills": skills(r, 0.4, with_uri=True),
        "framework_listed": False,
        "status": status(r),
        "updated_at": instant(r),
        "warnings": warnings,
    }


def elm(r: Draw, n: int) -> Fields:
    country = pick(r, EU_COUNTRIES)
    local = COUNTRY_LANG[country]
    langs = (local, "en") if local != "en" and r() < 0.5 else (local,)
    titles = tuple(LangString(value=title_text(r, lang), lang=lang) for lang in langs)
    display = next((t.value for t in titles if t.lang == "en"), titles[0].value)
    ects = pick(r, (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 10.0))
    by_duration = r() < 0.2
    hours = float(pick(r, (25, 40, 60, 80, 120))) if by_duration else ects * HOURS_PER_ECTS
    return {
        "local_id": f"urn:epass:learningAchievementSpec:{n:08x}-{int(r() * 1e9):09d}",
        "title": display,
        "titles": titles,
        "credential_type": CredentialType.MICRO_CREDENTIAL,
        "url": f"https://europass.europa.eu/en/learning-opportunity/{n:08x}",
        "description": texts(r, vocab.DESCRIPTIONS, langs, 0.8),
        "learning_outcomes": texts(r, vocab.OUTCOMES, langs, 0.9),
        "issuer_country": (country,),
        "awarding_bodies": (PROVIDERS.draw(r, country),),
        "workload": Workload(
            ects=round(hours / HOURS_PER_ECTS, 1) if by_duration else ects,
            hours=hours,
            derived=True,
            original_value=f"PT{hours:g}H" if by_duration else f"{ects:g}",
            original_unit="ISO 8601 duration" if by_duration else "ECTS",
        )
        if r() < 0.9
        else None,
        "level": Level(eqf=pick(r, (3, 4, 5, 6, 6, 7, 8)), derived=False) if r() < 0.85 else None,
        "assessment_types": enums(r, _ASSESS, 0.8),
        "participation_forms": enums(r, _FORMS, 0.8),
        "quality_assurance": QualityAssurance(
            name="Internal QA", body="National QA agency", url="https://www.eqar.eu/"
        )
        if r() < 0.7
        else None,
        "supervision": pick(r, tuple(Supervision)) if r() < 0.5 else None,
        "stackability": pick(r, tuple(Stackability)) if r() < 0.6 else None,
        "languages": langs,
        "fields_of_study": (FieldOfStudy(scheme="ISCED-F", code=(c := pick(r, vocab.ISCED))[0],
                                         label=c[1]),),
        "skills": skills(r, 0.7, with_uri=True),
        "framework_listed": None,
        "status": status(r),
        "valid_from": day(r) if r() < 0.5 else None,
        "valid_until": day(r) if r() < 0.2 else None,
        "updated_at": instant(r),
    }  # fmt: skip


def ctdl(r: Draw, n: int) -> Fields:
    lang = "en" if r() < 0.85 else "es"
    title = title_text(r, lang)
    warnings: tuple[str, ...] = ()
    if r() < 0.15:  # US credit units have no conversion: original only
        units = str(pick(r, (1, 2, 3, 4)))
        workload = Workload(original_value=units, original_unit="semester hours")
        warnings = (f'credits {units} with "semester hours" have no conversion; kept',)
    elif r() < 0.8:
        hours = float(pick(r, (8, 12, 20, 40, 45, 60, 90, 120, 160)))
        workload = Workload(
            ects=round(hours / HOURS_PER_ECTS, 1),
            hours=hours,
            derived=True,
            original_value=f"PT{hours:g}H",
            original_unit="ISO 8601 duration",
        )
    else:
        workload = None
    audience = pick(r, ("Beginner", "Intermediate", "Advanced", "Professional"))
    kinds = tuple(CredentialType)[:5]
    return {
        "local_id": f"ce-{int(r() * 2**32):08x}-{n:08x}",
        "title": title,
        "titles": (LangString(value=title, lang=lang),),
        "credential_type": pick(r, kinds),
        "url": f"https://credentialfinder.org/credential/{n}",
        "description": texts(r, vocab.DESCRIPTIONS, (lang,), 0.9),
        "learning_outcomes": texts(r, vocab.OUTCOMES, (lang,), 0.3),
        "issuer_country": ("US",),
        "awarding_bodies": (PROVIDERS.draw(r, "US"),),
        "workload": workload,
        "level": Level(framework="US audience level", framework_level=audience)
        if r() < 0.4
        else None,
        "assessment_types": enums(r, _ASSESS, 0.3),
        "participation_forms": enums(r, _FORMS, 0.7),
        "languages": (lang,),
        "skills": skills(r, 0.5, with_uri=False),
        "status": status(r),
        "updated_at": instant(r) if r() < 0.9 else None,
        "warnings": warnings,
    }


def openbadges(r: Draw, n: int) -> Fields:
    country = pick(r, ("GB", "US", "AU", "NL", "DE", "IE"))
    lang = {"NL": "nl", "DE": "de"}.get(country, "en")
    title = title_text(r, lang)
    credits = pick(r, ("1", "2", "3", "5"))
    has_credits = r() < 0.4
    return {
        "local_id": f"https://badges.example/{country.lower()}/achievements/{n}",
        "title": title,
        "titles": (LangString(value=title, lang=lang),),
        "credential_type": CredentialType.MICRO_CREDENTIAL if r() < 0.4 else CredentialType.BADGE,
        "description": texts(r, vocab.DESCRIPTIONS, (lang,), 0.9),
        "issuer_country": (country,) if r() < 0.8 else (),
        "awarding_bodies": (PROVIDERS.draw(r, country),) if r() < 0.95 else (),
        "workload": Workload(original_value=credits, original_unit="credits")
        if has_credits
        else None,
        "languages": (lang,) if r() < 0.7 else (),
        "skills": skills(r, 0.6, with_uri=True),
        "status": status(r) if r() < 0.7 else Status.UNKNOWN,
        "updated_at": instant(r),
        "warnings": ("credits 3 with no unit have no conversion to hours or ECTS; kept",)
        if has_credits
        else (),
    }


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _entity_id(r: Draw) -> str:
    return "".join(_ALPHABET[int(r() * 64)] for _ in range(22))


#: source key -> (builder, connector, share of the catalogue)
BUILDERS: dict[str, tuple[Callable[[Draw, int], Fields], str, float]] = {
    "nzqa": (nzqa, "nzqa", 0.25),
    "edubadges": (edubadges, "edubadges", 0.25),
    "elm": (elm, "elm", 0.25),
    "ctdl": (ctdl, "ctdl", 0.15),
    "openbadges": (openbadges, "openbadges", 0.10),
}
