"""The one fetch -> normalise loop: the harvest, the conformance kit and `connectors check` run it.

Each raw record comes out normalised or rejected with its reason, so every caller decides the
same way what counts as a record: a harvest lands or quarantines, the kit asserts, the check
reports the first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from microcred_hub.contract import Connector, HarvestContext, RawRecord, Unchanged
from microcred_hub.errors import (
    ConnectorContractError,
    FetchError,
    InvalidRecordError,
    redact_urls,
)
from microcred_hub.record import RecordDraft


@dataclass(frozen=True, slots=True)
class Normalised:
    raw: RawRecord
    draft: RecordDraft


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that cannot be normalised: quarantined by a harvest, with ``reason``."""

    raw: RawRecord
    reason: str
    local_id: str | None
    #: what normalise raised (InvalidRecordError for a record the connector rejected)
    error: BaseException

    @property
    def connector_bug(self) -> bool:
        """The connector, not the record, needs fixing: it crashed, broke the contract, or
        rejected the record without a reason."""
        if isinstance(self.error, InvalidRecordError):
            return not self.error.reason.strip()
        return not isinstance(self.error, RecursionError)


def error_text(exc: BaseException) -> str:
    """A one-line reason fit for `sources` (no traceback, no internal paths)."""
    if isinstance(exc, FetchError | InvalidRecordError):
        return redact_urls(str(exc))
    return redact_urls(f"{type(exc).__name__}: {exc}"[:500])


def normalise_one(connector: Connector, raw: RawRecord) -> Normalised | Rejected:
    """``connector.normalise(raw)``, with whatever goes wrong turned into a rejection; an
    entry ``fetch`` already refused (``sdk.reject``) is rejected with its reason unread."""
    if raw.rejected is not None:
        return Rejected(raw, raw.rejected, raw.local_id, InvalidRecordError(raw.rejected))
    try:
        draft = connector.normalise(raw)
        if not isinstance(draft, RecordDraft):
            raise ConnectorContractError(
                f"connector bug: normalise returned {type(draft).__name__}, not a RecordDraft"
            )
        if not draft.local_id or not draft.title:
            # a record without them should have raised InvalidRecordError with the reason
            raise ConnectorContractError("normalised record has no id or no title")
    except RecursionError as exc:
        return Rejected(raw, "record nested too deeply to read", raw.local_id, exc)
    except InvalidRecordError as exc:
        return Rejected(raw, exc.reason, exc.local_id or raw.local_id, exc)
    except ConnectorContractError as exc:
        return Rejected(raw, str(exc), raw.local_id, exc)
    except Exception as exc:  # a bug in one record's mapping must not cost the others
        return Rejected(raw, f"normalise failed: {error_text(exc)}", raw.local_id, exc)
    return Normalised(raw, draft)


async def fetch_and_normalise(
    connector: Connector, ctx: HarvestContext
) -> AsyncIterator[Normalised | Rejected | Unchanged]:
    """Run ``connector.fetch(ctx)`` and normalise each record as it comes.

    Fetch errors propagate (the caller keeps the last good data); an item that is neither a
    RawRecord nor Unchanged is a ConnectorContractError.
    """
    async for item in connector.fetch(ctx):
        if isinstance(item, RawRecord):
            yield normalise_one(connector, item)
        elif isinstance(item, Unchanged):
            yield item
        else:
            raise ConnectorContractError(
                f"fetch() yielded {type(item).__name__}; expected RawRecord or Unchanged"
            )
