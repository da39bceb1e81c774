#!/usr/bin/env python3
"""scripts/demo_rest.py (the demo's own REST calls) against the real sandbox with injected
throttles: Bitrix's 503 QUERY_LIMIT_EXCEEDED is waited out and the call made once; a throttle
that outlasts the bound, a 429 OPERATION_TIME_LIMIT whose reset is beyond it, a Zoho throttle
and a plain error fail at once with one line naming the call, the answer and the log, never the
webhook secret.

Usage: demo_rest_test.py SANDBOX_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENT = os.path.join(ROOT, "scripts", "demo_rest.py")
SANDBOX = sys.argv.pop(1) if len(sys.argv) > 1 else None


class DemoRest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        ready = os.path.join(cls.dir.name, "ready.json")
        cls.log = os.path.join(cls.dir.name, "sandbox.log")
        with open(cls.log, "w") as log:
            cls.proc = subprocess.Popen(
                [SANDBOX, "--listen", "127.0.0.1:0", "--seed",
                 os.path.join(ROOT, "tests/fixtures/tickets"), "--ready-file", ready],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not os.path.exists(ready) and time.monotonic() < deadline:
            if cls.proc.poll() is not None:
                raise RuntimeError(f"the sandbox exited; see {cls.log}")
            time.sleep(0.05)
        with open(ready) as f:
            endpoints = json.load(f)
        cls.base = endpoints["zoho_api_url"].rstrip("/")
        cls.webhook = endpoints["bitrix_webhook_url"].rstrip("/")
        cls.secret = cls.webhook.split("/")[-1]

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(timeout=10)
        cls.dir.cleanup()

    def control(self, path, body=None):
        req = urllib.request.Request(f"{self.base}/_sandbox/{path}",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     method="POST" if body is not None else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)

    def setUp(self):
        urllib.request.urlopen(urllib.request.Request(f"{self.base}/_sandbox/faults",
                                                      method="DELETE"), timeout=10).read()

    def call(self, url, *args):
        r = subprocess.run([sys.executable, CLIENT, url, "--log", "the-log", *args],
                           capture_output=True, text=True, timeout=120)
        self.assertNotIn(self.secret, r.stdout + r.stderr)
        return r

    def comments(self, task):
        tasks = {int(t["id"]): t for t in self.control("state")["bitrix"]["tasks"]}
        return [c for c in tasks[task].get("comments", []) if "demo-rest-test" in json.dumps(c)]

    def add_comment(self, task, text, *args):
        return self.call(f"{self.webhook}/task.commentitem.add.json", "--what", f"approving task {task}",
                         "--json", json.dumps({"TASKID": task, "FIELDS": {
                             "POST_MESSAGE": text, "AUTHOR_ID": 7}}), *args)

    def test_waits_out_the_bitrix_leaky_bucket_and_posts_once(self):
        self.control("faults", {"route": "/rest/*/task.commentitem.add.json", "kind": "throttle",
                                "count": 3})
        r = self.add_comment(3, "demo-rest-test uno")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.count("throttled (503 QUERY_LIMIT_EXCEEDED), retrying in"), 3,
                         r.stderr)
        self.assertIsInstance(json.loads(r.stdout)["result"], int)
        self.assertEqual(len(self.comments(3)), 1)

    def test_gives_up_when_the_throttle_outlasts_the_bound(self):
        self.control("faults", {"route": "/rest/*/task.commentitem.add.json", "kind": "throttle",
                                "count": 100})
        r = self.add_comment(5, "demo-rest-test dos", "--budget", "3")
        self.assertEqual(r.returncode, 1)
        last = r.stderr.strip().splitlines()[-1]
        self.assertIn("demo: approving task 5 failed: still throttled (503 QUERY_LIMIT_EXCEEDED)", last)
        self.assertIn("3s bound", last)
        self.assertIn("/rest/1/***/task.commentitem.add.json", last)
        self.assertIn("see the-log", last)
        self.assertEqual(self.comments(5), [])

    def test_operating_time_limit_waits_for_its_reset_or_fails_beyond_the_bound(self):
        body = {"error": "OPERATION_TIME_LIMIT",
                "error_description": "Method is blocked due to operation time limit.",
                "time": {"operating_reset_at": time.time() + 600}}
        self.control("faults", {"route": "/rest/*/task.commentitem.add.json", "kind": "status",
                                "status": 429, "body": body, "count": 1})
        r = self.add_comment(6, "demo-rest-test tres", "--budget", "60")
        self.assertEqual(r.returncode, 1)
        self.assertIn("still throttled (429 OPERATION_TIME_LIMIT)", r.stderr)
        self.assertRegex(r.stderr, r"next wait \((59[0-9]|600)\.\ds\)")

    def test_zoho_throttle_backs_off_a_minute(self):
        self.control("faults", {"route": "/api/*", "kind": "throttle", "count": 1})
        r = self.call(f"{self.base}/api/organization", "--what", "reading the organization",
                      "--budget", "30")
        self.assertEqual(r.returncode, 1)
        self.assertIn("URL_ROLLING_THROTTLES_LIMIT_EXCEEDED", r.stderr)
        self.assertRegex(r.stderr, r"next wait \((4[89]|5\d|6\d|7[0-2])\.\ds\)")

    def test_other_errors_fail_at_once(self):
        self.control("faults", {"route": "/rest/*/task.commentitem.add.json", "kind": "status",
                                "status": 400, "count": 1,
                                "body": {"error": "ERROR_CORE", "error_description": "bad"}})
        start = time.monotonic()
        r = self.add_comment(7, "demo-rest-test cuatro")
        self.assertEqual(r.returncode, 1)
        self.assertLess(time.monotonic() - start, 30)
        self.assertNotIn("retrying", r.stderr)
        self.assertIn("demo: approving task 7 failed: HTTP 400 ERROR_CORE: bad", r.stderr)
        self.assertEqual(self.comments(7), [])

    def test_no_answer_names_the_call(self):
        r = self.call("http://127.0.0.1:9/nothing", "--what", "reading nothing")
        self.assertEqual(r.returncode, 1)
        self.assertIn("demo: reading nothing failed: no answer", r.stderr)


if __name__ == "__main__":
    if not SANDBOX:
        sys.exit("usage: demo_rest_test.py SANDBOX_BINARY")
    unittest.main(verbosity=2)
