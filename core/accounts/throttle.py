"""Rate-limited sign-in: after too many failures for one account, or from one address, within a
window, further attempts are refused until the window has passed. An address gets a larger budget
than an account (a ministry's whole staff may share one). Kept in process memory: with several app
processes each enforces its own budget, which still bounds guessing."""

from __future__ import annotations

import time
from collections import defaultdict, deque

WINDOW_SECONDS = 15 * 60
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 30


class LoginThrottle:
    def __init__(
        self,
        window: float = WINDOW_SECONDS,
        per_account: int = ACCOUNT_FAILURES,
        per_address: int = ADDRESS_FAILURES,
    ) -> None:
        self.window = window
        self.limits = {"account": per_account, "address": per_address}
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        entries = self._failures[key]
        while entries and entries[0] <= now - self.window:
            entries.popleft()
        return entries

    def blocked(self, account: str, address: str) -> bool:
        now = time.monotonic()
        return any(
            len(self._recent((kind, key), now)) >= self.limits[kind]
            for kind, key in (("account", account), ("address", address))
        )

    def failed(self, account: str, address: str) -> None:
        now = time.monotonic()
        for key in (("account", account), ("address", address)):
            self._recent(key, now).append(now)

    def succeeded(self, account: str) -> None:
        self._failures.pop(("account", account), None)

    def reset(self) -> None:
        """Forget every failure (tests; an operator clearing a lockout after a restart is implicit)."""
        self._failures.clear()
