import pytest

from panhuo.accounts.models import OrganizationType
from panhuo.demand.models import EnterpriseProfile
from panhuo.matching import index as idx
from panhuo.patents.models import InventoryRecord, InventoryState, Patent

CORPUS = [
    # (pub_no, title, ipc, holder fixture, state)
    ("CN100000001A", "锂离子电池正极材料及其制备方法", "H01M4/505", "university", InventoryState.POOLED),
    ("CN100000002A", "锂离子电池负极材料硅碳复合物", "H01M4/38", "university", InventoryState.DRAFT),
    (
        "CN100000003A",
        "基于深度学习的工业图像缺陷识别方法",
        "G06V10/82",
        "other_university",
        InventoryState.POOLED,
    ),
    (
        "CN100000004A",
        "一种壳聚糖可食用保鲜涂膜及其应用",
        "A23B7/16",
        "other_university",
        InventoryState.POOLED,
    ),
]


def make_patent(key, title, ipc, org, state, abstract=""):
    patent = Patent.objects.create(
        pub_no=key[:-1],
        pub_kind=key[-1],
        patent_type="invention",
        title=title,
        abstract=abstract,
        ipc_main=ipc,
        ipc_codes=[ipc],
        ipc_section=ipc[0],
        ipc_class=ipc[:3],
        ipc_subclass=ipc[:4],
    )
    InventoryRecord.objects.create(organization=org, patent=patent, state=state)
    return patent


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.INDEX_DIR = tmp_path / "index"
    idx.forget()
    yield settings.INDEX_DIR
    idx.forget()


@pytest.fixture
def corpus(university, other_university):
    orgs = {"university": university, "other_university": other_university}
    return {
        pub: make_patent(pub, title, ipc, orgs[holder], state) for pub, title, ipc, holder, state in CORPUS
    }


@pytest.fixture
def battery_enterprise(make_org):
    org = make_org(OrganizationType.ENTERPRISE, code="ENT-BAT", name="丁电池科技有限公司", credit_code="")
    EnterpriseProfile.objects.create(
        organization=org,
        industry_code="C3841",
        industry_name="锂离子电池制造",
        technical_focus="锂离子电池正极材料、高镍三元材料",
        contact_email="bat@example.com",
    )
    return org


@pytest.fixture
def built_index(corpus, db):
    from django.core.management import call_command

    call_command("index", "build", stdout=_Sink())
    return corpus


@pytest.fixture
def enterprise_index(battery_enterprise, db):
    """The persisted patent → enterprise index, built the way the worker builds it."""
    from panhuo.matching.models import IndexBuild
    from panhuo.matching.services import index_build_run

    build = index_build_run(IndexBuild.objects.create(kind=IndexBuild.Kind.ENTERPRISE).pk)
    idx.forget()
    return build


class _Sink:
    def __init__(self):
        self.lines = []

    def write(self, s):
        self.lines.append(s)

    def flush(self):
        pass
