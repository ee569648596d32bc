"""Budgets for guessable actions: signing in (and checking the current password), asking for
password-reset links and sending invitations. Each attempt is counted against every key it has (an
account and the client's address, a coordinator and the invitee's address); once one key's budget
for the window is spent, further attempts are refused until that window closes.

Counts live in the tenant's own database (``crm_throttle``), so any number of app processes share
one budget: N processes allow the same number of attempts as one. Keys are stored as a keyed hash
(HMAC with the app's secret key, which every process of a deployment shares anyway for CSRF), never
an address or an IP in clear, and a row is pruned once its window has closed, so the table stays as
small as the set of keys attempted within the longest window.

An attempt is counted *before* it is tried (``attempt``) and given back when it turns out not to be
a failure (``succeeded``, ``release``): counting after the check would let two processes that both
see four failures each try a fifth and sixth password.

How an attempt is counted, and why two processes cannot both pass the limit: one statement per key,
``INSERT … ON CONFLICT (bucket) DO UPDATE SET hits = hits + 1 … RETURNING hits``, which both
backends run atomically. PostgreSQL takes the row's lock for the update, so concurrent attempts on
one key are applied one after the other and each sees the count including all earlier ones; SQLite
has a single writer (``BEGIN IMMEDIATE`` / one write at a time across processes). So the n-th
concurrent attempt reads exactly n and only the first ``limit`` pass. An attempt refused on any of
its keys gives back what it added on the others (a refused attempt tries nothing). Keys are counted
in a fixed (sorted) order and each statement commits on its own, so no two attempts wait for each
other's locks in opposite orders.

The window is fixed, opened by the first attempt on a key and closed ``window`` later: "wait 15
minutes" is then at most 15 minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from core.accounts.tables import ThrottleCounter

_COUNT = """
INSERT INTO crm_throttle (bucket, hits, closes_at) VALUES ({}, 1, {})
ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN crm_throttle.closes_at <= {} THEN 1 ELSE crm_throttle.hits + 1 END,
    closes_at = CASE WHEN crm_throttle.closes_at <= {} THEN excluded.closes_at ELSE crm_throttle.closes_at END
RETURNING hits
"""

# Mixed into every key. Tests move it on (``forget_all``) so that one test's attempts do not spend
# the next one's budget; a deployment never changes it.
_namespace = ""


def forget_all() -> None:
    """Start counting afresh in this process (tests): earlier counts are no longer found, and expire
    from the databases with their windows."""
    global _namespace
    _namespace = secrets.token_hex(8)


def _now() -> int:
    return int(time.time())


@dataclass(frozen=True, slots=True)
class Throttle:
    """A budget per kind of key (``limits``: kind → attempts) within ``window`` seconds."""

    name: str
    window: int
    limits: dict[str, int]
    secret: bytes

    def _bucket(self, kind: str, value: str) -> str:
        message = f"{_namespace}\x1f{self.name}\x1f{kind}\x1f{value}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def _buckets(self, keys: dict[str, str]) -> dict[str, str]:
        unknown = set(keys) - set(self.limits)
        if unknown:
            raise ValueError(f"throttle {self.name} has no budget for {sorted(unknown)}")
        return {kind: self._bucket(kind, value) for kind, value in keys.items()}

    async def attempt(self, **keys: str) -> bool:
        """Count one attempt against each key (kind=value); False when any key's budget is already
        spent, and then nothing stays counted."""
        now = _now()
        buckets = self._buckets(keys)
        over = False
        for kind, bucket in sorted(buckets.items(), key=lambda item: item[1]):
            rows = await ThrottleCounter.raw(_COUNT, bucket, now + self.window, now, now).run()
            over = over or rows[0]["hits"] > self.limits[kind]
        if over:
            await self._give_back(list(buckets.values()))
        await ThrottleCounter.delete().where(ThrottleCounter.closes_at <= now).run()
        return not over

    async def release(self, **keys: str) -> None:
        """The attempt just counted was not a failure (say, a password change refused for another
        reason than the current password): give it back."""
        await self._give_back(list(self._buckets(keys).values()))

    async def succeeded(self, *, account: str, **others: str) -> None:
        """The attempt succeeded: the account's failures are forgotten (it is not locked out by
        earlier guesses) and the attempt is given back to its other keys."""
        await self.clear(account=account)
        if others:
            await self.release(**others)

    async def clear(self, **keys: str) -> None:
        """Forget every attempt counted against these keys (a password reset lifts a lockout)."""
        buckets = list(self._buckets(keys).values())
        await ThrottleCounter.delete().where(ThrottleCounter.bucket.is_in(buckets)).run()

    async def _give_back(self, buckets: list[str]) -> None:
        await (
            ThrottleCounter.update({ThrottleCounter.hits: ThrottleCounter.hits - 1})
            .where(ThrottleCounter.bucket.is_in(buckets) & (ThrottleCounter.hits > 0))
            .run()
        )


# The budgets. Sign-in: an address gets a larger budget than an account (a ministry's whole staff
# may share one). Reset links: each request counts, whether or not the account exists. Invitations
# (sent or re-sent, by a coordinator in the web app): a coordinator may invite a whole pilot in one
# sitting, but one person's inbox gets a few invitations an hour at most.
SIGN_IN_WINDOW, SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_ADDRESS = 15 * 60, 5, 30
RESET_WINDOW, RESET_PER_ACCOUNT, RESET_PER_ADDRESS = 60 * 60, 3, 20
INVITE_WINDOW, INVITE_PER_COORDINATOR, INVITE_PER_INVITEE = 60 * 60, 30, 3
# Plugin routes marked public (no sign-in: a call for applications, a certificate check): per client
# address, reading is generous (a page and its retries), submitting is a handful per hour.
PUBLIC_READ_WINDOW, PUBLIC_READS_PER_ADDRESS = 60, 60
PUBLIC_WRITE_WINDOW, PUBLIC_WRITES_PER_ADDRESS = 60 * 60, 10


@dataclass(frozen=True, slots=True)
class Throttles:
    """The app's throttles, keyed with its secret."""

    sign_in: Throttle
    reset_request: Throttle
    invitation: Throttle
    public_read: Throttle
    public_write: Throttle

    @classmethod
    def keyed(cls, secret: str) -> Throttles:
        key = secret.encode()
        return cls(
            sign_in=Throttle(
                "sign-in",
                SIGN_IN_WINDOW,
                {"account": SIGN_IN_PER_ACCOUNT, "address": SIGN_IN_PER_ADDRESS},
                key,
            ),
            reset_request=Throttle(
                "reset-request",
                RESET_WINDOW,
                {"account": RESET_PER_ACCOUNT, "address": RESET_PER_ADDRESS},
                key,
            ),
            invitation=Throttle(
                "invitation",
                INVITE_WINDOW,
                {"coordinator": INVITE_PER_COORDINATOR, "invitee": INVITE_PER_INVITEE},
                key,
            ),
            public_read=Throttle(
                "public-read", PUBLIC_READ_WINDOW, {"address": PUBLIC_READS_PER_ADDRESS}, key
            ),
            public_write=Throttle(
                "public-write", PUBLIC_WRITE_WINDOW, {"address": PUBLIC_WRITES_PER_ADDRESS}, key
            ),
        )
