"""The standard checks every connector must pass; each raises ConformanceError naming itself."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

import msgspec

from microcred_hub.contract import (
    Connector,
    ConnectorInfo,
    RawRecord,
    Unchanged,
    wire_json,
)
from microcred_hub.errors import (
    ConnectorContractError,
    InvalidRecordError,
    RetryableFetchError,
    validation_message,
)
from microcred_hub.pipeline import Normalised, normalise_one
from microcred_hub.plugins import GROUP, check_plugin_class
from microcred_hub.record import RecordDraft, completeness_of, content_hash
from microcred_hub.testing.fetcher import TestFetcher

if TYPE_CHECKING:
    from microcred_hub.testing.server import ScenarioServer

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?([.-]?\w+)?$")


class ConformanceError(AssertionError):
    """A connector broke one check; the message starts with the check's name."""

    def __init__(self, check: str, message: str) -> None:
        self.check = check
        super().__init__(f"[{check}] {message}")


@dataclass
class Harvested:
    raws: list[RawRecord] = field(default_factory=list)
    unchanged: list[Unchanged] = field(default_factory=list)
    drafts: list[RecordDraft] = field(default_factory=list)
    quarantined: list[tuple[RawRecord, str]] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    def forget(self, local_id: str | None) -> None:
        """Drop what an earlier record of this id gave (a later one replaces it)."""
        self.raws = [r for r in self.raws if r.local_id != local_id]
        self.drafts = [d for d in self.drafts if d.local_id != local_id]
        self.quarantined = [(r, why) for r, why in self.quarantined if r.local_id != local_id]


def check_metadata(cls: type[Connector]) -> None:
    """metadata: the hub would load the class, its info is complete, the entry point names it."""
    name = "metadata"
    info = getattr(cls, "info", None)
    if not isinstance(info, ConnectorInfo):
        raise ConformanceError(name, "class attribute `info` must be an sdk.ConnectorInfo")
    try:
        check_plugin_class(info.name, cls)  # what the hub checks when it loads a plugin
    except ConnectorContractError as exc:
        raise ConformanceError(name, str(exc)) from exc
    for attr in ("name", "version", "description", "register"):
        if not getattr(info, attr):
            raise ConformanceError(name, f"info.{attr} is empty")
    if not _VERSION.match(info.version):
        raise ConformanceError(name, f"info.version {info.version!r} is not a version like 1.0.0")
    if info.country is not None and not _COUNTRY.match(info.country):
        raise ConformanceError(name, f"info.country {info.country!r} is not ISO 3166-1 alpha-2")
    for ep in entry_points(group=GROUP):
        if ep.name == info.name:
            if ep.load() is not cls:
                raise ConformanceError(
                    name, f"entry point {info.name!r} points to {ep.value}, not to this class"
                )
            return
    raise ConformanceError(
        name,
        f"no entry point {info.name!r} in group {GROUP!r}: declare it in your pyproject.toml "
        f'([project.entry-points."{GROUP}"])',
    )


async def harvest(connector: Connector, server: ScenarioServer, url: str) -> Harvested:
    """Run fetch through the hub's fetcher (allowed host: the test server only) and normalise."""
    out = Harvested()
    fetched = await TestFetcher(allowed_hosts=(server.host,)).run(connector, url, source_key="kit")
    out.requested = fetched.requested
    for fetched_item in fetched.items:
        if isinstance(fetched_item, Unchanged):
            out.unchanged.append(fetched_item)
            continue
        if not isinstance(fetched_item, RawRecord):
            raise ConformanceError("fetch", f"fetch() yielded {type(fetched_item).__name__}")
        if fetched_item.replaces:  # as the hub does: the later record takes the earlier's place
            out.forget(fetched_item.local_id)
        item = normalise_one(connector, fetched_item)  # as a harvest does
        out.raws.append(item.raw)
        if isinstance(item, Normalised):
            out.drafts.append(item.draft)
        elif not item.connector_bug:
            out.quarantined.append((item.raw, item.reason))
        elif isinstance(item.error, InvalidRecordError):
            raise ConformanceError("quarantine", "InvalidRecordError without a reason")
        elif isinstance(item.error, ConnectorContractError):
            raise ConformanceError("record", item.reason)
        else:
            raw = item.raw
            raise ConformanceError(
                "quarantine",
                f"normalise raised {type(item.error).__name__}: {item.error} for "
                f"{raw.local_id or raw.source_url}; raise InvalidRecordError(reason) for "
                "records that cannot be normalised",
            ) from item.error
    return out


def check_quarantine(result: Harvested) -> None:
    """quarantine: a malformed fixture record is refused with InvalidRecordError and a reason.

    (Any other exception from normalise already failed this check while harvesting.)
    """
    if not result.quarantined:
        raise ConformanceError(
            "quarantine",
            f"no fixture record was quarantined ({len(result.drafts)} normalised): add a "
            "malformed one to the scenario (e.g. an entry without an id or title, or not an "
            "object) so the kit sees normalise raise InvalidRecordError with a reason",
        )


def check_fetch_only_through_fetcher(result: Harvested, server: ScenarioServer) -> None:
    """fetcher: every request the register saw came through the injected fetcher."""
    if server.request_count > len(result.requested):
        raise ConformanceError(
            "fetcher",
            f"the register saw {server.request_count} requests but only "
            f"{len(result.requested)} went through ctx.fetcher; do all I/O through it",
        )


def check_records_valid(result: Harvested) -> None:
    """record: every draft is a valid canonical record."""
    name = "record"
    encoder = msgspec.json.Encoder()
    for draft in result.drafts:
        where = f"record {draft.local_id!r}"
        try:
            msgspec.json.decode(encoder.encode(draft), type=RecordDraft)
        except msgspec.ValidationError as exc:
            message, field = validation_message(exc)
            at = f" at {field}" if field else ""
            raise ConformanceError(name, f"{where}: {message}{at}") from exc
        if not draft.local_id.strip() or not draft.title.strip():
            raise ConformanceError(name, f"{where}: empty id or title")
        bad_country = [c for c in draft.issuer_country if not _COUNTRY.match(c)]
        bad_lang = [lang for lang in draft.languages if not _LANGUAGE.match(lang)]
        if bad_country or bad_lang:
            raise ConformanceError(name, f"{where}: not ISO codes: {bad_country + bad_lang}")
        if draft.level and draft.level.eqf is not None and not 1 <= draft.level.eqf <= 8:
            raise ConformanceError(name, f"{where}: eqf {draft.level.eqf} outside 1-8")
        if draft.workload and any(
            v is not None and v < 0 for v in (draft.workload.hours, draft.workload.ects)
        ):
            raise ConformanceError(name, f"{where}: negative workload")
        completeness_of(draft)


def check_ids_unique(result: Harvested) -> None:
    """ids: local ids are unique within one harvest."""
    ids = [d.local_id for d in result.drafts]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConformanceError("ids", f"duplicate local ids in one harvest: {dupes[:5]}")


def check_stable(first: Harvested, second: Harvested) -> None:
    """stable: the same register harvested twice gives the same ids and content hashes."""
    a = {d.local_id: content_hash(d) for d in first.drafts}
    b = {d.local_id: content_hash(d) for d in second.drafts}
    if a != b:
        changed = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        raise ConformanceError(
            "stable", f"ids or content changed between two harvests: {changed[:5]}"
        )


def check_pure(connector: Connector, result: Harvested) -> None:
    """pure: normalise gives equal output twice and does not modify its input."""
    for raw in result.raws:
        if raw.rejected is not None:
            continue  # refused by fetch: normalise never sees it
        before = copy.deepcopy(raw.data)
        try:
            one, two = connector.normalise(raw), connector.normalise(raw)
        except InvalidRecordError:
            continue
        if one != two:
            raise ConformanceError("pure", f"normalise({raw.local_id!r}) differs between two calls")
        if raw.data != before:
            raise ConformanceError("pure", f"normalise({raw.local_id!r}) modified the raw record")


def check_expected(result: Harvested, expected: Mapping[str, dict[str, object]]) -> None:
    """expected: records match the expected-output fixtures (the fields each fixture lists)."""
    drafts = {d.local_id: wire_json(d) for d in result.drafts}
    for local_id, fields in expected.items():
        got = drafts.get(local_id)
        if got is None:
            raise ConformanceError(
                "expected", f"no record {local_id!r} (got {sorted(drafts)[:10]})"
            )
        assert isinstance(got, dict)
        for key, want in fields.items():
            if got.get(key) != want:
                raise ConformanceError(
                    "expected",
                    f"record {local_id!r} field {key!r}: got {got.get(key)!r}, want {want!r}",
                )


async def check_retryable_not_swallowed(
    connector: Connector, server: ScenarioServer, url: str
) -> None:
    """retryable: a register answering 503 makes fetch raise RetryableFetchError."""
    server.fail_with = 503
    try:
        await harvest(connector, server, url)
    except RetryableFetchError:
        return
    except ConformanceError:
        raise
    except Exception as exc:
        raise ConformanceError(
            "retryable", f"a 503 surfaced as {type(exc).__name__}, not RetryableFetchError"
        ) from exc
    finally:
        server.fail_with = None
    raise ConformanceError(
        "retryable", "a register answering 503 did not fail the harvest (swallowed)"
    )
