"""The sign-in throttle: per-account and per-address budgets within a sliding window."""

from core.accounts.throttle import LoginThrottle


def test_an_account_is_blocked_after_its_budget_and_freed_by_the_window(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("core.accounts.throttle.time.monotonic", lambda: clock[0])
    throttle = LoginThrottle(window=60, per_account=3, per_address=10)
    for _ in range(3):
        assert not throttle.blocked("a", "ip")
        throttle.failed("a", "ip")
    assert throttle.blocked("a", "ip")
    assert not throttle.blocked("b", "ip")  # the address still has budget
    clock[0] += 61
    assert not throttle.blocked("a", "ip")


def test_an_address_is_blocked_after_its_larger_budget():
    throttle = LoginThrottle(window=60, per_account=3, per_address=5)
    for n in range(5):
        throttle.failed(f"user{n}", "ip")
    assert throttle.blocked("someone-else", "ip")
    assert not throttle.blocked("someone-else", "other-ip")


def test_success_clears_the_accounts_failures():
    throttle = LoginThrottle(window=60, per_account=2, per_address=10)
    throttle.failed("a", "ip")
    throttle.succeeded("a")
    throttle.failed("a", "ip")
    assert not throttle.blocked("a", "ip")
