"""The service directory: resources.csv, validated, indexed in SQLite, searched by place."""

from bot.directory.schema import CATEGORIES, Service
from bot.directory.store import (
    Directory,
    DirectoryError,
    Nearby,
    ReloadOutcome,
    ReloadStatus,
    emergency_for,
)
from bot.directory.validate import Problem, Severity, validate

__all__ = [
    "CATEGORIES",
    "Directory",
    "DirectoryError",
    "Nearby",
    "Problem",
    "ReloadOutcome",
    "ReloadStatus",
    "Service",
    "Severity",
    "emergency_for",
    "validate",
]
