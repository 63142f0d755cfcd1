"""PostgreSQL holding the same records, indexed as a good engineer would, answering the same
question in SQL. Everything lives in schema ``mch_bench``; nothing outside it is touched."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from questions import QUESTIONS, Answer, Question

from microcred_hub.index import FACETS
from microcred_hub.index.text import (
    STEMMER_LANGUAGES,
    _body_texts,
    _default_lang,
    search_fold,
    stem_language,
)
from microcred_hub.index.text import _title_texts as title_texts
from microcred_hub.record import Microcredential, Stackability

SCHEMA = "mch_bench"
LAYOUT_VERSION = "4"
#: hub stemming language -> PostgreSQL text search configuration
CONFIGS = {"en": "english", "nl": "dutch", "de": "german", "fr": "french", "es": "spanish"}
TEXT_COLUMNS = tuple(f"t_{lang}" for lang in CONFIGS)

DDL = f"""
CREATE TABLE {SCHEMA}.records (
  id text NOT NULL, title_key text NOT NULL, source text NOT NULL,
  issuer_country text[] NOT NULL, eqf smallint, participation text[] NOT NULL,
  assessment text[] NOT NULL, credential_type text NOT NULL, languages text[] NOT NULL,
  status text NOT NULL, stackability text, framework_listed boolean, ects float8, hours float8,
  t_all text NOT NULL, {", ".join(f"{c} text NOT NULL" for c in TEXT_COLUMNS)},
  tsv_simple tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', {SCHEMA}.f_unaccent(t_all))) STORED,
  {
    ", ".join(
        f"tsv_{lang} tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('{cfg}', {SCHEMA}.f_unaccent(t_{lang}))) STORED"
        for lang, cfg in CONFIGS.items()
    )
}
)"""
INDEXES = (
    *(f"CREATE INDEX ON {{s}}.records USING gin (tsv_{lang})" for lang in ("simple", *CONFIGS)),
    "CREATE INDEX ON {s}.records (source)",
    "CREATE INDEX ON {s}.records (status)",
    "CREATE INDEX ON {s}.records (credential_type)",
    "CREATE INDEX ON {s}.records (eqf)",
    "CREATE INDEX ON {s}.records (hours)",
    "CREATE INDEX ON {s}.records (ects)",
    "CREATE INDEX ON {s}.records (stackability)",
    "CREATE INDEX ON {s}.records USING gin (issuer_country)",
    "CREATE INDEX ON {s}.records USING gin (participation)",
    "CREATE INDEX ON {s}.records USING gin (assessment)",
    "CREATE INDEX ON {s}.records USING gin (languages)",
    'CREATE INDEX ON {s}.records (title_key COLLATE "C", id COLLATE "C")',
)


def _row(record: Microcredential) -> tuple[Any, ...]:
    """One table row; texts grouped by the language the hub stems them in."""
    default = _default_lang(record)
    groups: dict[str, list[str]] = {lang: [] for lang in CONFIGS}
    every: list[str] = []
    for text in (*title_texts(record), *_body_texts(record)):
        every.append(text.value)
        lang = stem_language(text.lang) or default
        if lang in groups:
            groups[lang].append(text.value)
    level, workload = record.level, record.workload
    return (
        record.id,
        search_fold(record.title),
        record.source,
        sorted({c.upper() for c in record.issuer_country}),
        level.eqf if level else None,
        sorted({f.value for f in record.participation_forms}),
        sorted({a.value for a in record.assessment_types}),
        record.credential_type.value,
        sorted({lang.lower() for lang in record.languages}),
        record.status.value,
        record.stackability.value if record.stackability else None,
        record.framework_listed,
        workload.ects if workload else None,
        workload.hours if workload else None,
        "\n".join(every),
        *("\n".join(groups[lang]) for lang in CONFIGS),
    )


def connect(dsn: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(dsn, autocommit=True)
    # What one tunes for interactive queries: no JIT compile per query (it costs more than it
    # saves here) and room for the facets' hash aggregates. The server's own settings
    # (shared_buffers...) are left as they are.
    conn.execute("SET jit = off")
    conn.execute("SET work_mem = '64MB'")
    return conn


def _loaded(conn: psycopg.Connection[Any], n: int, seed: int) -> bool:
    found = conn.execute(
        "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'marker'", (SCHEMA,)
    ).fetchone()
    if found is None:
        return False
    row = conn.execute(f"SELECT records, seed, layout FROM {SCHEMA}.marker").fetchone()
    return row == (n, seed, LAYOUT_VERSION)


def _unaccent(conn: psycopg.Connection[Any]) -> None:
    """An IMMUTABLE unaccent wrapper (generated columns need one), inside our schema."""
    conn.execute(f"CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA {SCHEMA}")
    where = conn.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'unaccent'"
    ).fetchone()
    ext = where[0] if where else SCHEMA
    conn.execute(
        f"CREATE FUNCTION {SCHEMA}.f_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE "
        f"PARALLEL SAFE STRICT AS $$ SELECT {ext}.unaccent('{ext}.unaccent'::regdictionary, $1) $$"
    )


def _chunks(records: Sequence[Microcredential], size: int) -> Iterator[Sequence[Microcredential]]:
    for start in range(0, len(records), size):
        yield records[start : start + size]


def load(dsn: str, records: Sequence[Microcredential], seed: int) -> dict[str, Any]:
    """Load once; a later run with the same size and seed reuses the table (marker row)."""
    with connect(dsn) as conn:
        if _loaded(conn, len(records), seed):
            return {"reused": True, "load_seconds": None, "index_seconds": None}
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
        _unaccent(conn)
        conn.execute(DDL)
        start = time.perf_counter()
        columns = "id, title_key, source, issuer_country, eqf, participation, assessment, " \
            "credential_type, languages, status, stackability, framework_listed, ects, hours, " \
            "t_all, " + ", ".join(TEXT_COLUMNS)  # fmt: skip
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY {SCHEMA}.records ({columns}) FROM STDIN") as copy,
        ):
            for chunk in _chunks(records, 10_000):
                for record in chunk:
                    copy.write_row(_row(record))
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '1GB'")
        for statement in INDEXES:
            conn.execute(statement.format(s=SCHEMA))
        conn.execute(f"VACUUM ANALYZE {SCHEMA}.records")
        indexed = time.perf_counter() - start
        conn.execute(f"CREATE TABLE {SCHEMA}.marker (records int, seed int, layout text)")
        conn.execute(
            f"INSERT INTO {SCHEMA}.marker VALUES (%s, %s, %s)",
            (len(records), seed, LAYOUT_VERSION),
        )
        return {"reused": False, "load_seconds": loaded, "index_seconds": indexed}


def table_bytes(dsn: str) -> int:
    with connect(dsn) as conn:
        row = conn.execute(f"SELECT pg_total_relation_size('{SCHEMA}.records')").fetchone()
        return int(row[0]) if row else 0


def _tsquery(words: list[str]) -> tuple[str, list[str]]:
    """The hub's matching rule in SQL: every word matches, each as itself or stemmed.

    Stems are kept per language (one tsvector per language, as the hub namespaces its stem
    terms): a word matches a text's stems only in that text's language, and any language's
    stem of the word matches a plain token.
    """
    configs = ["simple", *CONFIGS.values()]
    groups, params = [], []
    for word in words:
        plain = " || ".join(f"plainto_tsquery('{c}', {SCHEMA}.f_unaccent(%s))" for c in configs)
        ors = [f"tsv_simple @@ ({plain})"] + [
            f"tsv_{lang} @@ plainto_tsquery('{cfg}', {SCHEMA}.f_unaccent(%s))"
            for lang, cfg in CONFIGS.items()
        ]
        groups.append("(" + " OR ".join(ors) + ")")
        params += [word] * (len(configs) + len(CONFIGS))
    return " AND ".join(groups), params


def where_of(question: Question) -> tuple[str, list[Any]]:
    """The question's filter and search as one WHERE condition and its parameters."""
    flt = question.filter
    conds: list[str] = []
    params: list[Any] = []

    def any_of(column: str, values: Sequence[Any] | None, array: bool = False) -> None:
        if values:
            conds.append(f"{column} && %s" if array else f"{column} = ANY(%s)")
            params.append(list(values))

    any_of("source", flt.source)
    any_of("issuer_country", [c.upper() for c in flt.issuer_country or ()], array=True)
    any_of("eqf", flt.eqf_level)
    any_of("participation", [f.value for f in flt.participation_form or ()], array=True)
    any_of("assessment", [a.value for a in flt.assessment_type or ()], array=True)
    any_of("languages", [lang.lower() for lang in flt.language or ()], array=True)
    any_of("credential_type", [c.value for c in flt.credential_type or ()])
    any_of("status", [s.value for s in flt.status or ()])
    for column, low, high in (
        ("eqf", flt.eqf_level_min, flt.eqf_level_max),
        ("ects", flt.ects_min, flt.ects_max),
        ("hours", flt.hours_min, flt.hours_max),
    ):
        if low is not None:
            conds.append(f"{column} >= %s")
            params.append(low)
        if high is not None:
            conds.append(f"{column} <= %s")
            params.append(high)
    if flt.stackable is not None:
        conds.append("stackability = %s")
        params.append((Stackability.STACKABLE if flt.stackable else Stackability.STANDALONE).value)
    words = search_fold(question.search or "").split()
    if words:
        query, query_params = _tsquery(words)
        conds.append(f"({query})")
        params += query_params
    return " AND ".join(conds) or "true", params


def sql_of(question: Question) -> tuple[str, list[Any]]:
    """One statement: count, the facets over the filtered set, the first 20 by title, id."""
    where, params = where_of(question)
    facet = "SELECT %s::text, {value}, count(*) FROM m{join} GROUP BY 2"
    facets = {
        "issuerCountry": ("v", ", unnest(issuer_country) v"),
        "eqfLevel": ("eqf::text", " WHERE eqf IS NOT NULL"),
        "source": ("source", ""),
        "participationForm": ("v", ", unnest(participation) v"),
        "assessmentType": ("v", ", unnest(assessment) v"),
        "credentialType": ("credential_type", ""),
        "language": ("v", ", unnest(languages) v"),
        "status": ("status", ""),
    }
    parts = ["SELECT 'total', NULL::text, count(*) FROM m"]
    for name in FACETS:
        value, join = facets[name]
        parts.append(facet.format(value=value, join=join))
        params.append(name)
    parts.append(
        'SELECT \'page\', id, row_number() OVER (ORDER BY title_key COLLATE "C", id COLLATE "C") '
        'FROM (SELECT id, title_key FROM m ORDER BY title_key COLLATE "C", id COLLATE "C" '
        "LIMIT 20) p"
    )
    sql = (
        "WITH m AS MATERIALIZED (SELECT id, title_key, source, issuer_country, eqf, "
        "participation, assessment, credential_type, languages, status "
        f"FROM {SCHEMA}.records WHERE {where}) " + " UNION ALL ".join(f"({p})" for p in parts)
    )
    return sql, params


def answer(conn: psycopg.Connection[Any], question: Question) -> Answer:
    sql, params = sql_of(question)
    rows = conn.execute(sql, params).fetchall()
    result = Answer(total=0, facets={name: {} for name in FACETS}, first_ids=[])
    page: list[tuple[int, str]] = []
    for kind, value, count in rows:
        if kind == "total":
            result.total = count
        elif kind == "page":
            page.append((count, value))
        else:
            result.facets[kind][value] = count
    result.first_ids = [value for _, value in sorted(page)]
    return result


def latencies(dsn: str, repeat: int) -> tuple[list[float], dict[str, Answer]]:
    samples: list[float] = []
    answers: dict[str, Answer] = {}
    with connect(dsn) as conn:
        for question in QUESTIONS:
            answers[question.name] = answer(conn, question)  # warm-up (and prepare)
            for _ in range(repeat):
                start = time.perf_counter()
                answer(conn, question)
                samples.append(time.perf_counter() - start)
    return samples, answers


assert set(CONFIGS) <= set(STEMMER_LANGUAGES)
