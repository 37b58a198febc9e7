"""Join codes, capability tokens and display names."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a code read off a projector at the back of the room is typed right.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6


def new_code() -> str:
    """A join code: 6 of :data:`ALPHABET`, 25⁶ ≈ 2.4·10⁸ codes, too many to guess at the join rate limit."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str | None:
    """``text`` as a join code (upper case, spaces and dashes dropped), or None when it cannot be one."""
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def new_token() -> str:
    """A capability: 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, so a leaked store grants nothing."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def same_token(token: str | None, digest: str) -> bool:
    return token is not None and hmac.compare_digest(token_digest(token), digest)


def clean_name(text: str | None, max_length: int) -> str:
    """A display name as plain text: control and format characters dropped, spaces collapsed, capped.

    Markup is kept as the characters it is; every page writes names with ``textContent``, never as HTML.
    """
    if not text:
        return ""
    kept = "".join(char for char in text if unicodedata.category(char)[0] != "C")
    return " ".join(kept.split())[:max_length]
