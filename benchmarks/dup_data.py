"""Labelled cross-register listings for the duplicate benchmark (deterministic per seed).

An *offer* is one micro-credential of one awarding body. Each offer is listed by one to three
registers, each in the shape its connector gives (RECORD.md per-source notes): edubadges in
Dutch with EC and EQF and the public badge URL; Europass/ELM with English and Dutch titles,
ECTS, EQF, a homepage (sometimes with tracking parameters) and sometimes a sameAs to the
badge; CTDL in English with hours, no EQF and a subject webpage; Open Badges 3 with
unit-less credits; NZQA-like with NZ credits and NZQCF levels. Listings of one offer vary as
real ones do: title case and punctuation, word order, translated titles, provider name
variants, ECTS in one and hours in another, URLs with and without tracking parameters.

Hard negatives are separate offers: the same provider's "Data Analysis I" and "II"; a level-4
and a level-5 version with different workloads; the same title from providers of the same
name pattern in different countries.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from microcred_hub.normalise.identity import identifiers
from microcred_hub.record import (
    Completeness,
    Identifier,
    LangString,
    Level,
    Microcredential,
    Organisation,
    Provenance,
    Workload,
)

FETCHED = datetime(2026, 1, 1, tzinfo=UTC)

TOPICS: list[tuple[str, str, str]] = [  # en, nl, de
    ("Data Analysis", "Data-analyse", "Datenanalyse"),
    ("Machine Learning", "Machine learning", "Maschinelles Lernen"),
    ("Project Management", "Projectmanagement", "Projektmanagement"),
    ("Cyber Security", "Cyberbeveiliging", "Cybersicherheit"),
    ("Circular Economy", "Circulaire economie", "Kreislaufwirtschaft"),
    ("Public Health", "Volksgezondheid", "Öffentliche Gesundheit"),
    ("Sustainable Energy Systems", "Duurzame energiesystemen", "Nachhaltige Energiesysteme"),
    ("Digital Marketing", "Digitale marketing", "Digitales Marketing"),
    ("Supply Chain Management", "Ketenbeheer", "Lieferkettenmanagement"),
    ("Python Programming", "Programmeren in Python", "Programmierung mit Python"),
    ("Academic Writing", "Academisch schrijven", "Wissenschaftliches Schreiben"),
    ("Leadership in Healthcare", "Leiderschap in de zorg", "Führung im Gesundheitswesen"),
    ("Water Management", "Waterbeheer", "Wassermanagement"),
    ("Artificial Intelligence Ethics", "Ethiek van kunstmatige intelligentie", "KI-Ethik"),
    ("Financial Accounting", "Financiële verslaggeving", "Finanzbuchhaltung"),
    ("Urban Planning", "Stedelijke planning", "Stadtplanung"),
    ("Clinical Research Methods", "Klinische onderzoeksmethoden", "Klinische Forschungsmethoden"),
    ("Teaching with Technology", "Lesgeven met technologie", "Lehren mit Technologie"),
    ("Renewable Hydrogen", "Groene waterstof", "Grüner Wasserstoff"),
    ("Geographic Information Systems", "Geografische informatiesystemen", "Geoinformationssysteme"),
    ("Intercultural Communication", "Interculturele communicatie", "Interkulturelle Kommunikation"),
    ("Biomedical Imaging", "Biomedische beeldvorming", "Biomedizinische Bildgebung"),
    ("Entrepreneurship", "Ondernemerschap", "Unternehmertum"),
    ("Cloud Computing", "Cloud computing", "Cloud-Computing"),
    ("Food Safety", "Voedselveiligheid", "Lebensmittelsicherheit"),
    ("Robotics", "Robotica", "Robotik"),
    ("Human Resource Management", "Personeelsmanagement", "Personalmanagement"),
    ("Statistics for Social Sciences", "Statistiek voor sociale wetenschappen", "Statistik"),
    ("Blockchain Fundamentals", "Basis van blockchain", "Blockchain-Grundlagen"),
    ("Climate Adaptation", "Klimaatadaptatie", "Klimaanpassung"),
    ("Mental Health First Aid", "Eerste hulp bij psychische problemen", "Erste Hilfe"),
    ("Quantum Computing", "Quantumcomputing", "Quantencomputing"),
    ("Software Testing", "Softwaretesten", "Softwaretests"),
    ("Tourism Management", "Toerismemanagement", "Tourismusmanagement"),
    ("Construction Safety", "Veiligheid in de bouw", "Arbeitssicherheit am Bau"),
    ("Nursing Informatics", "Verpleegkundige informatica", "Pflegeinformatik"),
]
QUALIFIERS = [  # en, nl, de
    ("for Professionals", "voor professionals", "für Fachkräfte"),
    ("in Practice", "in de praktijk", "in der Praxis"),
    ("for Managers", "voor managers", "für Führungskräfte"),
    ("and Society", "en samenleving", "und Gesellschaft"),
    ("in Education", "in het onderwijs", "in der Bildung"),
]
CITIES = {
    "NL": ["Groningen", "Utrecht", "Amsterdam", "Rotterdam", "Leiden", "Tilburg", "Maastricht",
           "Twente", "Nijmegen", "Eindhoven", "Delft", "Wageningen", "Zwolle", "Breda"],
    "IE": ["Dublin", "Galway", "Limerick", "Cork", "Maynooth", "Waterford"],
    "DE": ["Berlin", "Hamburg", "Köln", "München", "Bremen", "Leipzig", "Kassel"],
    "NZ": ["Auckland", "Otago", "Canterbury", "Waikato", "Massey", "Lincoln"],
    "US": ["Dayton", "Northwind", "Riverside", "Lakeside", "Springfield", "Madison"],
}  # fmt: skip
#: (kind, spellings by language) of an awarding body name: {c} is the city
KINDS = [
    ("univ", ["University of {c}", "Universiteit {c}", "{c} University", "Rijksuniversiteit {c}"]),
    ("uas", ["Hogeschool {c}", "{c} University of Applied Sciences", "Hogeschool {c} (HS{i})"]),
    ("tech", ["Technische Universiteit {c}", "{c} University of Technology"]),
    ("college", ["{c} Community College", "{c} College"]),
    ("inst", ["Institute of Technology {c}", "{c} Institute of Technology"]),
]


_SYLLABLES = ("val", "kir", "bro", "mer", "tan", "dor", "lin", "sha", "wes", "mon", "bel",
              "cas", "har", "nor", "pel", "ros", "ter", "vin", "gal", "hol")  # fmt: skip


def place(country: str, k: int) -> str:
    """A made-up town name, distinct per (country, k): real names run out at scale."""
    offset = sum(map(ord, country))
    a, b, c = k % 20, (k // 20 + offset) % 20, (k // 400 + offset // 20) % 20
    return (
        _SYLLABLES[a] + _SYLLABLES[b] + _SYLLABLES[c] + ("" if k < 8000 else str(k // 8000))
    ).title()


@dataclass(frozen=True)
class Provider:
    key: str
    country: str
    names: tuple[str, ...]  # spellings registers use, first = official
    org_id: str


@dataclass(frozen=True)
class Offer:
    key: str
    provider: Provider
    topic: int
    variant: str  # "" or " I" / " II" / " (Level 4)"...
    qualifier: int  # -1: none, else an index of QUALIFIERS
    ects: float
    eqf: int
    slug: str


def providers(r: random.Random, count: int) -> list[Provider]:
    """Bodies with unique names within a country and kind; one city has bodies of several
    kinds ("Universiteit Utrecht" and "Hogeschool Utrecht" are two bodies)."""
    found = []
    counters: dict[tuple[str, str], int] = {}
    for n in range(count):
        country = r.choice(list(CITIES))
        kind, spellings = r.choice(KINDS)
        k = counters[country, kind] = counters.get((country, kind), -1) + 1
        cities = CITIES[country]
        city = cities[k] if k < len(cities) else place(country, k)
        names = tuple(s.format(c=city, i=n) for s in spellings)
        if n % 50 in (3, 28):  # one name, two bodies in two countries: only the country differs
            if n % 50 == 28:
                country = r.choice([c for c in CITIES if c != found[n - 25].country])
            names = (f"International Business School {place('XX', n // 50)}",)
        found.append(
            Provider(f"p{n}", country, names, f"https://orgs.example/{country}/{kind}/{n}")
        )
    return found


def offers(r: random.Random, provider_list: list[Provider], count: int) -> Iterator[Offer]:
    """Offers of skewed providers; one provider never offers one title twice (it would be
    one offer), except the hard negatives, whose words match but stage or level differ."""
    taken: set[tuple[str, int, int]] = set()
    for n in range(count):
        while True:
            provider = provider_list[int(r.random() ** 1.6 * len(provider_list))]
            topic = r.randrange(len(TOPICS))
            qualifier = r.randrange(len(QUALIFIERS)) if r.random() < 0.3 else -1
            if (provider.key, topic, qualifier) not in taken:
                taken.add((provider.key, topic, qualifier))
                break
        ects = r.choice([2.0, 3.0, 4.0, 5.0, 6.0, 7.5, 10.0, 15.0])
        eqf = r.choice([4, 5, 6, 6, 7, 7])
        base = Offer(f"o{n}", provider, topic, "", qualifier, ects, eqf, f"mc-{n}")
        roll = r.random()
        if roll < 0.06:  # a sequel: same provider, same words, another stage
            yield Offer(base.key + "a", provider, topic, " I", qualifier, ects, eqf, f"mc-{n}-1")
            yield Offer(base.key + "b", provider, topic, " II", qualifier, ects, eqf, f"mc-{n}-2")
        elif roll < 0.10:  # a level-4 and a level-5 version with different workloads
            yield Offer(base.key + "a", provider, topic, "", qualifier, 5.0, 4, f"mc-{n}-l4")
            yield Offer(base.key + "b", provider, topic, "", qualifier, 10.0, 5, f"mc-{n}-l5")
        else:
            yield base


def _restyle(r: random.Random, title: str) -> str:
    roll = r.random()
    if roll < 0.2:
        return title.lower()
    if roll < 0.3:
        return title.upper()
    if roll < 0.4:
        return title.replace(" ", " - ", 1) if " " in title else title + "."
    if roll < 0.5:
        return f"Micro-credential {title}"
    if roll < 0.55:
        words = title.split()
        return " ".join(words[1:] + words[:1]) if len(words) > 1 else title
    return title


def _url(r: random.Random, host: str, slug: str) -> str:
    url = f"https://{host}/micro-credentials/{slug}"
    roll = r.random()
    if roll < 0.2:
        return url + "/?utm_source=europass&utm_medium=listing"
    if roll < 0.3:
        return url.replace("https://", "http://www.") + "/"
    return url


@dataclass
class Listing:
    source: str
    local_id: str
    offer: str
    record: Microcredential


def _record(source: str, local_id: str, **fields: object) -> Microcredential:
    present = sum(
        bool(fields.get(k)) for k in ("awarding_bodies", "issuer_country", "workload", "level")
    )
    score = round((1 + present + int(fields.pop("extra", 0))) / 9, 4)  # type: ignore[call-overload]
    return Microcredential(
        id=f"{source}:{local_id}",
        source=source,
        local_id=local_id,
        completeness=Completeness(score=score),
        provenance=Provenance(
            source=source, connector=source, connector_version="1", fetched_at=FETCHED,
            content_hash=f"sha256:{source}{local_id}",
        ),
        **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def listings(r: random.Random, offer: Offer, n: int) -> Iterator[Listing]:
    """The registers' listings of one offer (one to three, as registers overlap)."""
    p = offer.provider
    en, nl, de = TOPICS[offer.topic]
    if offer.qualifier >= 0:
        q_en, q_nl, q_de = QUALIFIERS[offer.qualifier]
        en, nl, de = f"{en} {q_en}", f"{nl} {q_nl}", f"{de} {q_de}"
    variant = offer.variant
    if offer.eqf == 4 and offer.key.endswith("a") and offer.slug.endswith("l4"):
        variant = " (Level 4)" if r.random() < 0.5 else ""
    if offer.slug.endswith("l5"):
        variant = " (Level 5)" if r.random() < 0.5 else ""
    host = f"{p.key}.example.{p.country.lower()}"
    url = _url(r, host, offer.slug)
    body = lambda: Organisation(  # noqa: E731
        name=r.choice(p.names), id=None, country=p.country if r.random() < 0.8 else None
    )
    # registers list the countries they cover: edubadges the Netherlands, Europass Europe,
    # Credential Engine the USA, NZQA New Zealand; Open Badges documents come from anywhere
    registers = {
        "NL": ["edubadges", "elm", "openbadges"],
        "NZ": ["nzqa", "openbadges"],
        "US": ["ctdl", "openbadges"],
    }.get(p.country, ["elm", "openbadges"])
    roll = r.random()
    count = 1 if roll < 0.45 else 2 if roll < 0.85 else 3
    chosen = r.sample(registers, min(count, len(registers)))
    badge_url = f"https://api.edubadges.example/public/badges/{p.key}{offer.slug}"
    for source in chosen:
        local = f"{offer.key}-{n}-{source}"
        if source == "edubadges":
            title = _restyle(r, (nl if p.country == "NL" else en) + variant)
            record = _record(
                source, local, title=title,
                titles=(LangString(value=title, lang="nl" if p.country == "NL" else "en"),),
                awarding_bodies=(body(),), issuer_country=(p.country,),
                workload=Workload(ects=offer.ects, hours=offer.ects * 27.5, derived=True),
                level=Level(eqf=offer.eqf), url=badge_url, extra=r.randrange(3),
                identifiers=identifiers([("uri", badge_url), ("url", badge_url)]),
            )  # fmt: skip
        elif source == "elm":
            titles = [LangString(value=_restyle(r, en + variant), lang="en")]
            if p.country == "NL" or r.random() < 0.2:
                titles.append(LangString(value=nl + variant, lang="nl"))
            if p.country == "DE":
                titles.append(LangString(value=de + variant, lang="de"))
            same = [("uri", badge_url)] if "edubadges" in chosen and r.random() < 0.3 else []
            spec = f"https://europass.example/spec/{offer.slug}-{n}"
            record = _record(
                source, local, title=titles[0].value, titles=tuple(titles),
                awarding_bodies=(body(),), issuer_country=(p.country,),
                workload=Workload(ects=offer.ects, hours=offer.ects * 27.5, derived=True),
                level=Level(eqf=offer.eqf), url=url, extra=3 + r.randrange(3),
                identifiers=identifiers([("uri", spec), *same, ("url", url)]),
            )  # fmt: skip
        elif source == "ctdl":
            title = _restyle(r, en + variant)
            hours = round(offer.ects * r.choice([25, 27.5, 28, 30]))
            page = _url(r, host, offer.slug) if r.random() < 0.5 else f"https://{host}/catalog"
            record = _record(
                source, local, title=title, titles=(LangString(value=title, lang="en"),),
                awarding_bodies=(body(),), issuer_country=(p.country,),
                workload=Workload(hours=float(hours), ects=round(hours / 27.5, 1), derived=True),
                level=Level(framework="US audience level", framework_level="Professional"),
                url=page, extra=r.randrange(4),
                identifiers=identifiers(
                    [("ctid", f"ce-00000000-0000-4000-8000-{n:012d}"), ("url", page)]
                ),
            )  # fmt: skip
        elif source == "openbadges":
            dutch = p.country == "NL" and r.random() < 0.5
            title = _restyle(r, (nl if dutch else en) + variant)
            achievement = f"https://badges.example/achievements/{offer.slug}-{n}"
            record = _record(
                source, local, title=title,
                titles=(LangString(value=title, lang="nl" if dutch else "en"),),
                awarding_bodies=(body(),), issuer_country=(p.country,) if r.random() < 0.7 else (),
                workload=Workload(original_value=str(offer.ects), original_unit="credits"),
                url=achievement + "/criteria", extra=r.randrange(2),
                identifiers=identifiers([("uri", achievement), ("url", achievement + "/criteria")]),
            )  # fmt: skip
        else:  # nzqa: credits (10 h) and NZQCF levels
            credits = round(offer.ects * 2)
            title = _restyle(r, en + variant)
            nzqcf = {4: "4", 5: "5", 6: "6", 7: "7"}[offer.eqf]
            record = _record(
                source, local, title=title, titles=(LangString(value=title, lang="en"),),
                awarding_bodies=(body(),), issuer_country=("NZ",),
                workload=Workload(hours=credits * 10.0, ects=credits / 2, derived=True),
                level=Level(eqf={"4": 4, "5": 5, "6": 5, "7": 6}[nzqcf], framework="NZQCF",
                            framework_level=nzqcf, derived=True),
                url=url, extra=2 + r.randrange(3),
                identifiers=identifiers([("url", url)]),
            )  # fmt: skip
        yield Listing(source, local, offer.key, record)


def corpus(records: int, seed: int = 7) -> tuple[list[Microcredential], dict[str, str]]:
    """About ``records`` listings and, per record id, the offer it lists (the labels)."""
    r = random.Random(seed)
    provider_list = providers(r, max(40, records // 25))
    found: list[Microcredential] = []
    labels: dict[str, str] = {}
    for n, offer in enumerate(offers(r, provider_list, records)):
        for listing in listings(r, offer, n):
            found.append(listing.record)
            labels[listing.record.id] = listing.offer
        if len(found) >= records:
            break
    return found, labels


__all__ = ["Identifier", "corpus"]
