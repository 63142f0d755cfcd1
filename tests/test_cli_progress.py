"""`harvest` on a terminal: the progress line is erased before the summary, on a narrow one too.

The hub runs under a real pseudo-terminal 40 columns wide with the bundled demo config.
"""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import termios

from microcred_hub.cli import TerminalProgress
from tests.support.hub_process import hub_command

COLUMNS = 40
ERASE = b"\r\x1b[2K"


def harvest_on_a_terminal(columns: int) -> bytes:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [*hub_command(), "harvest"], stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=120) == 0, out
    os.close(leader)
    return out


def test_progress_fits_one_row_and_is_erased_before_the_summary() -> None:
    out = harvest_on_a_terminal(COLUMNS)
    drawn = out.split(ERASE)
    progress, summary = drawn[1:-1], drawn[-1]
    assert progress, out  # the progress line was drawn at all
    # one row each: erasing the cursor's row then erases all of it
    assert all(len(line.decode()) < COLUMNS for line in progress), progress
    assert summary.startswith(b"source"), out
    assert b"harvesting" not in summary


def test_off_a_terminal_a_harvest_shorter_than_a_second_prints_no_progress_line() -> None:
    stream = io.StringIO()  # not a tty: the log-file case
    progress = TerminalProgress(stream)
    progress.page("edubadges", "file:///catalog.json")
    progress.records("edubadges", 0)
    progress.done()
    assert stream.getvalue() == ""  # not "edubadges: 1 pages, 0 records" as if it were a result
