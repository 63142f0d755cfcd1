"""``microcred-hub stats``: the ``statistics`` query from a terminal, as a table, CSV or JSON.

The numbers are the API's: the same GraphQL document runs through the same schema, either
in-process over the configured store (harvested once first when it holds nothing yet) or,
with ``--url``, against a running hub.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

from microcred_hub.config import HubConfig, QueryLimits
from microcred_hub.dimensions import DIMENSIONS, NUMERIC_FIELDS
from microcred_hub.errors import HubError

SUMMARY_FIGURES = ("count", "min", "max", "mean", "p25", "median", "p75")
_SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def camel(dimension: str) -> str:
    """ISSUER_COUNTRY -> issuerCountry (how the CLI names dimensions and CSV columns)."""
    first, *rest = dimension.lower().split("_")
    return first + "".join(word.title() for word in rest)


def parse_dimensions(text: str) -> list[str]:
    """``issuerCountry,eqfLevel`` (or ISSUER_COUNTRY, issuer-country) -> Dimension names."""
    names: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name = _SPLIT.sub("_", part).replace("-", "_").upper()
        if name not in DIMENSIONS:
            known = ", ".join(camel(d) for d in DIMENSIONS)
            raise HubError(f"--group-by: unknown dimension {part!r}; use any of: {known}")
        names.append(name)
    return names


def parse_numbers(text: str) -> list[str]:
    fields = [p.strip().lower() for p in text.split(",") if p.strip()]
    known = [f.lower() for f in NUMERIC_FIELDS]
    for field in fields:
        if field not in known:
            raise HubError(f"--numbers: unknown field {field!r}; use any of: {', '.join(known)}")
    return list(dict.fromkeys(fields))


def _scalar(text: str, type_name: str) -> object:
    """A filter value typed as the schema wants; left as text when it does not parse, so
    GraphQL's own message says what is wrong with it."""
    try:
        if type_name == "Int":
            return int(text)
        if type_name == "Float":
            return float(text)
    except ValueError:
        return text
    if type_name == "Boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def parse_filter(items: Sequence[str]) -> dict[str, object] | None:
    """``--filter`` values: ``KEY=V1,V2`` (a MicrocredentialFilter field) or one JSON object."""
    from graphql import GraphQLInputObjectType, GraphQLList, get_named_type, get_nullable_type

    from microcred_hub.graphql import build_schema

    if not items:
        return None
    input_type = build_schema()._schema.type_map["MicrocredentialFilter"]
    assert isinstance(input_type, GraphQLInputObjectType)
    result: dict[str, object] = {}
    for item in items:
        if item.lstrip().startswith("{"):
            try:
                value = json.loads(item)
            except ValueError as exc:
                raise HubError(f"--filter: not a JSON object ({exc})") from None
            if not isinstance(value, dict):
                raise HubError("--filter: give KEY=VALUE[,VALUE...] or a JSON object")
            result.update(value)
            continue
        key, sep, text = item.partition("=")
        key = key.strip()
        field = input_type.fields.get(key)
        if not sep or field is None:
            known = ", ".join(input_type.fields)
            raise HubError(f"--filter: {item!r} is not KEY=VALUE with a key of: {known}")
        field_type = get_nullable_type(field.type)
        named = get_named_type(field_type).name
        if isinstance(field_type, GraphQLList):
            result[key] = [_scalar(v.strip(), named) for v in text.split(",") if v.strip()]
        else:
            result[key] = _scalar(text.strip(), named)
    return result


def document(numbers: Sequence[str]) -> str:
    summaries = " ".join(f"{n} {{ {' '.join(SUMMARY_FIGURES)} }}" for n in numbers)
    return (
        "query Stats($groupBy: [Dimension!], $filter: MicrocredentialFilter, $search: String, "
        "$distinct: Boolean) { statistics(groupBy: $groupBy, filter: $filter, search: $search, "
        f"distinct: $distinct) {{ count groups {{ keys count qualityAssured stackable {summaries} "
        "} } }"
    )


async def _in_process(config: HubConfig, query: str, variables: dict[str, Any]) -> Any:
    from microcred_hub.graphql import QueryContext, build_schema
    from microcred_hub.runtime import Hub

    hub = Hub(config)
    await hub.start(schedule=False)
    try:
        if len(hub.index) == 0 and hub.sources:
            print("the store holds no records yet: harvesting once first", file=sys.stderr)
            await hub.scheduler.harvest(None)
            await hub.feed.load()
        limits: QueryLimits = config.limits
        context = QueryContext(
            index=hub.index,
            source_states=hub.states.read,
            quarantined=hub.states.quarantined,
            limits=limits,
        )
        result = await build_schema(limits).execute(
            query, variable_values=variables, context_value=context
        )
        return {
            "data": result.data,
            "errors": [e.formatted for e in result.errors] if result.errors else None,
        }
    finally:
        await hub.stop()


async def _over_http(url: str, query: str, variables: dict[str, Any]) -> Any:
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=120)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(
                url,
                json={"query": query, "variables": variables},
                headers={"Accept": "application/json"},
            ) as response,
        ):
            if response.status != 200:
                raise HubError(f"{url} answered {response.status}: {(await response.text())[:200]}")
            return await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise HubError(f"cannot reach {url}: {exc or type(exc).__name__}") from None


def _number(value: object) -> str:
    return "" if value is None else str(value)


def rows(
    statistics: dict[str, Any], dimensions: Sequence[str], numbers: Sequence[str]
) -> tuple[list[str], list[list[object]]]:
    """CSV/table columns: the keys, the counts, then each summary's figures."""
    head = [
        *(camel(d) for d in dimensions),
        "count",
        "qualityAssured",
        "stackable",
        *(f"{n}{figure[0].upper()}{figure[1:]}" for n in numbers for figure in SUMMARY_FIGURES),
    ]
    body: list[list[object]] = []
    for group in statistics["groups"]:
        body.append([
            *group["keys"],
            group["count"],
            group["qualityAssured"],
            group["stackable"],
            *(group[n][figure] for n in numbers for figure in SUMMARY_FIGURES),
        ])  # fmt: skip
    return head, body


def to_csv(statistics: dict[str, Any], dimensions: Sequence[str], numbers: Sequence[str]) -> str:
    head, body = rows(statistics, dimensions, numbers)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    writer.writerows([[_number(v) for v in row] for row in body])
    return out.getvalue()


def to_table(statistics: dict[str, Any], dimensions: Sequence[str], numbers: Sequence[str]) -> str:
    head, body = rows(statistics, dimensions, numbers)
    keys = len(dimensions)

    def cell(i: int, value: object) -> str:
        if value is None:
            return "(none)" if i < keys else "-"
        return f"{value:.6g}" if isinstance(value, float) else str(value)

    cells = [head, *([cell(i, v) for i, v in enumerate(row)] for row in body)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    lines = [
        "  ".join(
            text.ljust(width) if i < keys else text.rjust(width)
            for i, (text, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in cells
    ]
    groups = len(statistics["groups"])
    lines.append(f"{statistics['count']} matching record(s), {groups} group(s)")
    return "\n".join(lines) + "\n"


def run_stats(args: argparse.Namespace, config: HubConfig | None) -> int:
    dimensions = parse_dimensions(args.group_by or "")
    numbers = parse_numbers(args.numbers)
    variables: dict[str, Any] = {"groupBy": dimensions, "distinct": args.distinct}
    flt = parse_filter(args.filter or [])
    if flt is not None:
        variables["filter"] = flt
    if args.search:
        variables["search"] = args.search
    query = document(numbers)
    if args.url:
        answer = asyncio.run(_over_http(args.url, query, variables))
    else:
        assert config is not None
        answer = asyncio.run(_in_process(config, query, variables))
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if errors or not isinstance(answer, dict) or not answer.get("data"):
        for error in errors or [{"message": f"unexpected answer: {str(answer)[:200]}"}]:
            print(f"microcred-hub: {error.get('message')}", file=sys.stderr)
        return 1
    statistics = answer["data"]["statistics"]
    if args.format == "json":
        sys.stdout.write(json.dumps(statistics, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        sys.stdout.write(to_csv(statistics, dimensions, numbers))
    else:
        sys.stdout.write(to_table(statistics, dimensions, numbers))
    return 0


def add_parser(sub: Any, config_help: str) -> argparse.ArgumentParser:
    stats = sub.add_parser(
        "stats",
        help="counts and workload figures grouped by dimensions (the statistics query)",
        description="The statistics query of the GraphQL API, from the configured store (or a "
        "running hub with --url), as a table, CSV or JSON.",
    )
    stats.add_argument("--config", help=config_help)
    stats.add_argument(
        "--group-by",
        metavar="DIMS",
        default="",
        help="comma-separated dimensions, e.g. issuerCountry,eqfLevel (any of: "
        + ", ".join(camel(d) for d in DIMENSIONS)
        + ")",
    )
    stats.add_argument(
        "--filter",
        action="append",
        metavar="KEY=VALUES",
        help="a MicrocredentialFilter field, e.g. issuerCountry=NZ,NL or eqfLevelMin=4, or a "
        "JSON object (repeatable)",
    )
    stats.add_argument("--search", help="words every matching record contains")
    stats.add_argument("--distinct", action="store_true", help="count duplicates once")
    stats.add_argument(
        "--numbers",
        default="hours",
        metavar="FIELDS",
        help="summaries to show: hours, ects, completeness (comma-separated; default hours)",
    )
    stats.add_argument("--format", choices=("table", "csv", "json"), default="table")
    stats.add_argument(
        "--url", help="ask a running hub's GraphQL endpoint, e.g. http://127.0.0.1:8000/graphql"
    )
    return stats  # type: ignore[no-any-return]
