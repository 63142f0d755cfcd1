"""Europass / European Learning Model v3 (JSON-LD): credentials, learning opportunities and
learning achievement specifications, one record per specification."""

from __future__ import annotations

from .connector import ElmConnector, ElmOptions
from .documents import envelopes
from .mapping import normalise_elm

__all__ = ["ElmConnector", "ElmOptions", "envelopes", "normalise_elm"]
