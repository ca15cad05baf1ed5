"""Hub demo data: committee seats and meetings, bulletins, a sharing group and
the best-practice library.

The library describes the practices of the Belgian ports in our own words; the
bulletins, meetings and decisions are made up. Deterministic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from port2port.core.models import Clearance, Committee, Organisation, Port, User
from port2port.sharing import services
from port2port.sharing.models import (
    ActionItem,
    Article,
    CommitteeMember,
    Decision,
    Meeting,
    SharingGroup,
)

ACCOUNTS = ()

T = Article.Theme
ARTICLES: tuple[dict[str, Any], ...] = (
    {
        "slug": "portwatch",
        "title": "Portwatch",
        "theme": T.REPORTING,
        "summary": "One anonymous reporting point for every Belgian port.",
        "body": (
            "Anyone who works in, visits or lives near a port can tell the police "
            "about something suspicious without giving a name. One web portal serves "
            "all ports and port facilities in the country, so a report never depends "
            "on knowing which local service to call."
        ),
        "where": "All Belgian ports",
        "contact": "Federal judicial police (triage of reports)",
        "results": "A single national channel instead of one per port.",
    },
    {
        "slug": "our-port-drug-free",
        "title": "Our Port Drug-Free",
        "theme": T.REPORTING,
        "summary": "An extra anonymous channel in Antwerp for signs of drug crime.",
        "body": (
            "Antwerp added a channel of its own for suspicions linked to drug "
            "trafficking. It complements the national reporting point: both feed "
            "prevention and detection, each reaching people the other might miss."
        ),
        "where": "Port of Antwerp-Bruges",
        "contact": "Port of Antwerp-Bruges, port security",
    },
    {
        "slug": "port-neighbourhood-information-network",
        "title": "Port neighbourhood information network (BIN)",
        "theme": T.REPORTING,
        "summary": "Companies, the shipping police and the port authority keep each other alert.",
        "body": (
            "Member companies receive prevention tips and are phoned when something "
            "urgent happens nearby. Every member is also registered with the national "
            "public warning system, so an emergency in the area reaches them quickly."
        ),
        "where": "Port of Antwerp-Bruges",
        "contact": "Shipping police and port authority",
    },
    {
        "slug": "exercitium-handbook",
        "title": "The Exercitium handbook",
        "theme": T.REPORTING,
        "summary": "Ready-made scenarios for security drills and exercises at terminals.",
        "body": (
            "Facility security officers must drill and exercise their staff. The "
            "handbook, written in Antwerp for the European Commission, gives them "
            "scenarios and ideas for small drills and large exercises that they can "
            "run as they are or adapt to their terminal."
        ),
        "where": "Port of Antwerp-Bruges, available to every facility",
        "contact": "Port of Antwerp-Bruges, port security",
    },
    {
        "slug": "cross-border-port-security-exercise",
        "title": "Cross-border port security exercise",
        "theme": T.REPORTING,
        "summary": "Ghent and Terneuzen/Vlissingen train on one scenario, at the same time.",
        "body": (
            "Each year since 2023 the facility security officers of North Sea Port "
            "run a port-wide exercise on both sides of the border. Facilities may run "
            "their own yearly exercise on the same day, which makes comparing notes "
            "afterwards easy."
        ),
        "where": "North Sea Port",
        "contact": "North Sea Port, port security",
    },
    {
        "slug": "internal-isps-course",
        "title": "In-house ISPS basic course",
        "theme": T.REPORTING,
        "summary": "The duties of the ISPS Code and the Maritime Security Act for port staff.",
        "body": (
            "The port security teams of Antwerp and Zeebrugge wrote a short course for "
            "colleagues who work in the port every day or at facilities the port "
            "authority runs itself, such as locks and cruise terminals."
        ),
        "where": "Antwerp and Zeebrugge",
    },
    {
        "slug": "exe14-security-guards",
        "title": "Port security course for guards (EXE14)",
        "theme": T.REPORTING,
        "summary": "The mandatory course for guards at ISPS facilities.",
        "body": (
            "Guards learn how a port works, what the ISPS Code asks, how ports are "
            "secured and which surveillance techniques exist before they are posted "
            "at a facility."
        ),
        "where": "All ports",
    },
    {
        "slug": "criminal-recruitment-proof-training",
        "title": "Criminal-recruitment-proof training",
        "theme": T.REPORTING,
        "summary": "Teaching staff and students to recognise and refuse approaches by criminals.",
        "body": (
            "Campaigns, role plays and courses, built with colleges and security "
            "firms, show young people and workers how criminal networks try to recruit "
            "them and how to say no. North Sea Port made the training mandatory for all "
            "its staff and offers it to ISPS terminals; logistics students get a youth "
            "awareness module prepared with the Antwerp public prosecutor's office."
        ),
        "where": "North Sea Port, Antwerp",
        "results": "Mandatory for every North Sea Port employee.",
    },
    {
        "slug": "cpted-genk",
        "title": "Crime prevention through environmental design in Genk",
        "theme": T.REPORTING,
        "summary": "Mapping the risks of a logistics area through its design.",
        "body": (
            "The city of Genk ran a CPTED programme in its logistics valley and mapped "
            "the risks the companies there face, alongside awareness sessions for "
            "businesses on the water in Genk-Zuid."
        ),
        "where": "Genk, Limburg",
    },
    {
        "slug": "data-community-north-sea-port",
        "title": "The Data Community of North Sea Port",
        "theme": T.COLLABORATION,
        "summary": "Companies and the port authority share data, with security first.",
        "body": (
            "The community works on two things: better data exchange along the "
            "nautical and logistics chain, and one access standard for the whole port "
            "region. Its digital hub carries the exchange; its first result is the "
            "Port Pass, a shared biometric access key used by several large companies."
        ),
        "where": "North Sea Port",
        "results": "The Port Pass in use at several major companies.",
    },
    {
        "slug": "security-think-tank",
        "title": "Security Think Tank",
        "theme": T.COLLABORATION,
        "summary": "Port users, suppliers and authorities discuss ISPS topics three times a year.",
        "body": (
            "A public-private forum where port users, service providers and "
            "authorities meet three times a year on ISPS and port security."
        ),
    },
    {
        "slug": "taskforce-containers",
        "title": "Taskforce Containers",
        "theme": T.COLLABORATION,
        "summary": "Terminals share measures and weaknesses in confidence.",
        "body": (
            "Antwerp terminals meet to exchange, confidentially, what works, what "
            "they are doing and where they are vulnerable."
        ),
        "where": "Antwerp",
    },
    {
        "slug": "local-committee-maritime-security",
        "title": "Local committees for maritime security (LCMB)",
        "theme": T.LEGISLATION,
        "summary": "The local ISPS authority: cleared partners around one table, four times a year.",
        "body": (
            "Every port area has a committee of the security partners who know it "
            "best. Because every member holds a security clearance, sensitive "
            "information can be shared at the table. The committees meet at least four "
            "times a year and ad hoc when needed."
        ),
        "where": "Nine committees in Belgium",
    },
    {
        "slug": "interim-isps-inspections",
        "title": "Interim ISPS inspections with a local checklist",
        "theme": T.LEGISLATION,
        "summary": "Port lieutenants inspect between the official audits, with their own app.",
        "body": (
            "In Ghent, port lieutenants carry out interim inspections from a local "
            "checklist, planned and followed up in an application built in-house. In "
            "Antwerp, port authority officers patrol daily and report issues to the "
            "local committee."
        ),
        "where": "North Sea Port, Antwerp",
    },
    {
        "slug": "port-police-regulation-access-control",
        "title": "Access control by port police regulation",
        "theme": T.LEGISLATION,
        "summary": "Access control made mandatory beyond the ISPS facilities.",
        "body": (
            "Antwerp-Bruges and North Sea Port use their port police regulation to "
            "require access control from every company in the port area, not only "
            "from ISPS facilities. Limburg is preparing a similar regulation with Genk."
        ),
    },
    {
        "slug": "alfapass",
        "title": "Alfapass",
        "theme": T.PERIMETER,
        "summary": "One badge to identify staff, visitors and suppliers at every terminal.",
        "body": (
            "Born from the needs of private companies, one central badge lets people "
            "identify themselves at the terminals and facilities of Antwerp-Bruges. "
            "It plugs into companies' own processes and gate systems."
        ),
        "where": "Port of Antwerp-Bruges",
    },
    {
        "slug": "prean",
        "title": "Prean",
        "theme": T.PERIMETER,
        "summary": "Announce visitors to ships and port sites in advance.",
        "body": (
            "A self-service platform for announcing visits. It does not open gates "
            "itself but gathers what the site needs to decide on access, and makes "
            "visitor management simpler for companies, agents and facilities."
        ),
    },
    {
        "slug": "itsme-limburg",
        "title": "Digital identification with itsme in Limburg",
        "theme": T.PERIMETER,
        "summary": "An inland port with strict digital identity checks.",
        "body": (
            "Port of Limburg set up a digital identification process with itsme that "
            "meets the strictest standards, and covers its whole fence with sensors "
            "and thermal cameras that alert the people on duty on their phones."
        ),
        "where": "Port of Limburg, Genk",
    },
    {
        "slug": "smart-perimeter-fencing",
        "title": "Smart perimeter fencing",
        "theme": T.PERIMETER,
        "summary": "Fences with sensors, linked to cameras and live monitoring.",
        "body": (
            "Fences fitted with detection sensors, watched together with cameras in "
            "real time, make intrusions visible as they happen. Antwerp-Bruges is "
            "rolling them out; North Sea Port is adding three kilometres of fence."
        ),
        "where": "Antwerp-Bruges, North Sea Port",
    },
    {
        "slug": "central-control-room",
        "title": "Central Control Room",
        "theme": T.DETECTION,
        "summary": "Hundreds of company cameras watched from one room in Zeebrugge.",
        "body": (
            "The control room brings together the cameras of private security "
            "services so that operators can follow and coordinate what happens across "
            "the port. Smart cameras and the drone detection platform alert it "
            "directly."
        ),
        "where": "Zeebrugge",
    },
    {
        "slug": "anpr-network",
        "title": "Number-plate recognition network",
        "theme": T.DETECTION,
        "summary": "Fixed and mobile ANPR cameras at gates, roads and terminals.",
        "body": (
            "Cameras read number plates and link them automatically to access rights "
            "or risk profiles, at Antwerp terminals and in North Sea Port."
        ),
    },
    {
        "slug": "drone-network",
        "title": "Drones and drone detection",
        "theme": T.DETECTION,
        "summary": "Drones for inspections and incidents; detection of unwanted drones.",
        "body": (
            "Antwerp runs a permanent drone network; North Sea Port uses drones for "
            "inspections; a drone in a box on the roof of Port of Limburg supports "
            "local police. Zeebrugge watches its airspace day and night."
        ),
    },
    {
        "slug": "mobile-container-scanners",
        "title": "Mobile container scanners",
        "theme": T.DETECTION,
        "summary": "Customs scans containers where they stand.",
        "body": (
            "Mobile scanners let customs inspect goods locally without escorting the "
            "container to an inspection post, which saves time for everyone."
        ),
    },
    {
        "slug": "certified-pick-up",
        "title": "Certified Pick-Up",
        "theme": T.OTHER,
        "summary": "Containers released only to the identified driver of the right company.",
        "body": (
            "Paper documents and PIN codes gave way to a digital chain of trust: "
            "each party passes the right to collect a container to the next, and at "
            "the terminal only the registered transporter gets it. Limburg uses a "
            "comparable system linked to itsme."
        ),
        "where": "Port of Antwerp-Bruges, Port of Limburg",
        "results": "More than a million containers in its first year; less fraud with PIN codes.",
    },
    {
        "slug": "digital-twin",
        "title": "Digital twin of the port",
        "theme": T.OTHER,
        "summary": "A live virtual view of the port for operators.",
        "body": (
            "A digital twin combines sensors, cameras, traffic and weather in real "
            "time, so operators can follow the port, simulate situations and react "
            "faster to incidents."
        ),
        "where": "Port of Antwerp-Bruges",
    },
    {
        "slug": "cyber-resilience",
        "title": "Cyber resilience programmes",
        "theme": T.OTHER,
        "summary": "Three lines of defence, asset monitoring and awareness.",
        "body": (
            "A specialised team monitors, advises and audits; identity checks, "
            "automated access management and asset monitoring show unknown devices at "
            "once. Awareness for all staff remains the base."
        ),
        "where": "Port of Antwerp-Bruges, North Sea Port",
    },
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


@transaction.atomic
def seed(*, stdout: Any = None) -> dict[str, int]:
    """Load the hub's demo data; return the counts."""
    now = timezone.now()
    ports = {p.locode: p for p in Port.objects.all()}
    for article in ARTICLES:
        services.article_save(actor=None, **article)
    for slug, locodes in (
        ("portwatch", list(ports)),
        ("certified-pick-up", ["BEANR", "BEGNK"]),
        ("data-community-north-sea-port", ["BEGNE"]),
        ("central-control-room", ["BEZEE"]),
    ):
        Article.objects.get(slug=slug).ports.set(
            [ports[c] for c in locodes if c in ports]
        )
    seats = 0
    for code, username, role in (
        ("lcmb-antwerp", "pso.antwerp", CommitteeMember.Role.CHAIR),
        ("lcmb-antwerp", "committee.member", CommitteeMember.Role.MEMBER),
        ("lcmb-antwerp", "handler.police", CommitteeMember.Role.MEMBER),
        ("lcmb-ghent", "pso.ghent", CommitteeMember.Role.CHAIR),
        ("namb", "namb", CommitteeMember.Role.CHAIR),
        ("namb", "inspector", CommitteeMember.Role.SECRETARY),
    ):
        committee = Committee.objects.filter(code=code).first()
        user = _user(username)
        if committee and user:
            services.committee_member_add(
                actor=None, committee=committee, user=user, role=role
            )
            seats += 1
    meetings = 0
    antwerp = Committee.objects.filter(code="lcmb-antwerp").first()
    chair = _user("pso.antwerp")
    member = _user("committee.member")
    if antwerp and chair:
        for months_ago in (9, 6, 3):
            meeting = Meeting.objects.create(
                committee=antwerp,
                starts_at=now - dt.timedelta(days=30 * months_ago),
                location="Havenhuis, Antwerp",
                agenda="1. Security level\n2. Incidents since last meeting\n3. Inspections",
                minutes="The committee reviewed the incidents and the inspection plan.",
                classification=Clearance.CONFIDENTIAL,
            )
            Decision.objects.create(
                meeting=meeting, text="Interim inspections of two container terminals."
            )
            ActionItem.objects.create(
                meeting=meeting,
                text="Report on the fence sensors at the Left Bank",
                owner=member or chair,
                due_on=(now + dt.timedelta(days=30 - 30 * months_ago)).date(),
                done_at=now if months_ago > 3 else None,
            )
            meetings += 1
    bulletins = 0
    if chair:
        group, _created = SharingGroup.objects.get_or_create(
            name="Container terminals taskforce"
        )
        group.organisations.set(
            Organisation.objects.filter(roles__icontains='"terminal_operator"')[:8]
        )
        services.bulletin_create(
            actor=chair,
            title="Cloned plates used to collect containers at night",
            text=(
                "A crew uses trucks with cloned Belgian plates to collect containers "
                "between 01:00 and 04:00. Check the driver's pass against the "
                "assignment and report any match to the control room."
            ),
            tlp="amber",
            distribution="all_ports",
            indicators=[
                services.IndicatorInput(kind="plate", value="1-QZX-417"),
                services.IndicatorInput(kind="phone", value="+32 470 99 12 34"),
            ],
        )
        services.bulletin_create(
            actor=chair,
            title="Recruitment attempts near terminal canteens",
            text="Young dock workers were approached with offers of cash for badge loans.",
            tlp="green",
            distribution="all_ports",
        )
        bulletins = 2
    if stdout is not None:
        stdout.write(
            f"  hub: {len(ARTICLES)} practices, {seats} committee seats, "
            f"{meetings} meetings, {bulletins} bulletins"
        )
    return {
        "articles": len(ARTICLES),
        "committee seats": seats,
        "meetings": meetings,
        "bulletins": bulletins,
    }
