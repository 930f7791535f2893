"""Schemathesis hooks for the conformance test (test/api/conformance.test.ts)."""

import base64
import binascii
import json

import schemathesis


def issued(cursor):
    """Whether a cursor has the form the server issues: base64url JSON with its snapshot, sort values and query."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(decoded, dict) and {"s", "a", "q"} <= decoded.keys()


@schemathesis.hook
def filter_case(context, case):
    # A cursor is a page's `next`, issued by the server; the stateful phase follows those links. One made up is
    # refused with 400, as the document says, so a request expected to be served never carries one.
    cursor = (case.query or {}).get("cursor")
    positive = case.meta is None or case.meta.generation.mode.is_positive
    return cursor is None or not positive or issued(str(cursor))
