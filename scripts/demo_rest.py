#!/usr/bin/env python3
"""One REST call for scripts/demo.sh, made like a real client of Bitrix24 and Zoho Mail.

Throttle answers are retried with the backoff the references prescribe
(../shared/reference/bitrix24-rest-api.md section 3, zoho-mail-api.md section 3), within a bound
on the total wait:

- Bitrix 503 QUERY_LIMIT_EXCEEDED or OVERLOAD_LIMIT (the portal's leaky bucket, shared with
  the daemon): Retry-After if given, else the bucket's refill time (0.5 s at 2 requests a
  second) times 1.5^attempt, jittered.
- Bitrix 429 OPERATION_TIME_LIMIT: that method is paused until time.operating_reset_at (at
  least 10 s).
- Zoho 429, or a 400 whose body says THROTTLE: Retry-After if given, else 60 s doubling.
- Any other 503 or 429: Retry-After if given, else the Bitrix backoff.

Every other failure (another HTTP error, a Bitrix `error` in a 200, no connection, a wait
beyond the bound) ends the call with exit status 1 and one line naming the call, the answer and
the log to read. The webhook secret in a URL is never printed.

Usage: demo_rest.py [--json BODY] [--out FILE] [--what TEXT] [--log FILE] [--budget S] URL
Prints the answer's body (or writes it to --out).
"""
import argparse
import email.utils
import json
import random
import re
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

BITRIX_REFILL_S = 0.5  # one request drains in 1/2 s on a standard portal
BITRIX_MAX_STEP_S = 15.0
ZOHO_FIRST_S = 60.0
ZOHO_MAX_STEP_S = 900.0
OPERATING_MIN_S = 10.0
REQUEST_TIMEOUT_S = 30.0


def redact(url):
    """The webhook secret is the path segment after /rest/<user id>/."""
    return re.sub(r"(/rest/\d+/)[^/]+", r"\1***", url)


def retry_after(headers, now):
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date), or None."""
    value = headers.get("Retry-After") if headers else None
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def error_code(body):
    """The service's error code: Bitrix `error`, Zoho `errorCode` (flat or under data)."""
    if not isinstance(body, dict):
        return ""
    for key in ("error", "errorCode"):
        if isinstance(body.get(key), str):
            return body[key]
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("errorCode"), str):
        return data["errorCode"]
    return ""


def operating_reset_in(body, now):
    """Seconds until Bitrix's time.operating_reset_at (unix seconds or ISO 8601), or None."""
    t = body.get("time") if isinstance(body, dict) else None
    reset = t.get("operating_reset_at") if isinstance(t, dict) else None
    if reset is None:
        return None
    try:
        at = datetime.fromtimestamp(float(reset), timezone.utc)
    except (TypeError, ValueError):
        try:
            at = datetime.fromisoformat(str(reset))
        except ValueError:
            return None
    return max(0.0, (at - now).total_seconds())


def throttle_wait(status, headers, text, body, attempt, now):
    """(seconds, reason) when the answer is a throttle to wait out, else None."""
    code = error_code(body)
    hinted = retry_after(headers, now)
    jitter = random.uniform(0.8, 1.2)
    bitrix_step = min(BITRIX_MAX_STEP_S, BITRIX_REFILL_S * 1.5**attempt) * jitter
    if status == 429 and code.upper() == "OPERATION_TIME_LIMIT":
        reset = operating_reset_in(body, now)
        wait = max(OPERATING_MIN_S, reset if reset is not None else 0.0, hinted or 0.0)
        return wait, f"429 {code}"
    if status == 503 and code.upper() in ("QUERY_LIMIT_EXCEEDED", "OVERLOAD_LIMIT"):
        return (hinted if hinted is not None else bitrix_step), f"503 {code}"
    if status == 429 or (status == 400 and "THROTTLE" in text.upper()):
        if hinted is not None:
            return hinted, f"{status} {code}".strip()
        if "THROTTLE" in (code + text).upper():  # Zoho: 60 s doubling, capped
            return min(ZOHO_MAX_STEP_S, ZOHO_FIRST_S * 2**attempt) * jitter, f"{status} {code}"
        return bitrix_step, f"{status} {code}".strip()
    if status == 503:
        return (hinted if hinted is not None else bitrix_step), f"503 {code}".strip()
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("url")
    ap.add_argument("--json", help="POST this JSON body")
    ap.add_argument("--out", help="write the answer's body here instead of standard output")
    ap.add_argument("--what", help="what the call is for, in messages")
    ap.add_argument("--log", help="the log to read when it fails")
    ap.add_argument("--budget", type=float, default=120.0,
                    help="the most seconds to spend waiting out throttles (default 120)")
    a = ap.parse_args()
    shown = redact(a.url)
    what = a.what or shown
    see = f"; see {a.log}" if a.log else ""

    def fail(message):
        print(f"demo: {what} failed: {message} ({shown}){see}", file=sys.stderr)
        sys.exit(1)

    waited = 0.0
    attempt = 0
    while True:
        data = a.json.encode() if a.json is not None else None
        req = urllib.request.Request(a.url, data=data, method="POST" if data is not None else "GET")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as r:
                status, headers, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, headers, raw = e.code, e.headers, e.read()
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            fail(f"no answer: {reason}")
        text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(text) if text.strip() else None
        except ValueError:
            body = None
        if 200 <= status < 300 and not (isinstance(body, dict) and "error" in body
                                        and "result" not in body):
            if a.out:
                with open(a.out, "w", encoding="utf-8") as f:
                    f.write(text)
            else:
                sys.stdout.write(text)
            return
        throttle = throttle_wait(status, headers, text, body, attempt,
                                 datetime.now(timezone.utc))
        if throttle is None:
            detail = error_code(body) or text.strip()[:200]
            desc = body.get("error_description", "") if isinstance(body, dict) else ""
            fail(f"HTTP {status} {detail}" + (f": {desc}" if desc else ""))
        wait, reason = throttle
        if waited + wait > a.budget:
            fail(f"still throttled ({reason}) after {attempt + 1} tries and {waited:.1f}s of "
                 f"waiting; the next wait ({wait:.1f}s) would pass the {a.budget:.0f}s bound")
        print(f"demo: {what}: throttled ({reason}), retrying in {wait:.1f}s", file=sys.stderr)
        time.sleep(wait)
        waited += wait
        attempt += 1


if __name__ == "__main__":
    main()
