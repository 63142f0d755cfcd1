"""The memory store's snapshot: a restart serves the last good data, and never half a file."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from microcred_hub.errors import ConfigError
from microcred_hub.record import QuarantinedRecord
from microcred_hub.state import SourceState, SourceStatus
from microcred_hub.store import ChangeSet, MemoryStore
from microcred_hub.store.memory import load_snapshot
from tests.factories import make_record, sample_records
from tests.store.helpers import subprocess_env, wait_for

REPO = Path(__file__).resolve().parents[2]


async def test_snapshot_round_trip_restores_everything(tmp_path: Path) -> None:
    path = tmp_path / "var" / "hub-snapshot.json"  # the directory does not exist yet
    state = SourceState(key="nzqa", connector="nzqa", url="http://x", status=SourceStatus.OK)
    quarantine = (QuarantinedRecord(source="nzqa", reason="no title", local_id="MC9"),)
    store = MemoryStore(path)
    await store.open()
    await store.apply(
        ChangeSet(source="nzqa", upserts=tuple(sample_records()), quarantine=quarantine)
    )
    await store.apply(ChangeSet(source="nzqa", deletes=(sample_records()[0].id,), state=state))
    await store.put_meta("nzqa:etag", b'"v1"')
    await store.close()

    restarted = MemoryStore(path)
    await restarted.open()

    assert await restarted.version() == 2
    assert await restarted.records() == await store.records()
    assert await restarted.states() == [state]
    assert await restarted.quarantined("nzqa") == list(quarantine)
    assert await restarted.get_meta("nzqa:etag") == b'"v1"'


async def test_no_snapshot_file_yet_starts_empty(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "none.json")
    await store.open()
    assert await store.version() == 0
    await store.close()
    assert not (tmp_path / "none.json").exists()  # nothing changed, nothing written


async def test_changes_are_written_without_waiting_for_close(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    store = MemoryStore(path, flush_interval=0.05)
    await store.open()
    await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"),)))

    await wait_for(path.exists)
    snapshot = load_snapshot(path)
    assert snapshot is not None
    assert [r.id for r in snapshot.records] == ["nzqa:MC1"]
    await store.close()


async def test_bursts_of_changes_are_coalesced_into_one_write(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    store = MemoryStore(path, flush_interval=0.5)
    await store.open()
    await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC0"),)))
    await wait_for(path.exists)
    first_write = path.stat().st_ino  # os.replace gives every write a new inode

    for i in range(1, 20):
        await store.apply(ChangeSet(source="nzqa", upserts=(make_record(f"MC{i}"),)))
    await asyncio.sleep(0.05)
    assert path.stat().st_ino == first_write  # not yet: within the flush interval

    await wait_for(lambda: path.stat().st_ino != first_write, within=3)
    snapshot = load_snapshot(path)
    assert snapshot is not None
    assert snapshot.version == 20
    await store.close()


async def test_close_writes_what_is_pending(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    store = MemoryStore(path, flush_interval=3600)
    await store.open()
    await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC0"),)))
    await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"),)))
    await store.close()

    snapshot = load_snapshot(path)
    assert snapshot is not None
    assert snapshot.version == 2


@pytest.mark.parametrize(
    "content",
    [b'{"format": 1, "version": 3, "records": [{"id": "nzqa:MC1", "tit', b"\x00\x01garbage", b""],
    ids=["truncated", "garbage", "empty"],
)
async def test_corrupt_snapshot_is_a_config_error_naming_the_file_and_fix(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "snap.json"
    path.write_bytes(content)

    with pytest.raises(ConfigError) as caught:
        await MemoryStore(path).open()

    message = str(caught.value)
    assert str(path) in message
    assert "delete or move" in message
    assert path.read_bytes() == content  # never overwritten with an empty store


async def test_snapshot_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_bytes(b'{"format": 99, "version": 1}')
    with pytest.raises(ConfigError, match="format 99"):
        await MemoryStore(path).open()


#: the most the writer below may write to a file: its snapshot is ~4 MB
FILE_LIMIT = 1 << 20

_WRITER = """
import asyncio, resource, signal, sys
from pathlib import Path
import msgspec
from microcred_hub.record import LangString
from microcred_hub.store import ChangeSet, MemoryStore
from tests.factories import make_record

async def main() -> None:
    store = MemoryStore(Path(sys.argv[1]), flush_interval=0)
    await store.open()
    text = (LangString(value="x" * 4000, lang="en"),)
    template = make_record("template", description=text)
    records = tuple(
        msgspec.structs.replace(template, id=f"nzqa:MC{i}", local_id=f"MC{i}")
        for i in range(int(sys.argv[2]))
    )
    # A write past the limit now kills the process (Python ignores SIGXFSZ; the kernel's
    # default ends it, as a crash would), wherever the snapshot writer is in its file.
    limit = int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    print("writing", flush=True)
    await store.apply(ChangeSet(source="nzqa", upserts=records))
    await store.close()
    print("written", flush=True)

asyncio.run(main())
"""


def crash_mid_write(path: Path, records: int) -> None:
    """Run a writer that dies in the middle of writing its snapshot's temporary file."""
    env = subprocess_env()
    env["PYTHONPATH"] += os.pathsep + str(REPO)
    done = subprocess.run(
        [sys.executable, "-c", _WRITER, str(path), str(records), str(FILE_LIMIT)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout == "writing\n", done.stderr  # it got as far as writing, no further
    assert done.returncode == -signal.SIGXFSZ, done.stderr


async def test_a_crash_mid_write_leaves_the_old_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    old = MemoryStore(path)
    await old.open()
    await old.apply(ChangeSet(source="nzqa", upserts=(make_record("OLD"),)))
    await old.close()

    await asyncio.to_thread(crash_mid_write, path, 1000)
    leftovers = await asyncio.to_thread(lambda: list(tmp_path.glob(".snap.json.*.tmp")))
    # the new snapshot was cut off in its temporary file, before os.replace
    assert [leftover.stat().st_size for leftover in leftovers] == [FILE_LIMIT]

    snapshot = load_snapshot(path)
    assert snapshot is not None
    assert [r.id for r in snapshot.records] == ["nzqa:OLD"]  # whole, and untouched

    restarted = MemoryStore(path)
    await restarted.open()
    # the crashed writer's garbage is gone
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob(".snap.json.*.tmp")))
    await restarted.close()


async def test_snapshot_under_a_file_is_a_config_error_at_open(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the snapshot directory should be")
    with pytest.raises(ConfigError, match=r"store\.snapshot"):
        await MemoryStore(blocker / "snap.json").open()


async def test_unwritable_snapshot_is_a_config_error_on_close(tmp_path: Path) -> None:
    directory = tmp_path / "var"
    store = MemoryStore(directory / "snap.json", flush_interval=3600)
    await store.open()
    directory.write_text("became a file: the snapshot cannot be written")
    await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"),)))

    with pytest.raises(ConfigError, match=r"store\.snapshot"):
        await store.close()


def test_snapshot_is_plain_camel_case_json(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"

    async def write() -> None:
        store = MemoryStore(path)
        await store.open()
        await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"),)))
        await store.close()

    asyncio.run(write())
    data = msgspec.json.decode(path.read_bytes())
    assert data["version"] == 1
    assert data["records"][0]["provenance"]["contentHash"].startswith("sha256:")
