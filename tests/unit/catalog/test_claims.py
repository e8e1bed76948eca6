"""Claiming national items: one name, code, basis and type in every region; the rest local."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.catalog.claims import Localisation, claim, claims_of
from hub.catalog.errors import CatalogRefused, TransitionRefused, UnknownRegion
from hub.catalog.versions import history
from tests.catalog_support import OFFICER, national_item, publish_new


def test_regions_claim_one_item_and_localise_what_they_may(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        item = national_item(session)
        claim(
            session,
            item,
            Localisation(
                "340100",
                "SCJG-3401",
                supervision_manner="双随机抽查",
                measures="现场检查",
                name="对食品生产经营者的监督检查",
                legal_basis="《中华人民共和国食品安全法》第一百零六条",
                supervision_type="行政检查",
            ),
            actor=OFFICER,
            reason="合肥市认领",
        )
        claim(
            session,
            item,
            Localisation("340104", "SCJG-340104", level="乡级", process="蜀山区流程"),
            actor=OFFICER,
            reason="蜀山区认领",
        )
        rows = claims_of(session, item.code)
        assert [(c.region_code, c.department_code, c.level) for c in rows] == [
            ("340100", "SCJG-3401", "city"),
            ("340104", "SCJG-340104", "township"),
        ]
        assert rows[0].supervision_manner == "双随机抽查" and rows[0].measures == "现场检查"
        assert rows[1].supervision_manner == "日常检查"  # the national item's, not localised
        assert rows[1].process == "蜀山区流程"
        # One item everywhere: the national name, code, basis and type are untouched.
        assert (item.name, item.legal_basis, item.supervision_type) == (
            "对食品生产经营者的监督检查",
            "《中华人民共和国食品安全法》第一百零六条",
            "行政检查",
        )

        claim(
            session,
            item,
            Localisation("340100", "SCJG-3401", supervision_manner="重点检查"),
            actor=OFFICER,
            reason="合肥市调整",
        )
        assert claims_of(session, item.code)[0].supervision_manner == "重点检查"
        steps = history(session, item.code)
        assert [(e.action, e.reason) for e in steps] == [
            ("imported", "stored by the exchange pipeline"),
            ("claim", "340100: 合肥市认领"),
            ("claim", "340104: 蜀山区认领"),
            ("claim", "340100: 合肥市调整"),
        ]
        assert steps[-1].changed == ("claims",)
        assert [c["region_code"] for c in steps[-1].snapshot["claims"]] == ["340100", "340104"]


def test_a_claim_cannot_change_the_shared_elements_or_reach_outside_its_area(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        item = national_item(session)
        with pytest.raises(CatalogRefused, match=r"keeps the national name .*, legal_basis"):
            claim(
                session,
                item,
                Localisation(
                    "340100", "SCJG-3401", name="对食品经营者的检查", legal_basis="地方条例"
                ),
                actor=OFFICER,
                reason="认领",
            )
        with pytest.raises(UnknownRegion, match="does not implement items in region 340200"):
            claim(session, item, Localisation("340200", "SCJG-3401"), actor=OFFICER, reason="认领")
        with pytest.raises(UnknownRegion, match="'999999'"):
            claim(session, item, Localisation("999999", "SCJG-3401"), actor=OFFICER, reason="认领")
        local = publish_new(session)
        with pytest.raises(TransitionRefused, match="only a published national item"):
            claim(session, local, Localisation("340100", "SCJG-3401"), actor=OFFICER, reason="认领")
        withdrawn = national_item(session, "00010100020000", name="另一事项", status="withdrawn")
        with pytest.raises(TransitionRefused, match="national and withdrawn"):
            claim(
                session,
                withdrawn,
                Localisation("340100", "SCJG-3401"),
                actor=OFFICER,
                reason="认领",
            )
        assert claims_of(session, item.code) == []
