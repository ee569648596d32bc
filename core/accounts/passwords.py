"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def use_parameters(parameters: Parameters) -> None:
    """Hash new passwords with ``parameters`` from now on. Only the test kit calls it (argon2's
    cheapest profile: thousands of test members and sign-ins at the production cost would take
    minutes of CPU). Verifying reads the parameters each hash carries, so every hash keeps working."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(parameters)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
