import pytest

from panhuo.classification.loaders import load_industries


@pytest.fixture
def industries(db: None) -> None:
    load_industries()
