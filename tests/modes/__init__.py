"""Green-mode suites: one behaviour suite run in sync, futures, gevent and asyncio modes."""
