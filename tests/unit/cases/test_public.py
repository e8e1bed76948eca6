"""The public-intake contract: filing, idempotent re-posts, views without personal data."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from hub.cases.handling import fire_case
from hub.cases.public import (
    PublicComplaintForm,
    file_public_complaint,
    list_public_cases,
    public_case_view,
)
from hub.store.models.cases import Case
from hub.store.models.complaints import Complaint
from hub.workflow import Actor

PHONE, NAME, EMAIL = "13855556666", "李公开", "li.gongkai@example.com"


def _form(**changes: object) -> PublicComplaintForm:
    form = PublicComplaintForm(
        category_code="pricing",
        content="超市标价与结算价不一致，多收了钱。",
        title="超市多收钱",
        complainant_name=NAME,
        complainant_phone=PHONE,
        complainant_email=EMAIL,
        address="合肥市庐阳区长江中路1号",
        region_code="340103",
        latitude=31.86,
        longitude=117.28,
        target_uscc=None,
        target_name="某超市",
    )
    return dataclasses.replace(form, **changes)


def test_a_filed_complaint_is_stored_sealed_routed_and_shown_without_personal_data(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        view = file_public_complaint(session, _form())
    assert view.tracking_no.startswith("TS") and view.status == "assigned" and view.is_open
    assert [stage.stage for stage in view.stages] == ["received", "accepted", "assigned"]
    assert view.agency_responsible == "庐阳区市场监督管理局"
    assert (view.category_code, view.latitude, view.answer) == ("pricing", 31.86, None)
    assert all(
        PHONE not in str(value) and NAME not in str(value) and EMAIL not in str(value)
        for value in dataclasses.asdict(view).values()
    )
    with Session(engine) as session:
        complaint = session.scalars(select(Complaint)).one()
        assert (complaint.source, complaint.complainant_phone) == ("public_api", PHONE)
        raw = session.execute(
            text("SELECT complainant_phone, complainant_name FROM complaints")
        ).one()
        assert PHONE.encode() not in bytes(raw[0]) and NAME.encode() not in bytes(raw[1])
        email = session.execute(text("SELECT complainant_email FROM case_complaints")).scalar_one()
        assert EMAIL.encode() not in bytes(email)


def test_the_same_client_reference_twice_is_the_same_case(engine: Engine) -> None:
    with Session(engine) as session:
        first = file_public_complaint(session, _form(channel="open311", client_ref="311-42"))
        again = file_public_complaint(session, _form(channel="open311", client_ref="311-42"))
        other = file_public_complaint(
            session,
            _form(
                channel="open311",
                client_ref="311-43",
                complainant_phone="13700001234",
                category_code="environment",
                content="工厂夜间排放刺鼻气体",
            ),
        )
        assert first.tracking_no == again.tracking_no != other.tracking_no
        assert len(session.scalars(select(Complaint)).all()) == 2


def test_a_complaint_from_outside_the_province_waits_in_triage(engine: Engine) -> None:
    with Session(engine) as session:
        view = file_public_complaint(session, _form(region_code="350102"))
    assert (view.status, view.is_open, view.agency_responsible) == ("triage", True, None)
    assert [stage.stage for stage in view.stages] == ["received"]


def test_views_follow_the_case_and_the_list_filters(engine: Engine) -> None:
    with Session(engine) as session:
        pricing = file_public_complaint(session, _form())
        environment = file_public_complaint(
            session,
            _form(
                category_code="environment",
                content="工厂排放刺鼻气体",
                complainant_phone="13700001111",
            ),
        )
        case = session.scalars(select(Case).where(Case.tracking_no == pricing.tracking_no)).one()
        handler = Actor("officer", "SCJG-340103", "officer")
        dispatcher = Actor("dispatcher", "SJZY-34", "officer")
        fire_case(session, case, "start_handling", handler)
        fire_case(session, case, "answer", handler, fields={"answer": "已责令退还多收款"})
        fire_case(session, case, "visit", dispatcher, fields={"satisfaction": "satisfied"})
        fire_case(session, case, "close", dispatcher)
        session.commit()

        closed = public_case_view(session, pricing.tracking_no)
        assert closed is not None and (closed.status, closed.is_open) == ("closed", False)
        assert closed.answer == "已责令退还多收款"
        assert [stage.stage for stage in closed.stages][-3:] == ["answered", "visited", "closed"]
        assert public_case_view(session, "TS-NONE") is None

        def numbers(
            category_codes: list[str] | None = None,
            is_open: bool | None = None,
            start: datetime | None = None,
            end: datetime | None = None,
            limit: int = 10,
        ) -> list[str]:
            views = list_public_cases(
                session,
                category_codes=category_codes,
                is_open=is_open,
                start=start,
                end=end,
                limit=limit,
            )
            return [view.tracking_no for view in views]

        assert numbers() == [environment.tracking_no, pricing.tracking_no]
        assert numbers(is_open=True) == [environment.tracking_no]
        assert numbers(is_open=False) == [pricing.tracking_no]
        assert numbers(category_codes=["pricing"]) == [pricing.tracking_no]
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        assert numbers(start=tomorrow) == []
        assert numbers(end=tomorrow, limit=1) == [environment.tracking_no]
