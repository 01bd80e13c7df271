"""The demo of 文書管理・収受: 下仁田町's 分類表 (with the lines the issue names), its scanned letter waiting to be
read, old volumes the 満了 list offers for 廃棄 and 移管, and a reload that changes nothing."""

from __future__ import annotations

import pytest
from django_scopes import scope

from yakuba.approvals.demo.filing import LETTER_TITLE
from yakuba.approvals.models import DocumentClass, Record, Scan, ScanState
from yakuba.approvals.services import retention
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_for_module):
    """The demo, loaded once for this module (tests/conftest.py); each test's changes are undone."""


def test_shimonita_has_its_table_a_letter_and_expired_volumes(demo):
    town = Municipality.objects.get(code="103829")
    with scope(municipality=town):
        table = {c.name: c for c in DocumentClass.objects.all()}
        assert 30 <= len(table) <= 60
        assert table["支出負担行為"].retention == 5 and table["業務委託契約"].retention == 10
        assert table["条例・規則の制定改廃"].retention == 0 and table["条例・規則の制定改廃"].historical
        assert {table["国・県からの照会と回答"].retention, table["軽易な照会と回答"].retention} == {3, 1}
        letter = Record.objects.get(title=LETTER_TITLE)
        assert letter.file and Scan.objects.get(record=letter).state == ScanState.PENDING
        soumu = Department.objects.get(name="総務課")
        due = list(retention.due_volumes(town, department=soumu))
        assert any(not v.document_class.historical for v in due) and any(v.document_class.historical for v in due)
