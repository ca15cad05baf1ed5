"""The reporting API for handlers and the national authority.

Every report endpoint answers 404 for a report outside the caller's groups.
Reading or writing what a report says needs the handler's key, unlocked in the
browser session (``key_locked`` otherwise): an API token belongs to an
organisation, not to a handler, and opens no report.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from port2port.core.api import Id, InSchema, Page
from port2port.core.apikit import actor_of
from port2port.core.errors import InvalidInput, NotFound, NotPermitted
from port2port.core.models import User
from port2port.reporting import keyring, selectors, services
from port2port.reporting.models import Report

router = Router(tags=["reporting"])

READ = "registry:read"

Status = Literal["new", "triage", "investigation", "forwarded", "closed"]
CategoryCode = Literal[
    "drugs",
    "corruption",
    "theft",
    "smuggling",
    "trespass",
    "suspicious",
    "cyber",
    "other",
]


def _handler(request: HttpRequest) -> User:
    actor = actor_of(request, READ)
    if not isinstance(actor, User):
        raise NotPermitted("Reports are for handlers signed in to the platform.")
    return actor


def _report(actor: User, report_id: int) -> Report:
    return selectors.report_get_for_user(actor=actor, pk=report_id)


class GroupOut(Schema):
    id: int
    code: str
    name: str
    organisation: str

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation.name)


class ReportOut(Schema):
    id: int
    reference: str
    channel: str
    category: str
    port: str | None
    status: str
    assignee: str | None
    anonymous: bool
    unread: bool
    received_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_channel(obj: Any) -> str:
        return str(obj.channel.slug)

    @staticmethod
    def resolve_port(obj: Any) -> str | None:
        return obj.port.locode if obj.port else None

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return obj.assignee.get_username() if obj.assignee else None


class MessageOut(Schema):
    id: int
    kind: str
    author: str
    text: str
    created_at: dt.datetime
    files: list[int]


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    metadata_removed: bool
    from_reporter: bool


class ReportDetailOut(Schema):
    report: ReportOut
    groups: list[GroupOut]
    content: dict[str, Any]
    messages: list[MessageOut]
    files: list[FileOut]


class ReportFilters(Schema):
    status: Status | Literal["open"] | None = None
    category: CategoryCode | None = None
    port: str = Field("", max_length=5)
    assigned: Literal["me", "nobody"] | None = None


class StatusIn(InSchema):
    status: Status


class AssignIn(InSchema):
    assignee_id: Id | None = None


class TextIn(InSchema):
    text: str = Field(..., min_length=1, max_length=10_000)


class ForwardIn(InSchema):
    group_id: Id
    note: str = Field("", max_length=2_000)


class CellOut(Schema):
    label: str
    count: int | None


class TableOut(Schema):
    key: str
    title: str
    total: int | None
    cells: list[CellOut]


class StatisticsFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


class StatisticsOut(Schema):
    threshold: int
    total: int | None
    tables: list[TableOut]


@router.get("/reporting/groups", response=list[GroupOut], summary="My handler groups")
def group_list(request: HttpRequest) -> Any:
    return list(selectors.handler_groups_for_user(actor=_handler(request)))


@router.get("/reporting/reports", response=list[ReportOut], summary="List my reports")
@paginate(Page)
def report_list(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    return selectors.report_list_for_user(
        actor=_handler(request),
        status=filters.status or "",
        category=filters.category or "",
        port=filters.port,
        assigned=filters.assigned or "",
    )


def _detail(request: HttpRequest, actor: User, report: Report) -> dict[str, Any]:
    plain = services.report_open(
        actor=actor, report=report, private=keyring.keyring_load(request)
    )
    return {
        "report": report,
        "groups": selectors.report_groups(report=report),
        "content": plain.content,
        "messages": [
            {
                "id": m.id,
                "kind": m.kind,
                "author": m.author,
                "text": m.text,
                "created_at": m.created_at,
                "files": [f.id for f in m.files],
            }
            for m in plain.messages
        ],
        "files": [f.__dict__ for f in plain.files],
    }


@router.get(
    "/reporting/reports/{int:report_id}",
    response=ReportDetailOut,
    summary="Read a report (needs the unlocked key)",
)
def report_detail(request: HttpRequest, report_id: int) -> Any:
    actor = _handler(request)
    return _detail(request, actor, _report(actor, report_id))


@router.post(
    "/reporting/reports/{int:report_id}/status",
    response=ReportOut,
    summary="Change a report's status",
)
def report_status(request: HttpRequest, report_id: int, payload: StatusIn) -> Any:
    actor = _handler(request)
    return services.report_status_set(
        actor=actor, report=_report(actor, report_id), status=payload.status
    )


@router.post(
    "/reporting/reports/{int:report_id}/assignee",
    response=ReportOut,
    summary="Assign a report",
)
def report_assign(request: HttpRequest, report_id: int, payload: AssignIn) -> Any:
    actor = _handler(request)
    report = _report(actor, report_id)
    assignee = None
    if payload.assignee_id is not None:
        assignee = (
            selectors.report_assignable_users(report=report)
            .filter(pk=payload.assignee_id)
            .first()
        )
        if assignee is None:
            raise InvalidInput(
                "Assign the report to a handler of its groups.",
                fields={"assignee_id": ["not a handler of the report's groups"]},
            )
    return services.report_assign(actor=actor, report=report, assignee=assignee)


@router.post(
    "/reporting/reports/{int:report_id}/questions",
    response={201: MessageOut},
    summary="Ask the reporter a question",
)
def report_question(request: HttpRequest, report_id: int, payload: TextIn) -> Any:
    actor = _handler(request)
    message = services.report_question_ask(
        actor=actor,
        report=_report(actor, report_id),
        private=keyring.keyring_load(request),
        text=payload.text,
    )
    return 201, _message_out(message, payload.text, actor)


@router.post(
    "/reporting/reports/{int:report_id}/notes",
    response={201: MessageOut},
    summary="Add an internal note",
)
def report_note(request: HttpRequest, report_id: int, payload: TextIn) -> Any:
    actor = _handler(request)
    message = services.report_note_add(
        actor=actor,
        report=_report(actor, report_id),
        private=keyring.keyring_load(request),
        text=payload.text,
    )
    return 201, _message_out(message, payload.text, actor)


def _message_out(message: Any, text: str, actor: User) -> dict[str, Any]:
    return {
        "id": message.pk,
        "kind": message.kind,
        "author": actor.get_full_name() or actor.get_username(),
        "text": text.strip(),
        "created_at": message.created_at,
        "files": [],
    }


@router.post(
    "/reporting/reports/{int:report_id}/forward",
    response=ReportOut,
    summary="Forward a report to another group",
)
def report_forward(request: HttpRequest, report_id: int, payload: ForwardIn) -> Any:
    actor = _handler(request)
    report = _report(actor, report_id)
    try:
        group = selectors.group_get_for_forward(report=report, pk=payload.group_id)
    except NotFound:
        raise InvalidInput(
            "Unknown group, or it already has the report.",
            fields={"group_id": ["not found"]},
        ) from None
    return services.report_forward(
        actor=actor,
        report=report,
        private=keyring.keyring_load(request),
        group=group,
        note=payload.note,
    )


@router.get(
    "/reporting/statistics",
    response=StatisticsOut,
    summary="Report counts for the national authority",
)
def statistics(request: HttpRequest, filters: Query[StatisticsFilters]) -> Any:
    actor = actor_of(request, READ)
    stats = selectors.statistics_for_user(actor=actor, year=filters.year)
    return {
        "threshold": stats.threshold,
        "total": stats.total,
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "total": t.total,
                "cells": [{"label": c.label, "count": c.count} for c in t.cells],
            }
            for t in stats.tables
        ],
    }
