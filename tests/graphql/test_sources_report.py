"""extensions.sources follows the states it is given, also when they are handed back again."""

from __future__ import annotations

from microcred_hub.graphql.sources import sources_extension
from microcred_hub.state import SourceState
from tests.graphql.helpers import FAILING, HEALTHY, make_context


async def test_the_report_follows_the_states_whether_new_or_handed_back_again() -> None:
    current: list[list[SourceState]] = [FAILING]

    async def states() -> list[SourceState]:
        return current[0]  # the same list while nothing changes, as runtime/states.py does

    context = make_context(source_states=states)
    failing = await sources_extension(context)
    assert [s["key"] for s in failing["sources"]] == ["edubadges"]
    assert await sources_extension(context) == failing
    current[0] = HEALTHY
    assert await sources_extension(context) == {}
    current[0] = FAILING
    assert await sources_extension(context) == failing
