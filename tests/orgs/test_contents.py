"""What moves with an organization, for the 组织管理 confirmation: counts by kind over its subtree, for those who
manage the whole subtree, in one statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import Child
from tests.permissions.helpers import gid, org

pytestmark = pytest.mark.django_db

CONTENTS = "query($id: ID!) { organizationContents(id: $id) { key label count } }"


def test_the_confirmation_counts_what_moves_with_the_subtree(as_user):
    admin = as_user("baokang_league_admin")
    found = {c["key"]: (c["label"], c["count"]) for c in admin(CONTENTS, {"id": gid("Organization", org("马良镇团委").pk)})
             ["organizationContents"]}
    assert found["orgs.Organization"] == ("下级组织", 2)
    assert found["children.Child"] == ("儿童档案", Child.objects.filter(org_path__startswith=org("马良镇团委").path).count())
    assert found["permissions.Membership"] == ("成员角色", 1) and found["accounts.Profile"] == ("账号", 1)
    assert all(count > 0 for _label, count in found.values())
    assert "rollups.ReportAddressee" not in found


def test_only_those_who_manage_the_whole_subtree_see_it(as_user):
    maliang = gid("Organization", org("马良镇团委").pk)
    assert as_user("huaihua_wf_admin")(CONTENTS, {"id": maliang})["organizationContents"] is None
    assert as_user("maliang_league_staff")(CONTENTS, {"id": maliang})["organizationContents"] is None
    assert as_user("baokang_league_admin")(CONTENTS, {"id": gid("Child", 1)})["organizationContents"] is None


def test_one_statement_whatever_the_subtree(as_user):
    admin = as_user("baokang_league_admin")

    def cost(name: str) -> int:
        variables = {"id": gid("Organization", org(name).pk)}
        admin(CONTENTS, variables)
        with CaptureQueriesContext(connection) as captured:
            admin(CONTENTS, variables)
        return len(captured)

    # the organization and the counts; session, user and scope come from the cache once warm
    assert cost("三岔村团支部") == cost("共青团保康县委") == 2
