"""Project-wide pytest fixtures (the Django ones only touch settings, never the database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test.utils import override_settings

from carnot.applications.selectors import forget_panels


@pytest.fixture(autouse=True, scope="session")
def _test_settings() -> Iterator[None]:
    """WhiteNoise looks static files up on request instead of scanning them all for each test
    client (0.3 s a client). Tasks run as soon as they are enqueued (on commit of the
    enqueuing transaction), in the test's process; a test that wants the database queue and a
    worker says so with ``override_settings(TASKS=...)``."""
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                             "QUEUES": ["default"]}}
    with override_settings(WHITENOISE_AUTOREFRESH=True, TASKS=immediate):
        yield


@pytest.fixture(autouse=True)
def _own_media_and_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test uploads into its own directories (never ./var/media nor ./var/ledger-imports)
    and starts with an empty cache, so that no stored file or cached panel leaks from one test
    into another."""
    cache.clear()
    forget_panels()
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"),
                           LEDGER_IMPORT_FILES_ROOT=tmp_path_factory.mktemp("ledger-imports")):
        yield


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences",
                     "django_db_serialized_rollback", "live_server"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--database-tests-only", action="store_true",
                     help="run only the tests that use the database (the PostgreSQL pass of "
                          "tools/check.py)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
        (kept if uses_db else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
