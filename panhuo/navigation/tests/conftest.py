"""The constructed landscape of dataset.py as a fixture."""

from __future__ import annotations

import pytest

from panhuo.navigation.tests.dataset import build_landscape


@pytest.fixture
def landscape_data(make_org, make_user):
    return build_landscape(make_org, make_user)
