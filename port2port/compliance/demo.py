"""ISPS compliance demo data on top of the registry and the access demo.

For every ISPS facility: a risk, an approved assessment and plan with their
certificate (some due for review), past inspections with their answers and
findings, drills and exercises over two years (a few late), and a port-wide
exercise with a shared after-action report. Then the live items that the demo
accounts act on: a plan waiting for the Antwerp committee's advice, another for
the national authority's decision, inspections planned for the inspectors, a
level change to acknowledge, the North Sea Port training rules, ship calls with
their pre-arrival information (one late, one missing) and Declarations of
Security. Deterministic: one ``random.Random`` drawn in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF

from port2port.compliance import schedule, services
from port2port.compliance.models import (
    AfterActionReport,
    Answer,
    Certificate,
    ChecklistTemplate,
    Course,
    DocumentVersion,
    Exercise,
    FacilityProfile,
    Finding,
    FindingUpdate,
    Inspection,
    Scenario,
    SecurityDocument,
)
from port2port.core.models import Facility, Organisation, Port, Role, User
from port2port.core.services import membership_create

SEED = 20251124
DEMO_PASSWORD = "demo"
# Accounts this module adds to the registry's demo accounts.
ACCOUNTS = (
    ("inspector.ghent", "Inspector", "port of Ghent (BEGNE), for the local committee"),
)

_SUMMARIES = {
    "pfsa": {
        "physical_security": "Fenced perimeter of {length} m, two gates, lit quay.",
        "procedures": "Registration of every person and vehicle at the gates.",
        "communications_and_it": "Terminal operating system isolated from office IT.",
        "conclusion": "Main risks: drug extraction from containers, intrusion from the water side.",
    },
    "pfsp": {
        "organisation": "PFSO with two deputies; 24/7 security desk.",
        "level_1_measures": "Badge and biometric check at turnstiles; camera coverage of gates.",
        "level_2_3_measures": "Second gate closed; searches of 25% of vehicles; escort of visitors.",
        "reporting": "Incidents phoned to the shipping police; written report within 24 h.",
    },
}
_DESCRIPTIONS = (
    "The fence behind the empty-container depot has a gap of about 50 cm.",
    "Two cameras at the truck gate were out of order for a week without a report.",
    "Visitors were not escorted on the quay.",
    "The key register was not up to date.",
    "The level 2 measures were not known to the night shift.",
    "Seal numbers are not compared with the documents at gate-out.",
)
_ACTIONS = (
    "Repair the fence and add a daily patrol check",
    "Add a camera fault alarm to the security desk",
    "Brief the gate staff and update the visitor procedure",
    "Audit the key register monthly",
)


def _pdf(title: str, lines: list[str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creator("Port2Port demo")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0,
        6,
        "Fictitious demonstration document: it describes no real facility.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _account(username: str, organisation: Organisation, role: str, port: Port) -> User:
    user = User.objects.create(
        username=username,
        password=make_password(DEMO_PASSWORD),
        first_name="Inge",
        last_name="Verstraete",
        email=f"{username}@example.invalid",
    )
    membership_create(
        actor=None, user=user, organisation=organisation, role=role, port=port
    )
    return user


def _documents(
    rng: random.Random, facility: Facility, today: dt.date, namb: User | None
) -> int:
    approved = today - dt.timedelta(days=rng.randint(120, 5 * 365 + 60))
    count = 0
    for kind in ("pfsa", "pfsp"):
        document = SecurityDocument.objects.create(
            facility=facility, kind=kind, last_approved_on=approved
        )
        summary = {
            k: v.format(length=rng.randint(18, 60) * 100)
            for k, v in _SUMMARIES[kind].items()
        }
        content = _pdf(
            f"{kind.upper()} {facility.name}", [f"{k}: {v}" for k, v in summary.items()]
        )
        version = DocumentVersion.objects.create(
            document=document,
            number=1,
            status=DocumentVersion.Status.APPROVED,
            file=ContentFile(
                content, name=f"{uuid.UUID(int=rng.getrandbits(128)).hex}.pdf"
            ),
            file_name=f"{kind}-{facility.code}.pdf",
            file_size=len(content),
            file_sha256=hashlib.sha256(content).hexdigest(),
            summary=summary,
            created_at=_at(approved - dt.timedelta(days=90)),
            submitted_at=_at(approved - dt.timedelta(days=60)),
            advice=DocumentVersion.Advice.FAVOURABLE,
            advice_text="The committee advises approval.",
            advised_at=_at(approved - dt.timedelta(days=30)),
            decided_at=_at(approved),
            decided_by=namb,
        )
        document.review_due_on = schedule.next_review_due(
            approved, major_change=None, major_change_days=90, today=today
        )
        document.save(update_fields=["review_due_on"])
        if kind == "pfsp":
            Certificate.objects.create(
                facility=facility,
                version=version,
                number=f"ISPS-{facility.port.locode}-{facility.pk:05d}-{version.pk:06d}",
                issued_on=approved,
                expires_on=schedule.certificate_expiry(approved),
                issued_by=namb,
            )
        count += 1
    return count


def _inspection_history(
    rng: random.Random,
    facility: Facility,
    templates: list[ChecklistTemplate],
    inspector: User,
    today: dt.date,
) -> tuple[int, int]:
    """Write one completed inspection of the past with its answers and findings."""
    template = templates[rng.randrange(len(templates))]
    day = today - dt.timedelta(days=rng.randint(60, 600))
    inspection = Inspection.objects.create(
        facility=facility,
        template=template,
        kind=rng.choice(["announced", "unannounced"]),
        status=Inspection.Status.COMPLETED,
        planned_on=day,
        inspector=inspector,
        started_at=_at(day, 9),
        completed_at=_at(day, 12),
        summary="Interim inspection on site; PFSO and security desk interviewed.",
        created_by=inspector,
    )
    answers = []
    failed = []
    for item in template.items.order_by("position"):
        if item.answer_type == "photo":
            continue
        values: dict[str, Any] = {"choice": "", "number": None, "text": ""}
        if item.answer_type == "yes_no_na":
            choice = "no" if rng.random() < 0.08 else "yes"
            values["choice"] = choice
            if choice == "no":
                failed.append(item)
        elif item.answer_type == "number":
            values["number"] = Decimal(rng.randint(0, 30))
        else:
            values["text"] = "Nothing further to report."
        answers.append(
            Answer(
                inspection=inspection,
                item=item,
                client_saved_at=_at(day, 11),
                saved_at=_at(day, 11),
                saved_by=inspector,
                **values,
            )
        )
    Answer.objects.bulk_create(answers)
    worst = "compliant"
    for number, item in enumerate(failed[:3], start=1):
        severity = rng.choice(["minor", "minor", "major"])
        if severity == "major":
            worst = "major"
        elif worst == "compliant":
            worst = "minor"
        deadline = day + dt.timedelta(days=services.FINDING_DAYS[severity])
        closed = deadline < today - dt.timedelta(days=20) and rng.random() < 0.7
        finding = Finding.objects.create(
            inspection=inspection,
            facility=facility,
            item=item,
            number=number,
            severity=severity,
            description=rng.choice(_DESCRIPTIONS),
            source=item.source,
            status=Finding.Status.CLOSED if closed else Finding.Status.PLANNED,
            action=rng.choice(_ACTIONS),
            action_owner="Terminal security manager",
            deadline=deadline,
            closed_at=_at(deadline) if closed else None,
            closed_by=inspector if closed else None,
            created_by=inspector,
        )
        FindingUpdate.objects.create(
            finding=finding,
            kind=FindingUpdate.Kind.PLAN,
            text=f"{finding.action} — owner: {finding.action_owner}",
            at=_at(day + dt.timedelta(days=5)),
        )
        if closed:
            FindingUpdate.objects.create(
                finding=finding,
                kind=FindingUpdate.Kind.CLOSED,
                text="Checked on site: solved.",
                author=inspector,
                at=_at(deadline),
            )
    inspection.outcome = worst
    inspection.save(update_fields=["outcome"])
    return 1, len(failed[:3])


def _drills(
    rng: random.Random,
    facility: Facility,
    drills: list[Scenario],
    exercises: list[Scenario],
    today: dt.date,
    late: bool,
) -> int:
    """Write two years of drills (every 2.5-3 months) and yearly exercises."""
    count = 0
    day = today - dt.timedelta(days=730)
    stop = today - dt.timedelta(days=rng.randint(100, 130) if late else 10)
    while day <= stop:
        scenario = drills[rng.randrange(len(drills))]
        exercise = Exercise.objects.create(
            kind=Exercise.Kind.DRILL,
            format=Exercise.Format.DRILL,
            scenario=scenario,
            title=scenario.title,
            port=facility.port,
            status=Exercise.Status.HELD,
            planned_on=day,
            held_on=day,
        )
        exercise.facilities.add(facility)
        count += 1
        day += dt.timedelta(days=rng.randint(75, 88))
    for years_ago in (2, 1):
        day = today - dt.timedelta(days=365 * years_ago - rng.randint(-40, 40))
        scenario = exercises[rng.randrange(len(exercises))]
        exercise = Exercise.objects.create(
            kind=Exercise.Kind.EXERCISE,
            format=rng.choice(["tabletop", "live", "command_post"]),
            scenario=scenario,
            title=scenario.title,
            port=facility.port,
            status=Exercise.Status.HELD,
            planned_on=day,
            held_on=day,
        )
        exercise.facilities.add(facility)
        count += 1
    return count


def seed(*, stdout: Any = None) -> dict[str, int]:
    """Load the compliance demo data; return the counts."""
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    counts = {
        "compliance_documents": 0,
        "inspections": 0,
        "findings": 0,
        "drills_and_exercises": 0,
        "ship_calls": 0,
    }
    with transaction.atomic():
        services.course_catalogue_load()
        namb = User.objects.filter(username="namb").first()
        inspector = User.objects.filter(username="inspector").first()
        committee = User.objects.filter(username="committee.member").first()
        pfso = User.objects.filter(username="pfso.deurganck").first()
        ghent = Port.objects.filter(locode="BEGNE").first()
        nsp = Organisation.objects.filter(name__icontains="North Sea Port").first()
        ghent_inspector = None
        if ghent is not None and nsp is not None:
            ghent_inspector = _account("inspector.ghent", nsp, Role.INSPECTOR, ghent)
        if inspector is None or namb is None:
            return counts

        facilities = list(
            Facility.objects.filter(isps=True).select_related("port").order_by("pk")
        )
        templates = list(ChecklistTemplate.objects.filter(active=True).order_by("code"))
        by_code = {t.code: t for t in templates}
        drills = list(Scenario.objects.filter(kind="drill").order_by("code"))
        exercises = list(Scenario.objects.filter(kind="exercise").order_by("code"))
        late = set(rng.sample([f.pk for f in facilities], k=min(3, len(facilities))))
        for facility in facilities:
            FacilityProfile.objects.create(
                facility=facility,
                risk=rng.choice(["low", "medium", "medium", "high"]),
                risk_note="Container terminal with reefer traffic from high-risk ports."
                if facility.kind == "container"
                else "",
            )
            counts["compliance_documents"] += _documents(rng, facility, today, namb)
            made, found = _inspection_history(
                rng, facility, templates, inspector, today
            )
            counts["inspections"] += made
            counts["findings"] += found
            counts["drills_and_exercises"] += _drills(
                rng, facility, drills, exercises, today, facility.pk in late
            )

        # A port-wide exercise in Antwerp, with its report shared with the LCMB.
        antwerp = [f for f in facilities if f.port.locode == "BEANR"]
        if antwerp:
            day = today - dt.timedelta(days=150)
            exercise = Exercise.objects.create(
                kind=Exercise.Kind.EXERCISE,
                format=Exercise.Format.LIVE,
                scenario=exercises[0],
                title=f"Port-wide: {exercises[0].title}",
                port=antwerp[0].port,
                status=Exercise.Status.HELD,
                planned_on=day,
                held_on=day,
                organiser=User.objects.filter(username="pso.antwerp").first(),
            )
            exercise.facilities.set(antwerp)
            AfterActionReport.objects.create(
                exercise=exercise,
                summary="Customs, police and four terminals worked one scenario together.",
                went_well="The alert reached every security desk within 6 minutes.",
                lessons="Badge records were slow to obtain from two terminals; the "
                "crane driver's identity was mentioned on an open radio channel.",
                actions="One contact point per terminal for badge records; radio "
                "discipline in the awareness training.",
                written_at=_at(day + dt.timedelta(days=7)),
                shared_at=_at(day + dt.timedelta(days=8)),
            )
            counts["drills_and_exercises"] += 1

        deurganck = next((f for f in facilities if f.code == "BEANR-0001"), None)
        if deurganck is not None and pfso is not None:
            # A new plan waiting for the Antwerp committee, and one to inspect today.
            content = _pdf(
                f"PFSP {deurganck.name} (version 2)",
                ["Second gate added on the north side.", "New camera network."],
            )
            services.facility_major_change_flag(
                actor=pfso,
                facility=deurganck,
                reason="Second truck gate on the north side",
            )
            version = services.document_version_create(
                actor=pfso,
                facility=deurganck,
                kind="pfsp",
                file_name="pfsp-deurganck-v2.pdf",
                content=content,
                summary={
                    "organisation": "PFSO, two deputies and a 24/7 security desk.",
                    "level_1_measures": "North gate with turnstiles and ANPR.",
                },
                note="North gate and camera network added.",
            )
            services.document_version_submit(actor=pfso, version=version)
            services.inspection_plan(
                actor=inspector,
                facility=deurganck,
                template=by_code.get("interim-isps", templates[0]),
                kind="unannounced",
                planned_on=today,
            )
            counts["compliance_documents"] += 1
        if committee is not None:
            # A plan the committee advised, waiting for the national authority.
            other = next(
                (f for f in facilities if f.port.locode == "BEANR" and f != deurganck),
                None,
            )
            if other is not None:
                document = SecurityDocument.objects.get(facility=other, kind="pfsa")
                content = _pdf(
                    f"PFSA {other.name} (version 2)", ["Reviewed after five years."]
                )
                DocumentVersion.objects.create(
                    document=document,
                    number=2,
                    status=DocumentVersion.Status.ADVISED,
                    file=ContentFile(
                        content, name=f"{uuid.UUID(int=rng.getrandbits(128)).hex}.pdf"
                    ),
                    file_name=f"pfsa-{other.code}-v2.pdf",
                    file_size=len(content),
                    file_sha256=hashlib.sha256(content).hexdigest(),
                    summary={"conclusion": "Risks unchanged; insider risk raised."},
                    created_at=now - dt.timedelta(days=40),
                    submitted_at=now - dt.timedelta(days=35),
                    advice=DocumentVersion.Advice.FAVOURABLE,
                    advice_text="Favourable, with attention to the insider risk.",
                    advised_at=now - dt.timedelta(days=5),
                    advised_by=committee,
                )
        for offset, facility in enumerate(facilities[:8]):
            planner = (
                ghent_inspector
                if ghent_inspector is not None and facility.port.locode == "BEGNE"
                else inspector
            )
            services.inspection_plan(
                actor=planner,
                facility=facility,
                template=templates[offset % len(templates)],
                kind="announced" if offset % 2 else "unannounced",
                planned_on=today + dt.timedelta(days=3 + offset * 4),
            )

        # Levels: Zeebrugge went to 2 last week and back to 1 yesterday; the PFSOs
        # have not all acknowledged the return yet.
        zeebrugge = Port.objects.filter(locode="BEZEE").first()
        if zeebrugge is not None:
            services.security_level_set(
                actor=namb,
                port=zeebrugge,
                level=2,
                reason="Credible threat against ro-ro traffic (fictitious).",
                now=now - dt.timedelta(days=7),
            )
            change = services.security_level_set(
                actor=namb,
                port=zeebrugge,
                level=1,
                reason="Threat assessment lowered.",
                now=now - dt.timedelta(days=1),
            )
            for ack in change.acknowledgements.order_by("pk")[1:]:
                ack.acknowledged_at = now - dt.timedelta(hours=20)
                ack.save(update_fields=["acknowledged_at"])

        # Training rules: North Sea Port's staff rule, and the national ones.
        courses = {c.code: c for c in Course.objects.all()}
        if ghent is not None:
            for code in ("awareness", "recruitment-proof"):
                services.training_rule_create(
                    actor=namb,
                    course=courses[code],
                    port=ghent,
                    reason="North Sea Port: mandatory for all staff",
                )
        services.training_rule_create(
            actor=namb, course=courses["pfso"], role=Role.PFSO, reason="ISPS A/18.1"
        )
        services.training_rule_create(
            actor=namb,
            course=courses["exe14"],
            organisation_role="security_company",
            reason="Port security guards",
        )

        if deurganck is not None and pfso is not None:
            counts["ship_calls"] = _ships(pfso, deurganck, now)
        services.pre_arrival_check(now=now)
        services.reminders_run(now=now)
    return counts


_SHIPS = (
    ("MSC Aurora", "9074729", "636012345", "LR", -20, "on_time", 1),
    ("Scheldt Pioneer", "9321483", "205345000", "BE", 10, "missing", 1),
    ("Atlantic Crane", "9176187", "244650000", "NL", 6, "late", 2),
    ("Cap San Lorenzo", "9226891", "218123000", "DE", 50, "on_time", 2),
    ("Maersk Elba", "9235050", "219012000", "DK", 72, "awaited", 1),
)


def _ships(pfso: User, facility: Facility, now: dt.datetime) -> int:
    count = 0
    for name, imo, mmsi, flag, hours, state, level in _SHIPS:
        eta = (now + dt.timedelta(hours=hours)).replace(
            minute=0, second=0, microsecond=0
        )
        call, _created = services.ship_call_announce(
            actor=pfso,
            facility=facility,
            ship_name=name,
            imo=imo,
            mmsi=mmsi,
            flag=flag,
            eta=eta,
        )
        count += 1
        if state in ("missing", "awaited"):
            continue
        received = min(
            eta - dt.timedelta(hours=30 if state == "on_time" else 12),
            now - dt.timedelta(hours=1),
        )
        services.pre_arrival_submit(
            actor=pfso,
            call=call,
            issc_number=f"ISSC-{imo}",
            issc_issuer="Recognised security organisation (fictitious)",
            issc_expires_on=now.date() + dt.timedelta(days=400),
            ship_level=level,
            sso_contact=f"SSO of {name}, +32 3 000 00 00",
            port_calls=[
                {
                    "port": port,
                    "facility": "",
                    "arrived_on": str(now.date() - dt.timedelta(days=days + 1)),
                    "departed_on": str(now.date() - dt.timedelta(days=days)),
                    "level": 1,
                }
                for port, days in (
                    ("NLRTM", 4),
                    ("DEHAM", 9),
                    ("GBFXT", 15),
                    ("ESALG", 24),
                )
            ],
            now=received,
        )
        if level == 2:
            declaration = services.declaration_create(
                actor=pfso,
                facility=facility,
                ship_name=name,
                imo=imo,
                flag=flag,
                reason="ship_higher_level",
                valid_from=eta,
                valid_until=eta + dt.timedelta(days=2),
                ship_level=level,
                activities=[
                    {
                        "activity": "Access control at the gangway",
                        "responsible": "ship",
                    },
                    {
                        "activity": "Monitoring of the quay and the water side",
                        "responsible": "facility",
                    },
                    {"activity": "Handling of ship's stores", "responsible": "both"},
                ],
            )
            services.declaration_sign(
                actor=pfso, declaration=declaration, party="facility"
            )
            if name == "Atlantic Crane":
                services.declaration_sign(
                    actor=pfso,
                    declaration=declaration,
                    party="ship",
                    name="Capt. J. de Boer",
                    capacity="Master",
                )
    return count
