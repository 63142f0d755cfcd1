"""The edubadges connector: the public catalog, then one public detail per badge class."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeAlias
from urllib.parse import quote

from microcred_hub.sdk import (
    JSON,
    ConnectorInfo,
    ConnectorOptions,
    FatalFetchError,
    JSONObject,
    RawRecord,
    RecordDraft,
    RetryableFetchError,
    Unchanged,
    bounded,
    to_bool,
)

from .mapping import CATALOG_KEY, DETAIL_ERROR_KEY, normalise_badge

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from microcred_hub.sdk import HarvestContext

_Result: TypeAlias = RawRecord | Unchanged


class EdubadgesOptions(ConnectorOptions, frozen=True, kw_only=True):
    """The ``[[sources]]`` keys of an edubadges source besides key/connector/url."""

    concurrency: int = 8  # detail requests in flight at once
    include_archived: bool = False
    include_private: bool = False
    only_micro_credentials: bool = False
    #: appended to the source url; the demo (file://) register uses "/catalog.json"
    catalog_path: str = "/queries/catalog/badge-classes"
    #: appended to the source url, {entityId} replaced; the demo uses "/badges/{entityId}.json"
    detail_path: str = "/public/badges/{entityId}?expand=micro&expand=issuer"

    def __post_init__(self) -> None:
        self.require_at_least(1, "concurrency")
        if "{entityId}" not in self.detail_path:
            raise ValueError("detail_path must contain {entityId}")


class EdubadgesConnector:
    """SURF edubadges (NL): Open Badges 2 badge classes with the edubadges micro fields."""

    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="edubadges",
        version="1.0.0",
        description="SURF edubadges: public badge-class catalog and Open Badges 2 details",
        register="edubadges (SURF, NL)",
        country="NL",
        formats=("openbadges-2",),
        homepage="https://www.surf.nl/en/edubadges",
    )
    options_type: ClassVar[type[ConnectorOptions]] = EdubadgesOptions

    def __init__(self, options: EdubadgesOptions | None = None) -> None:
        self.options = options or EdubadgesOptions()

    def catalog_url(self, base: str) -> str:
        return base.rstrip("/") + self.options.catalog_path

    def detail_url(self, base: str, entity_id: str) -> str:
        # entityIds are url-safe base64, but the catalog is untrusted: never let one add a path
        return base.rstrip("/") + self.options.detail_path.replace(
            "{entityId}", quote(entity_id, safe="")
        )

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[_Result]:
        catalog_url = self.catalog_url(ctx.url)
        ctx.page(catalog_url)
        rows = (await ctx.fetcher.get(catalog_url, accept="application/json")).json()
        if not isinstance(rows, list):
            raise FatalFetchError(
                f"{catalog_url} answered a JSON {type(rows).__name__}, not the catalog array of "
                "badge classes; check the source url and catalog_path",
                url=catalog_url,
            )
        fetched = failed = 0
        wanted = [r for r in rows if self._wanted(r)]
        # as each completes: one slow detail holds one slot, not a batch
        details = bounded(
            wanted,
            lambda row: self._detail(ctx, row),
            limit=self.options.concurrency,
            ordered=False,
        )
        async for result, ok in details:
            fetched += ok
            failed += not ok
            yield result
        if failed and not fetched:
            # every detail missing is a wrong detail_path, not a register emptied overnight
            raise FatalFetchError(
                f"none of the {failed} badge-class details under {ctx.url} could be read; "
                "check the source url and detail_path",
                url=ctx.url,
            )

    def normalise(self, raw: RawRecord) -> RecordDraft:
        return normalise_badge(raw.data, local_id=raw.local_id)

    def _wanted(self, row: JSON) -> bool:
        if not isinstance(row, dict):
            return True  # yielded and quarantined, so the bad row is visible
        opts = self.options
        if not opts.include_archived and _truthy(row.get("archived")):
            return False
        if not opts.include_private and _truthy(row.get("isPrivate")):
            return False
        if opts.only_micro_credentials:
            return row.get("typeBadgeClass") == "micro_credential" or _truthy(
                row.get("isMicroCredentials")
            )
        return True

    async def _detail(self, ctx: HarvestContext, row: JSON) -> tuple[_Result, bool]:
        """One badge class; the bool is False when the register refused its detail for good."""
        catalog: JSONObject = row if isinstance(row, dict) else {"row": row}
        entity_id = row.get("entityId") if isinstance(row, dict) else None
        if not isinstance(entity_id, str) or not entity_id.strip():
            error = "catalog row has no entityId, so its detail cannot be fetched"
            return RawRecord(data={CATALOG_KEY: catalog, DETAIL_ERROR_KEY: error}), True
        entity_id = entity_id.strip()
        url = self.detail_url(ctx.url, entity_id)
        ctx.page(url)
        try:
            detail = (await ctx.fetcher.get(url, accept="application/json")).json()
        except RetryableFetchError:
            # still failing after the fetcher's retries: keep last harvest's version of this
            # badge rather than fail thousands of others or report it withdrawn
            return Unchanged(source_url=url), True
        except FatalFetchError as exc:
            reason = (
                f"detail not found (HTTP 404) at {url}"
                if exc.status == 404
                else f"detail could not be read: {exc}"
            )
            data: JSONObject = {CATALOG_KEY: catalog, DETAIL_ERROR_KEY: reason}
            return RawRecord(data=data, local_id=entity_id, source_url=url), False
        if not isinstance(detail, dict):
            reason = f"detail is a JSON {type(detail).__name__}, not a BadgeClass object"
            data = {CATALOG_KEY: catalog, DETAIL_ERROR_KEY: reason}
            return RawRecord(data=data, local_id=entity_id, source_url=url), True
        return RawRecord(
            data={**detail, CATALOG_KEY: catalog}, local_id=entity_id, source_url=url
        ), True


def _truthy(value: JSON) -> bool:
    try:
        return to_bool(value) is True
    except ValueError:
        return False
