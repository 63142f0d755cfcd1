"""The dashboard question both engines answer: filter + search -> count, 8 facets, first 20.

Sorted by TITLE then id so that the hub's and PostgreSQL's first pages are comparable
(relevance formulas differ between engines; a deterministic order does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from microcred_hub.index import FACETS, Index, RecordFilter, SortField
from microcred_hub.record import CredentialType, ParticipationForm, Status


@dataclass(frozen=True)
class Question:
    name: str
    filter: RecordFilter
    search: str | None
    graphql_filter: str = ""
    extra: dict[str, object] = field(default_factory=dict)


ACTIVE = (Status.ACTIVE,)
QUESTIONS: tuple[Question, ...] = (
    Question("data, active, EQF 4-6", RecordFilter(status=ACTIVE, eqf_level_min=4,
             eqf_level_max=6), "data", "{status: [ACTIVE], eqfLevelMin: 4, eqfLevelMax: 6}"),
    Question("duurzaam, NL", RecordFilter(issuer_country=("NL",)), "duurzaam",
             '{issuerCountry: ["NL"]}'),
    Question("management, online", RecordFilter(participation_form=(ParticipationForm.ONLINE,)),
             "management", "{participationForm: [ONLINE]}"),
    Question("māori, nzqa", RecordFilter(source=("nzqa",)), "māori", '{source: ["nzqa"]}'),
    Question("projektmanagement, de", RecordFilter(language=("de",)), "projektmanagement",
             '{language: ["de"]}'),
    Question("energies, micro, 50-200 h", RecordFilter(
        credential_type=(CredentialType.MICRO_CREDENTIAL,), hours_min=50, hours_max=200),
        "énergies", "{credentialType: [MICRO_CREDENTIAL], hoursMin: 50, hoursMax: 200}"),
    Question("análisis datos", RecordFilter(), "análisis datos", "{}"),
    Question("safety, EQF 4-5", RecordFilter(eqf_level=(4, 5)), "safety", "{eqfLevel: [4, 5]}"),
    Question("zorg, active", RecordFilter(status=ACTIVE), "zorg", "{status: [ACTIVE]}"),
    Question("no search, EQF 6, active", RecordFilter(eqf_level=(6,), status=ACTIVE), None,
             "{eqfLevel: [6], status: [ACTIVE]}"),
    Question("no search, US, 8-60 h", RecordFilter(issuer_country=("US",), hours_min=8,
             hours_max=60), None, '{issuerCountry: ["US"], hoursMin: 8, hoursMax: 60}'),
    Question("learners, stackable", RecordFilter(stackable=True), "learners",
             "{stackable: true}"),
)  # fmt: skip


@dataclass
class Answer:
    total: int
    facets: dict[str, dict[str, int]]
    first_ids: list[str]


def hub_answer(index: Index, question: Question) -> Answer:
    """What the hub's query path computes for one question (search, facets, first page)."""
    page = index.search(question.filter, question.search, (SortField.TITLE,), 20)
    facets = index.facets(question.filter, question.search)
    return Answer(
        total=page.total,
        facets={name: dict(facets[name]) for name in FACETS},
        first_ids=[record.id for record in page.records],
    )


def graphql_query(question: Question) -> str:
    """The same question as one GraphQL request."""
    args = f"filter: {question.graphql_filter or '{}'}"
    if question.search:
        args += f", search: {question.search!r}".replace("'", '"')
    facet_fields = " ".join(
        f"{name} {{ value count }}"
        for name in ("issuerCountry", "eqfLevel", "source", "participationForm",
                     "assessmentType", "credentialType", "language", "status")
    )  # fmt: skip
    return (
        f"{{ microcredentials({args}, sort: [TITLE], first: 20) {{ totalCount "
        f"edges {{ node {{ id title }} }} }} facets({args}) {{ {facet_fields} }} }}"
    )
