"""The thin runtime: the wiring (``Hub``), the harvest schedule and the store -> index feed."""

from __future__ import annotations

from microcred_hub.runtime.feed import IndexFeed
from microcred_hub.runtime.hub import Hub
from microcred_hub.runtime.scheduler import Scheduler
from microcred_hub.runtime.states import SourceStates

__all__ = ["Hub", "IndexFeed", "Scheduler", "SourceStates"]
