"""Reporting demo data: the channels, handler groups with their keys, a few reports.

- **Portwatch**, the national channel, for every port and category, goes to the
  Federal Judicial Police's triage desk (AIK); smuggling reports go to customs too.
- **Our Port Drug-Free**, Antwerp's own channel (drugs, corruption or recruitment
  attempts, other), goes to the AIK and to the port's security unit.

The handler accounts' keys are sealed under the demo password. The receipts of
the demo reports are printed, so that the follow-up can be tried.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from port2port.core.models import Organisation, Port, Role, User
from port2port.core.services import membership_create
from port2port.reporting import services
from port2port.reporting.models import Category, Channel, HandlerGroup, RoutingRule

DEMO_PASSWORD = "demo"
ACCOUNTS = (
    ("handler.antwerp", "Report handler", "Port of Antwerp-Bruges security unit"),
    ("handler.customs", "Report handler", "Customs – investigations"),
)

PORTWATCH_INTRO = {
    "en": (
        "Seen or heard something suspicious in or around a port? Tell the police "
        "here, anonymously if you wish. Every report is followed up."
    ),
    "nl": (
        "Iets verdachts gezien of gehoord in of rond een haven? Meld het hier aan "
        "de politie, anoniem als je wilt. Elke melding wordt opgevolgd."
    ),
    "fr": (
        "Vous avez vu ou entendu quelque chose de suspect dans ou autour d'un port ? "
        "Signalez-le ici à la police, anonymement si vous le souhaitez. Chaque "
        "signalement est suivi."
    ),
    "de": (
        "Haben Sie in oder um einen Hafen etwas Verdächtiges gesehen oder gehört? "
        "Melden Sie es hier der Polizei, auf Wunsch anonym. Jeder Meldung wird "
        "nachgegangen."
    ),
}
DRUG_FREE_INTRO = {
    "en": (
        "Approached, pressured or offered money to help criminals in the port of "
        "Antwerp? You are not alone: report it here, anonymously."
    ),
    "nl": (
        "Benaderd, onder druk gezet of geld aangeboden om criminelen te helpen in "
        "de haven van Antwerpen? Je staat er niet alleen voor: meld het hier, anoniem."
    ),
    "fr": (
        "Approché, mis sous pression ou payé pour aider des criminels dans le port "
        "d'Anvers ? Vous n'êtes pas seul : signalez-le ici, anonymement."
    ),
    "de": (
        "Wurden Sie im Hafen Antwerpen angesprochen, unter Druck gesetzt oder "
        "bezahlt, um Kriminellen zu helfen? Sie sind nicht allein: melden Sie es "
        "hier, anonym."
    ),
}

REPORTS = (
    (
        "portwatch",
        Category.SUSPICIOUS,
        "BEZEE",
        "A grey van drove three times along the fence of the car terminal and "
        "stopped near the gap by the railway for about ten minutes.",
        "Grey van, Dutch plate starting with V, two men inside",
        "Yesterday around 23:00",
        "nl",
    ),
    (
        "portwatch",
        Category.SMUGGLING,
        "BEANR",
        "A container stood for two days outside its stack, with the seal replaced.",
        "Container MSCU1234565",
        "Last Monday",
        "en",
    ),
    (
        "drug-free",
        Category.CORRUPTION,
        "BEANR",
        "Someone at the canteen offered me 5,000 euros to move a container in the "
        "system. He said he would come back next week.",
        "Man of about 40, speaks Dutch, says he works for a transport firm",
        "This morning",
        "nl",
    ),
    (
        "portwatch",
        Category.TRESPASS,
        "BEGNE",
        "People climbing the fence at the timber quay at night.",
        "",
        "Saturday night",
        "fr",
    ),
)


def _say(stdout: Any, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _organisation(name: str, role: str) -> Organisation:
    found = Organisation.objects.filter(name=name).first()
    if found is None:
        found = Organisation.objects.filter(roles__icontains=f'"{role}"').first()
    if found is None:
        raise RuntimeError(f"The registry demo has no {role} organisation.")
    return found


def _handler(username: str, organisation: Organisation, first_name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            first_name=first_name,
            last_name=organisation.name.split()[0],
            password=make_password(DEMO_PASSWORD),
        )
    if not user.memberships.filter(
        role=Role.REPORT_HANDLER, organisation=organisation
    ).exists():
        membership_create(
            actor=None, user=user, organisation=organisation, role=Role.REPORT_HANDLER
        )
    return user


def seed(*, stdout: Any = None) -> dict[str, int]:
    """Load the reporting demo data; return the counts."""
    police = _organisation("Federal Police – Shipping Police", "police")
    customs = _organisation(
        "General Administration of Customs and Excise", Organisation.Role.CUSTOMS
    )
    poab = _organisation("Port of Antwerp-Bruges", Organisation.Role.PORT_AUTHORITY)
    ports = {p.locode: p for p in Port.objects.all()}
    with transaction.atomic():
        handlers = {
            "police": _handler("handler.police", police, "Handler"),
            "antwerp": _handler("handler.antwerp", poab, "Handler"),
            "customs": _handler("handler.customs", customs, "Handler"),
        }
        aik = HandlerGroup.objects.create(
            code="aik-triage",
            name="Federal Judicial Police – AIK triage",
            organisation=police,
        )
        aik.members.add(handlers["police"])
        antwerp = HandlerGroup.objects.create(
            code="antwerp-security",
            name="Port of Antwerp-Bruges – security unit",
            organisation=poab,
        )
        antwerp.members.add(handlers["antwerp"])
        customs_group = HandlerGroup.objects.create(
            code="customs-investigation",
            name="Customs – investigations",
            organisation=customs,
        )
        customs_group.members.add(handlers["customs"])
        for user in handlers.values():
            services.handler_key_unlock(user=user, password=DEMO_PASSWORD)

        portwatch = Channel.objects.create(
            slug="portwatch",
            name="Portwatch",
            order=1,
            categories=list(Category.values),
            triage_group=aik,
            **{f"intro_{lang}": text for lang, text in PORTWATCH_INTRO.items()},
        )
        RoutingRule.objects.create(
            channel=portwatch, category=Category.SMUGGLING, group=customs_group
        )
        drug_free = Channel.objects.create(
            slug="drug-free",
            name="Our Port Drug-Free (Antwerp)",
            order=2,
            categories=[Category.DRUGS, Category.CORRUPTION, Category.OTHER],
            triage_group=aik,
            **{f"intro_{lang}": text for lang, text in DRUG_FREE_INTRO.items()},
        )
        if "BEANR" in ports:
            drug_free.ports.set([ports["BEANR"]])
        RoutingRule.objects.create(channel=drug_free, group=antwerp)

    channels = {"portwatch": portwatch, "drug-free": drug_free}
    receipts = []
    for slug, category, locode, what, people, when, language in REPORTS:
        report, receipt = services.report_submit(
            channel=channels[slug],
            category=category,
            port=ports.get(locode),
            content=services.ReportContent(
                what=what, people=people, when=when, language=language
            ),
        )
        receipts.append((report, receipt))
    # The AIK asks the reporter of the first report a question.
    first = receipts[0][0]
    private = services.handler_key_unlock(
        user=handlers["police"], password=DEMO_PASSWORD
    )
    services.report_question_ask(
        actor=handlers["police"],
        report=first,
        private=private,
        text="Thank you. Did you see in which direction the van left?",
    )
    for report, receipt in receipts:
        _say(stdout, f"  demo receipt of {report.reference}: {receipt}")
    return {
        "handler_groups": HandlerGroup.objects.count(),
        "reporting_channels": Channel.objects.count(),
        "reports": len(receipts),
    }
