"""One harvest of one source: run the connector, quarantine bad records, diff against the store.

The store only ever changes when a harvest succeeded: a register that fails, times out or
answers garbage leaves the last good data in place and the source marked STALE (or FAILING when
there is nothing to fall back on).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit
from urllib.request import url2pathname

import msgspec

from microcred_hub import telemetry
from microcred_hub.config import SourceConfig
from microcred_hub.contract import Connector, ConnectorState, HarvestContext, RawRecord, Unchanged
from microcred_hub.errors import redact_url, redact_urls
from microcred_hub.fetch import FetchPolicy, HttpFetcher
from microcred_hub.outbound import format_origin, origins_for
from microcred_hub.packing import PackedRecords, PackingDict, pack_many
from microcred_hub.pipeline import Normalised, Rejected, error_text, fetch_and_normalise
from microcred_hub.record import (
    Microcredential,
    Provenance,
    QuarantinedRecord,
    RecordDraft,
    Status,
    completeness_of,
    content_hash,
)
from microcred_hub.state import HarvestSummary, SourceState, SourceStatus
from microcred_hub.store.base import ChangeSet, RecordDigest, Store

_EXCERPT = 300
#: consecutive failed harvests after which a source with data is FAILING rather than STALE
FAILING_AFTER = 3


class Progress(Protocol):
    """Where a harvest reports as it goes (terminal, logs, metrics)."""

    def page(self, source: str, url: str) -> None: ...

    def records(self, source: str, count: int) -> None: ...


class _NoProgress:
    def page(self, source: str, url: str) -> None:
        pass

    def records(self, source: str, count: int) -> None:
        pass


def fetch_policy(
    source: SourceConfig, connector: Connector, *, use_validators: bool
) -> FetchPolicy:
    """Outbound requests go only to the origins of the source's URLs and allowed hosts.

    The source's headers go to those origins only, not to hosts a connector declares itself.
    """
    own = origins_for(source.all_urls, source.allowed_hosts)
    declared = origins_for(source.all_urls, connector.info.allowed_hosts)
    files = [u for u in source.all_urls if urlsplit(u).scheme == "file"]
    return FetchPolicy(
        origins=tuple(sorted(format_origin(o) for o in own | declared)),
        header_origins=tuple(sorted(format_origin(o) for o in own)),
        allow_private_addresses=source.allow_private_addresses,
        connect_timeout=source.connect_timeout_seconds,
        read_timeout=source.timeout_seconds,
        total_timeout=source.timeout_seconds * 4,
        max_bytes=source.max_bytes,
        max_total_bytes=source.max_total_bytes,
        retries=source.retries,
        max_redirects=source.max_redirects,
        headers=source.headers,
        allow_files=bool(files),
        file_roots=tuple(_folder_of(u) for u in files),
        use_validators=use_validators,
    )


def _folder_of(file_url: str) -> str:
    """A file source reads below its url when that is a folder, else below the file's folder."""
    path = Path(url2pathname(urlsplit(file_url).path)).resolve()
    return str(path if path.is_dir() else path.parent)


def _excerpt(raw: RawRecord) -> str:
    try:
        text = msgspec.json.encode(raw.data).decode("utf-8", errors="replace")
    except (RecursionError, TypeError, ValueError):
        return "(not representable)"
    # a register's own links often repeat our query (api_key and all)
    return redact_urls(text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…")


class _TooManyRecordsError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the register sent more than max_records = {limit} records; keeping the last good "
            "data (raise max_records for this source if the register is really that large)"
        )


class _Run:
    """The state of one harvest in progress.

    It diffs against the stored records' digests, never the records: an unchanged re-harvest
    (all 304s) then reads no record, and writes none.
    """

    def __init__(
        self,
        source: SourceConfig,
        connector: Connector,
        existing: dict[str, RecordDigest],
        quarantined: list[QuarantinedRecord],
        now: datetime,
    ) -> None:
        self.source = source
        self.connector = connector
        self.now = now
        self.existing = existing
        #: for 304s: which ids a page gave (dicts: their keys make a set view at no cost)
        self.by_document: dict[str | None, dict[str, None]] = {}
        for record_id, digest in existing.items():
            self.by_document.setdefault(digest.source_url, {})[record_id] = None
        # for 304s too: a page's malformed items are as quarantined as they were last time
        self.quarantined = tuple(quarantined)
        self.quarantined_before: dict[str | None, list[QuarantinedRecord]] = {}
        for item in quarantined:
            self.quarantined_before.setdefault(item.source_url, []).append(item)
        self.seen: set[str] = set()
        self.upserts = PackingDict()  # packed as they come: no harvest holds them all decoded
        #: records given, unchanged, by another document than before; see settle_moves
        self.moved = PackingDict()
        self.moves: dict[str, tuple[str | None, str | None]] = {}  # id -> (old, new) document
        self.answered_304: set[str | None] = set()
        #: how each record taken was counted ("added", "changed", "unchanged"), so a
        #: replacement (RawRecord.replaces) can take it back
        self.outcome: dict[str, str] = {}
        self.quarantine: list[QuarantinedRecord] = []
        self.added = self.changed = self.unchanged = 0
        self.partial = False

    def take(self, item: Normalised | Rejected) -> None:
        if item.raw.replaces and item.raw.local_id:
            self._forget(f"{self.source.key}:{item.raw.local_id}")
        if isinstance(item, Rejected):
            self._quarantine(item.raw, item.reason, item.local_id)
            return
        raw, draft = item.raw, item.draft
        record_id = f"{self.source.key}:{draft.local_id}"
        if record_id in self.seen:
            self._quarantine(
                raw,
                f"duplicate id {record_id!r} in this harvest; the first was kept",
                draft.local_id,
            )
            return
        self.seen.add(record_id)
        digest = content_hash(draft)
        url = redact_url(raw.source_url) if raw.source_url else None
        old = self.existing.get(record_id)
        kept = RecordDigest(digest, False, url)  # live, same content, from the same document
        if old == kept:
            self.unchanged += 1
            self.outcome[record_id] = "unchanged"
            return
        fields = {f: getattr(draft, f) for f in RecordDraft.__struct_fields__}
        record = Microcredential(
            **fields,
            id=record_id,
            source=self.source.key,
            completeness=completeness_of(draft),
            provenance=Provenance(
                source=self.source.key,
                connector=self.connector.info.name,
                connector_version=self.connector.info.version,
                fetched_at=self.now,
                source_url=url,
                content_hash=digest,
            ),
        )
        if old is not None and old[:2] == kept[:2]:
            self.moved.put(record)
            self.moves[record_id] = (old.source_url, url)
            self.unchanged += 1
            self.outcome[record_id] = "unchanged"
            return
        self.upserts.put(record)
        if old is None:
            self.added += 1
            self.outcome[record_id] = "added"
        else:
            self.changed += 1
            self.outcome[record_id] = "changed"

    def _forget(self, record_id: str) -> None:
        """Take back an earlier record of this harvest that a later one replaces."""
        if record_id not in self.seen:
            return
        self.seen.discard(record_id)
        self.upserts.pop(record_id)
        if self.moves.pop(record_id, None) is not None:
            self.moved.pop(record_id)
        # an id seen without an outcome was kept by a 304, and counted unchanged
        outcome = self.outcome.pop(record_id, "unchanged")
        setattr(self, outcome, getattr(self, outcome) - 1)

    def keep_document(self, unchanged: Unchanged) -> None:
        # provenance keeps URLs redacted, so look the document up the same way
        url = redact_url(unchanged.source_url)
        self.answered_304.add(url)
        # set operations, not a loop: an unchanged register is all 304s, every id goes here
        kept = self.by_document.get(url, {}).keys() - self.seen
        self.seen |= kept
        self.unchanged += len(kept)  # no outcome of their own: see _forget
        # pop: a document answered 304 twice in one harvest keeps its entries once
        self.quarantine.extend(self.quarantined_before.pop(url, ()))

    def settle_moves(self, validated: Iterable[str]) -> None:
        """Write the records that moved, unchanged, to or from a document that can answer 304
        (it sent validators, or just did): a later 304 must find each where it now is, and not
        where it was. Moves between plain pages (a search's, reordered) are not written: such
        pages never answer 304, and rewriting every record they shuffle would cost a write each.
        """
        conditional = self.answered_304 | {redact_url(url) for url in validated}
        for record in self.moved.records():
            old, new = self.moves[record.id]
            if old in conditional or new in conditional:
                self.upserts.put(record)

    def new_quarantine(self) -> tuple[QuarantinedRecord, ...] | None:
        """The source's quarantine list, or None when it is the stored one (nothing to write)."""
        quarantine = tuple(self.quarantine)
        return None if quarantine == self.quarantined else quarantine

    def _quarantine(self, raw: RawRecord, reason: str, local_id: str | None) -> None:
        self.quarantine.append(
            QuarantinedRecord(
                source=self.source.key,
                reason=redact_urls(reason),
                local_id=local_id,
                source_url=redact_url(raw.source_url) if raw.source_url else None,
                seen_at=self.now,
                raw_excerpt=_excerpt(raw),
            )
        )

    def gone(self) -> list[str]:
        """Ids of live records this harvest did not see: withdrawn from the register."""
        if self.partial:
            return []  # an incremental answer says nothing about what it left out
        existing = self.existing
        return sorted(rid for rid in existing.keys() - self.seen if not existing[rid].withdrawn)

    def live(self) -> int:
        if self.partial:  # the records not seen are still there
            existing = self.existing
            unseen = existing.keys() - self.seen
            return len(self.seen) + sum(1 for rid in unseen if not existing[rid].withdrawn)
        return len(self.seen)

    async def withdrawals(self, store: Store) -> list[Microcredential]:
        # only the few records withdrawn are read back, to keep all else they held
        ids = self.gone()
        gone = await store.fetch(ids) if ids else []
        return [
            msgspec.structs.replace(r, status=Status.WITHDRAWN, withdrawn_at=self.now) for r in gone
        ]


async def harvest_source(
    source: SourceConfig,
    connector: Connector,
    store: Store,
    *,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> HarvestSummary:
    """Harvest one source into the store; never raises for register trouble."""
    attributes = {"microcred_hub.source": source.key, "microcred_hub.connector": source.connector}
    with telemetry.span(f"harvest {source.key}", attributes):
        return await _harvest(source, connector, store, progress, clock)


async def _harvest(
    source: SourceConfig,
    connector: Connector,
    store: Store,
    progress: Progress | None,
    clock: Callable[[], datetime],
) -> HarvestSummary:
    report = progress or _NoProgress()
    started = time.monotonic()
    now = clock()
    previous = await _state(store, source)
    await store.put_state(
        msgspec.structs.replace(previous, status=SourceStatus.HARVESTING, last_attempt_at=now)
    )
    existing = await store.digests(source.key)
    run = _Run(source, connector, existing, await store.quarantined(source.key), now)
    pages = 0

    def on_partial() -> None:
        run.partial = True

    # one normalise span per page's records: the register's request spans sit between them
    normalising = telemetry.Step("normalise", {"microcred_hub.source": source.key})

    def on_page(url: str) -> None:
        nonlocal pages
        pages += 1
        normalising.end()
        report.page(source.key, url)

    policy = fetch_policy(source, connector, use_validators=bool(existing))
    # Without records the validators are not used, so what the connector kept is stale too.
    kept_state = await store.get_meta(ConnectorState.store_key(source.key)) if existing else None
    connector_state = ConnectorState.load(kept_state, connector.info.name)
    error: str | None = None
    async with HttpFetcher(policy, validators=store) as fetcher:
        ctx = HarvestContext(
            source_key=source.key,
            url=source.url,  # the real one: the register needs its api_key; never shown
            urls=source.all_urls,
            fetcher=fetcher,
            since=previous.last_success_at,
            on_page=on_page,
            on_partial=on_partial,
            state=connector_state,
        )
        try:
            count = 0
            async for item in fetch_and_normalise(connector, ctx):
                if isinstance(item, Unchanged):
                    run.keep_document(item)
                    continue
                count += 1
                if count > source.max_records:
                    raise _TooManyRecordsError(source.max_records)
                normalising.begin()
                run.take(item)
                normalising.add()
                if count % 100 == 0:
                    report.records(source.key, count)
            report.records(source.key, count)
        except _TooManyRecordsError as exc:
            error = str(exc)
        except Exception as exc:  # register trouble or a connector bug: keep the last good data
            error = error_text(exc)
        finally:
            normalising.end()
        if error is None and not run.seen and existing and not (source.allow_empty or run.partial):
            error = (
                f"register returned no records (it had {len(existing)}); keeping the last good data"
                " (set allow_empty = true for this source if it really emptied)"
            )
        seconds = round(time.monotonic() - started, 3)
        if error is not None:
            kept = sum(1 for d in existing.values() if not d.withdrawn)
            return await _failed(store, source, previous, now, error, pages, seconds, kept)
        run.settle_moves(fetcher.validated_urls())
        withdrawn = await run.withdrawals(store)
        live = run.live()
        state = SourceState(
            key=source.key,
            connector=source.connector,
            url=redact_url(source.url),
            status=SourceStatus.OK,
            record_count=live,
            quarantined_count=len(run.quarantine),
            last_success_at=now,
            last_attempt_at=now,
            consecutive_failures=0,
        )
        summary = HarvestSummary(
            source=source.key,
            ok=True,
            records=live,
            added=run.added,
            changed=run.changed,
            unchanged=run.unchanged,
            removed=len(withdrawn),
            quarantined=len(run.quarantine),
            pages=pages,
            seconds=seconds,
        )
        state = msgspec.structs.replace(state, last_summary=summary)
        with telemetry.span("store", {"microcred_hub.upserts": len(run.upserts)}):
            await store.apply(
                ChangeSet(
                    source=source.key,
                    upserts=PackedRecords([*run.upserts.records().packed, *pack_many(withdrawn)]),
                    quarantine=run.new_quarantine(),
                    state=state,
                )
            )
            # The state first: validators newer than the state could pair a 304 with an older
            # memory of the page, while a newer state merely costs a full read.
            if connector_state.changed:
                await store.put_meta(
                    ConnectorState.store_key(source.key), connector_state.dump(connector.info.name)
                )
            for key, value in fetcher.pending_validators.items():
                await store.put_meta(key, value)
        return summary


async def _state(store: Store, source: SourceConfig) -> SourceState:
    for state in await store.states():
        if state.key == source.key:
            return state
    return SourceState(key=source.key, connector=source.connector, url=redact_url(source.url))


async def _failed(
    store: Store,
    source: SourceConfig,
    previous: SourceState,
    now: datetime,
    error: str,
    pages: int,
    seconds: float,
    kept: int,
) -> HarvestSummary:
    failures = previous.consecutive_failures + 1
    # STALE: a failure, last good data served. FAILING: nothing to serve, or failing again and
    # again (the schedule then backs off, up to the interval: the source's circuit breaker).
    status = SourceStatus.STALE if kept and failures < FAILING_AFTER else SourceStatus.FAILING
    summary = HarvestSummary(
        source=source.key, ok=False, records=kept, pages=pages, errors=(error,), seconds=seconds
    )
    await store.put_state(
        msgspec.structs.replace(
            previous,
            connector=source.connector,
            url=redact_url(source.url),
            status=status,
            record_count=kept,
            last_attempt_at=now,
            last_error=error,
            consecutive_failures=failures,
            last_summary=summary,
        )
    )
    return summary
