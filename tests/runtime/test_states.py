"""Source states as served: read again whenever the store's states change."""

from __future__ import annotations

import msgspec

from microcred_hub.config import SourceConfig
from microcred_hub.runtime.states import SourceStates
from microcred_hub.state import SourceState, SourceStatus
from microcred_hub.store.memory import MemoryStore


async def test_states_follow_the_store_and_are_made_once_while_it_holds_the_same() -> None:
    store = MemoryStore()
    await store.open()
    sources = [
        SourceConfig(key="nzqa", connector="nzqa", url="http://127.0.0.1:1/a"),
        SourceConfig(key="elm", connector="elm", url="http://127.0.0.1:1/b"),
    ]
    states = SourceStates(store, sources)
    first = await states.read()
    assert [s.status for s in first] == [SourceStatus.PENDING] * 2
    assert await states.read() is first  # nothing changed: the same states
    digest = states.digest
    ok = SourceState(key="nzqa", connector="nzqa", url="http://127.0.0.1:1/a")
    ok = msgspec.structs.replace(ok, status=SourceStatus.OK)
    await store.put_state(ok)
    second = await states.read()
    assert [s.status for s in second] == [SourceStatus.OK, SourceStatus.PENDING]
    assert states.digest != digest
    failed = msgspec.structs.replace(ok, status=SourceStatus.FAILING, last_error="boom")
    await store.put_state(failed)
    states.remember(failed)  # announced by the store: read again, whatever it hands back
    assert [s.status for s in await states.read()] == [SourceStatus.FAILING, SourceStatus.PENDING]
    await store.close()
