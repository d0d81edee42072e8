import pytest

from panhuo.classification.loaders import load_industries
from panhuo.classification.tests.reference_fixture import build_small_reference


@pytest.fixture
def industries(db: None) -> None:
    load_industries()


@pytest.fixture
def small_reference(industries: None) -> None:
    build_small_reference()
