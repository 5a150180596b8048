"""How a delivery is signed, and how a receiver checks it (README, "Webhooks"):

    X-Clinic-Timestamp: <unix seconds>
    X-Clinic-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
"""

import hashlib
import hmac
import json
import secrets


def secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def body_of(payload: dict) -> bytes:
    """The exact bytes POSTed: the same payload gives the same body at every attempt."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_valid(secret: str, timestamp: int, body: bytes, header: str, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: a timestamp no older than `tolerance` seconds and the same HMAC,
    compared in constant time (the README's snippet, kept here so a test runs it)."""
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), header)
