from __future__ import annotations

from importlib import import_module, util
from typing import Any

from django.core.management.base import BaseCommand

# Each step is `module:function(out)`, in dependency order; a module that is absent is skipped.
DEMO_STEPS = (
    "panhuo.classification.demo:load",
    "panhuo.accounts.demo:load",
    "panhuo.patents.demo:load",
    "panhuo.portal.synthetic:load",  # 合成演示大学: complete synthetic records (before industries, deals, scoring)
    "panhuo.patents.industries:load_demo",
    "panhuo.demand.demo:load",
    "panhuo.portal.synthetic:load_business",  # after demand: its needs load only while no demo need exists
    "panhuo.deals.demo:load",
    "panhuo.outcomes.demo:load",
    "panhuo.programmes.demo:load",  # before monitoring: its subsidy batch uses a scheme loaded here
    "panhuo.community.demo:load",  # after deals and demand: events present needs, deals name their origin
    "panhuo.evaluation.demo:load",  # after deals and demand: scores use their activity
    "panhuo.financing.demo:load",  # after evaluation: applications attach the platform's value scores
    "panhuo.matching.demo:load",  # after evaluation: the value score is the matching prior
    "panhuo.disclosures.demo:load",  # after matching: the novelty search asks the index
    "panhuo.monitoring.demo:load",
    "panhuo.navigation.demo:load",  # last: its scopes read patents, deals, needs and scores
)


class Command(BaseCommand):
    help = (
        "Load reference data and the labelled demo dataset, create one demo account per role. 加载演示数据。"
    )

    def handle(self, *args: Any, **o: Any) -> None:
        for step in DEMO_STEPS:
            module_name, _, function = step.partition(":")
            if util.find_spec(module_name) is None:
                continue
            self.stdout.write(f"== {module_name.split('.', 1)[1]}")
            getattr(import_module(module_name), function)(self.stdout)
        self.stdout.write("演示数据已加载 demo data loaded")
