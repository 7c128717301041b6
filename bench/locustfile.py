"""locust users for ``bench/load.py``: staff members opening a mix of pages, without think time.

Run by ``bench/load.py`` (never alone): it opens the sessions, starts gunicorn and passes

- ``PARCOURS_LOAD_PLAN``: a JSON file ``{"sessions": [{"school", "role", "session_key",
  "pages": {kind: [url, …]}}, …]}`` (``load.prepare``);
- ``PARCOURS_LOAD_SAMPLES``: where every request is recorded, one JSON object a line
  (``{"name", "ms", "ok", "status", "start"}``), for ``load.aggregate``.

User ``n`` takes session ``n mod len(sessions)`` (so the staff members of every role are
represented), then picks a page kind by ``load.PAGE_WEIGHTS`` (or the plan's ``weights``) and
a URL of that kind at random (a fixed seed per user). Redirects are not followed: any answer
but 2xx is an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from pathlib import Path

from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import CLIENT_ADDRESS, PAGE_WEIGHTS

_PLAN_FILE = os.environ.get("PARCOURS_LOAD_PLAN")
PLAN = json.loads(Path(_PLAN_FILE).read_text(encoding="utf-8")) if _PLAN_FILE else {"sessions": []}
_SAMPLES_FILE = os.environ.get("PARCOURS_LOAD_SAMPLES")
_samples = open(_SAMPLES_FILE, "a", encoding="utf-8") if _SAMPLES_FILE else None  # noqa: SIM115
_numbers = itertools.count()


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, **kwargs):
    if _samples is None:
        return
    status = getattr(response, "status_code", None) if response is not None else None
    start = kwargs.get("start_time") or (time.time() - response_time / 1000)
    sample = {"name": name, "ms": response_time, "ok": exception is None, "status": status}
    if exception is not None:
        sample["error"] = type(exception).__name__
    sample["start"] = start
    _samples.write(json.dumps(sample) + "\n")


@events.quitting.add_listener
def _close(**kwargs):
    if _samples is not None:
        _samples.flush()
        _samples.close()


class StaffMember(FastHttpUser):
    wait_time = constant(0)
    # One connection per user, kept alive (a browser's).
    concurrency = 1

    def on_start(self) -> None:
        number = next(_numbers)
        sessions = PLAN["sessions"]
        self.session = sessions[number % len(sessions)]
        self.random = random.Random(number)  # a reproducible mix
        weights = PLAN.get("weights", PAGE_WEIGHTS)  # {"floor": 1} for ``load.py --floor``
        kinds = [kind for kind in weights if self.session["pages"].get(kind)]
        self.kinds = kinds
        self.weights = [weights[kind] for kind in kinds]
        self.headers = {
            "Cookie": f"sessionid={self.session['session_key']}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": CLIENT_ADDRESS,
        }

    @task
    def open_page(self) -> None:
        kind = self.random.choices(self.kinds, self.weights)[0]
        url = self.random.choice(self.session["pages"][kind])
        with self.client.get(
            url, name=kind, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if not 200 <= response.status_code < 300:
                response.failure(f"HTTP {response.status_code}")
