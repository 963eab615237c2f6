"""Password hashing, tuned on purpose rather than left at a library default."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's minimum parameters: m = 19 MiB, t = 2, p = 1.

    Why these numbers (measured on the 2-core reference machine, argon2-cffi 25.1):

    - Django 5.2's Argon2 default (m = 100 MiB, t = 2, p = 8) costs about 140 ms per hash on
      one core: 7 logins/s per core before any other work, too slow for the target of
      >= 30 OIDC logins/s at p99 <= 500 ms on two cores.
    - Django's PBKDF2-SHA256 (1,000,000 iterations) costs about 385 ms: 2.6 logins/s per core.
    - m = 19 MiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet, first Argon2id option)
      costs about 24 ms: ~40 logins/s per core for hashing alone, leaving room for the rest
      of the request. Memory-hardness is what matters against GPU/ASIC guessing, and 19 MiB
      per guess keeps that property; p = 1 because a login server is already parallel
      across requests and extra lanes would only add thread overhead.

    The algorithm name stays "argon2", so hashes made with other parameters still verify and
    Django re-hashes them with these parameters at the next successful login.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
