"""Load profile for bench/load_bench.py: signed-in users, 90% reads / 10% writes, on real pages.

Reads the accounts and object ids the orchestrator prepared from $PANHUO_LOAD_FIXTURE (JSON).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading

from locust import HttpUser, between, events, task

FIXTURE = json.loads(open(os.environ["PANHUO_LOAD_FIXTURE"], encoding="utf-8").read())
_ids = itertools.count()
_lock = threading.Lock()
QUERIES = ["电池", "传感器", "算法", "材料", "装置", "检测", "控制", "种植", "催化剂", "图像"]


def _next_account() -> dict:
    with _lock:
        return FIXTURE["accounts"][next(_ids) % len(FIXTURE["accounts"])]


class PanhuoUser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.account = _next_account()
        self.client.get("/accounts/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/accounts/login/",
            {
                "username": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": self.host},
            name="login",
        )

    def _csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host}

    @task(20)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(30)
    def patent_list(self) -> None:
        path = "/patents/pool/" if self.account["kind"] == "enterprise" else "/patents/"
        self.client.get(f"{path}?q={random.choice(QUERIES)}", name="patent search")

    @task(25)
    def patent_detail(self) -> None:
        pk = random.choice(
            FIXTURE["pool_patents"] if self.account["kind"] == "enterprise" else FIXTURE["own_patents"]
        )
        self.client.get(f"/patents/{pk}/", name="patent detail")

    @task(15)
    def second_page(self) -> None:
        path = "/demand/needs/" if self.account["kind"] == "enterprise" else "/patents/coverage/"
        self.client.get(path, name="needs / coverage")

    @task(10)
    def write(self) -> None:
        if self.account["kind"] == "enterprise":
            pk = random.choice(FIXTURE["pool_patents"])
            self.client.post(
                f"/demand/patent/{pk}/favourite/",
                {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
                headers=self._csrf(),
                name="favourite toggle (write)",
                allow_redirects=False,
            )
        else:
            record = random.choice(FIXTURE["own_records"])
            payload = {
                "application_scenarios": f"压测应用场景 {random.randint(1, 10**6)}",
                "trl": random.randint(1, 9),
            }
            self.client.patch(
                f"/api/patents/inventory/{record}",
                json=payload,
                headers=self._csrf(),
                name="建档 fill (write)",
            )


@events.quitting.add_listener
def _fail_on_breach(environment, **_kwargs) -> None:
    stats = environment.stats.total
    if stats.num_requests and (
        stats.get_response_time_percentile(0.95) > 300 or stats.get_response_time_percentile(0.99) > 1000
    ):
        environment.process_exit_code = 1
