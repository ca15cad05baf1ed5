"""Reference data of the Belgian demo: ports, committees, organisations, facilities.

Ports, committees and public bodies carry their real names and approximate real
positions (domain research §2 and §17). Every company is fictional: the names are
made up so that the demo never suggests anything about a real terminal or
haulier. Geometry is GeoJSON in WGS84, positions as [longitude, latitude].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from django_stubs_ext import StrOrPromise

from port2port.core.models import Clearance, Committee, Facility, Organisation, Role

DEMO_PASSWORD = "demo"

# Metres per degree on the WGS84 ellipsoid near Belgium; good to a metre or so over
# the few kilometres of a terminal, which is all the demo needs.
_METRES_PER_DEGREE_LAT = 111_250.0
_METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0


def polygon(corners: list[list[float]]) -> dict[str, Any]:
    """Return a closed GeoJSON Polygon, its ring turned counter-clockwise.

    RFC 7946 asks exterior rings to run counter-clockwise; the shoelace sum tells
    which way the corners were given.
    """
    ring = [list(c) for c in corners]
    if ring[0] == ring[-1]:
        ring = ring[:-1]
    twice_area = sum(
        x0 * y1 - x1 * y0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)
    )
    if twice_area < 0:
        ring.reverse()
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def point(lon: float, lat: float) -> dict[str, Any]:
    """Return a GeoJSON Point."""
    return {"type": "Point", "coordinates": [lon, lat]}


@dataclass(frozen=True, slots=True)
class Site:
    """A rectangle on the ground laid along a quay, canal or lock.

    ``bearing_deg`` is the compass bearing of the long side. Positions inside are
    fractions: ``across`` runs from the land side (-0.5) to the water side (+0.5),
    ``along`` from one end (-0.5) to the other (+0.5). ``water_side`` says whether
    the water lies to the right (+1) or the left (-1) of the bearing.
    """

    lon: float
    lat: float
    width_m: float
    length_m: float
    bearing_deg: float = 0.0
    water_side: int = 1

    def position(self, across: float, along: float) -> list[float]:
        """Return [lon, lat] of a position given as fractions of the site."""
        theta = math.radians(self.bearing_deg)
        x = across * self.width_m * self.water_side
        y = along * self.length_m
        east = x * math.cos(theta) + y * math.sin(theta)
        north = -x * math.sin(theta) + y * math.cos(theta)
        metres_per_degree_lon = _METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(
            math.radians(self.lat)
        )
        return [
            round(self.lon + east / metres_per_degree_lon, 6),
            round(self.lat + north / _METRES_PER_DEGREE_LAT, 6),
        ]

    def polygon(
        self,
        across: tuple[float, float] = (-0.5, 0.5),
        along: tuple[float, float] = (-0.5, 0.5),
    ) -> dict[str, Any]:
        """Return the rectangle between two ``across`` and two ``along`` fractions."""
        (a0, a1), (l0, l1) = across, along
        return polygon(
            [
                self.position(a0, l0),
                self.position(a1, l0),
                self.position(a1, l1),
                self.position(a0, l1),
            ]
        )


# Committees --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommitteeDef:
    code: str
    name: str
    kind: str


# The brochure counts 9 local committees (LCMB), one per port area or waterway.
COMMITTEES: tuple[CommitteeDef, ...] = (
    CommitteeDef("lcmb-antwerp", "LCMB Antwerp", Committee.Kind.LCMB),
    CommitteeDef("lcmb-zeebrugge", "LCMB Zeebrugge", Committee.Kind.LCMB),
    CommitteeDef("lcmb-ghent", "LCMB Ghent", Committee.Kind.LCMB),
    CommitteeDef("lcmb-ostend", "LCMB Ostend", Committee.Kind.LCMB),
    CommitteeDef("lcmb-liege", "LCMB Liège", Committee.Kind.LCMB),
    CommitteeDef("lcmb-brussels", "LCMB Brussels", Committee.Kind.LCMB),
    CommitteeDef("lcmb-limburg", "LCMB Limburg", Committee.Kind.LCMB),
    CommitteeDef(
        "lcmb-sea-canal", "LCMB Brussels–Scheldt Sea Canal", Committee.Kind.LCMB
    ),
    CommitteeDef(
        "lcmb-sambre-meuse", "LCMB Sambre and Upper Meuse", Committee.Kind.LCMB
    ),
    CommitteeDef(
        "namb", "National Authority for Maritime Security (NAMB)", Committee.Kind.NAMB
    ),
    CommitteeDef(
        "security-think-tank", "Security Think Tank", Committee.Kind.THINK_TANK
    ),
    CommitteeDef(
        "taskforce-containers", "Taskforce Containers", Committee.Kind.TASKFORCE
    ),
    CommitteeDef(
        "port-security-steering-committee",
        "Port Security Steering Committee",
        Committee.Kind.STEERING,
    ),
)


# Ports -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortDef:
    locode: str
    name_en: str
    name_nl: str
    name_fr: str
    kind: str
    committee: str
    centre: tuple[float, float]
    boundary: dict[str, Any]
    main: bool = True

    @property
    def isps(self) -> bool:
        """Return whether the port's facilities receive seagoing ships (ISPS)."""
        return self.kind == "seaport"


def _inland_boundary(lon: float, lat: float, bearing: float) -> dict[str, Any]:
    # An inland port is a strip of quays along its canal, about 3 km by 1.5 km.
    return Site(lon, lat, 1500, 3000, bearing).polygon()


# The six seaports of the Maritime Security Act (Antwerp, Zeebrugge, Ghent, Ostend,
# Liège, Brussels), Genk for Limburg, and inland ports on the Albert Canal, the
# Brussels-Scheldt canal, the Sambre and the Meuse. Centres follow §17.2, the
# inland ones the UN/LOCODE list (§17.1).
PORTS: tuple[PortDef, ...] = (
    PortDef(
        "BEANR",
        "Antwerp",
        "Antwerpen",
        "Anvers",
        "seaport",
        "lcmb-antwerp",
        (4.3367, 51.27),
        polygon(
            [
                [4.195, 51.228],
                [4.300, 51.212],
                [4.420, 51.232],
                [4.415, 51.300],
                [4.350, 51.395],
                [4.255, 51.385],
                [4.200, 51.330],
            ]
        ),
    ),
    PortDef(
        "BEZEE",
        "Zeebrugge",
        "Zeebrugge",
        "Zeebruges",
        "seaport",
        "lcmb-zeebrugge",
        (3.2, 51.3333),
        polygon(
            [
                [3.150, 51.300],
                [3.185, 51.282],
                [3.232, 51.290],
                [3.248, 51.330],
                [3.240, 51.362],
                [3.200, 51.375],
                [3.160, 51.352],
            ]
        ),
    ),
    PortDef(
        "BEGNE",
        "Ghent",
        "Gent",
        "Gand",
        "seaport",
        "lcmb-ghent",
        (3.74, 51.10),
        polygon(
            [
                [3.700, 51.070],
                [3.765, 51.065],
                [3.800, 51.110],
                [3.825, 51.160],
                [3.830, 51.205],
                [3.770, 51.205],
                [3.740, 51.150],
                [3.705, 51.115],
            ]
        ),
    ),
    PortDef(
        "BEOST",
        "Ostend",
        "Oostende",
        "Ostende",
        "seaport",
        "lcmb-ostend",
        (2.9097, 51.2244),
        polygon(
            [
                [2.893, 51.214],
                [2.922, 51.208],
                [2.945, 51.222],
                [2.940, 51.240],
                [2.915, 51.243],
                [2.898, 51.232],
            ]
        ),
    ),
    PortDef(
        "BELGG",
        "Liège",
        "Luik",
        "Liège",
        "seaport",
        "lcmb-liege",
        (5.636, 50.66),
        polygon(
            [
                [5.590, 50.625],
                [5.650, 50.628],
                [5.670, 50.670],
                [5.695, 50.720],
                [5.680, 50.750],
                [5.640, 50.748],
                [5.615, 50.690],
            ]
        ),
    ),
    PortDef(
        "BEBRU",
        "Brussels",
        "Brussel",
        "Bruxelles",
        "seaport",
        "lcmb-brussels",
        (4.35, 50.86),
        polygon(
            [
                [4.330, 50.850],
                [4.355, 50.845],
                [4.380, 50.862],
                [4.398, 50.893],
                [4.388, 50.907],
                [4.365, 50.903],
                [4.338, 50.873],
            ]
        ),
    ),
    PortDef(
        "BEGNK",
        "Genk",
        "Genk",
        "Genk",
        "inland",
        "lcmb-limburg",
        (5.495, 50.940),
        polygon(
            [
                [5.455, 50.930],
                [5.490, 50.922],
                [5.535, 50.930],
                [5.540, 50.950],
                [5.500, 50.957],
                [5.460, 50.948],
            ]
        ),
    ),
    PortDef(
        "BEHSS",
        "Hasselt",
        "Hasselt",
        "Hasselt",
        "inland",
        "lcmb-limburg",
        (5.3333, 50.9333),
        _inland_boundary(5.3333, 50.9333, 60),
        main=False,
    ),
    PortDef(
        "BEWLB",
        "Willebroek",
        "Willebroek",
        "Willebroek",
        "inland",
        "lcmb-sea-canal",
        (4.3667, 51.0667),
        _inland_boundary(4.3667, 51.0667, 10),
        main=False,
    ),
    PortDef(
        "BEVIL",
        "Vilvoorde",
        "Vilvoorde",
        "Vilvorde",
        "inland",
        "lcmb-sea-canal",
        (4.4333, 50.9333),
        _inland_boundary(4.4333, 50.9333, 30),
        main=False,
    ),
    PortDef(
        "BECRL",
        "Charleroi",
        "Charleroi",
        "Charleroi",
        "inland",
        "lcmb-sambre-meuse",
        (4.4333, 50.4167),
        _inland_boundary(4.4333, 50.4167, 80),
        main=False,
    ),
    PortDef(
        "BENAM",
        "Namur",
        "Namen",
        "Namur",
        "inland",
        "lcmb-sambre-meuse",
        (4.8667, 50.4667),
        _inland_boundary(4.8667, 50.4667, 60),
        main=False,
    ),
)
PORTS_BY_LOCODE: dict[str, PortDef] = {p.locode: p for p in PORTS}

SEAPORTS = tuple(p.locode for p in PORTS if p.kind == "seaport")
ALL_PORTS = tuple(p.locode for p in PORTS)
# Employers whose ports all lie here mostly hire French-speaking staff.
WALLOON_PORTS = frozenset({"BELGG", "BECRL", "BENAM"})
BRUSSELS_PORTS = frozenset({"BEBRU"})


def port_region(locode: str) -> str:
    """Return the region whose public holidays apply in a port."""
    if locode in WALLOON_PORTS:
        return "BE-WAL"
    if locode in BRUSSELS_PORTS:
        return "BE-BRU"
    return "BE-VLG"


FLEMISH_PORTS = frozenset(
    {"BEANR", "BEZEE", "BEGNE", "BEOST", "BEGNK", "BEHSS", "BEWLB", "BEVIL"}
)


# Organisations -------------------------------------------------------------------

R = Organisation.Role


@dataclass(frozen=True, slots=True)
class OrganisationDef:
    """An organisation; ``key`` names it in this module, the first role is its trade."""

    key: str
    name: str
    roles: tuple[str, ...]
    ports: tuple[str, ...]
    eori: bool = False
    # Relative size of the workforce against others of the same trade.
    size: float = 1.0
    # The e-mail domain, when the one derived from the name would be unwieldy.
    domain: str = ""

    @property
    def trade(self) -> str:
        return self.roles[0]


ORGANISATIONS: tuple[OrganisationDef, ...] = (
    # Port authorities and waterway managers: public bodies, real names.
    OrganisationDef(
        "poab",
        "Port of Antwerp-Bruges",
        (R.PORT_AUTHORITY,),
        ("BEANR", "BEZEE"),
        size=3,
    ),
    OrganisationDef("nsp", "North Sea Port", (R.PORT_AUTHORITY,), ("BEGNE",), size=1.5),
    OrganisationDef("ostend", "Port of Ostend", (R.PORT_AUTHORITY,), ("BEOST",)),
    OrganisationDef("liege", "Port autonome de Liège", (R.PORT_AUTHORITY,), ("BELGG",)),
    OrganisationDef("brussels", "Port of Brussels", (R.PORT_AUTHORITY,), ("BEBRU",)),
    OrganisationDef(
        "dvw",
        "De Vlaamse Waterweg",
        (R.PORT_AUTHORITY,),
        ("BEGNK", "BEHSS", "BEWLB", "BEVIL"),
    ),
    OrganisationDef(
        "limburg", "Port of Limburg", (R.PORT_AUTHORITY,), ("BEGNK", "BEHSS"), size=0.5
    ),
    OrganisationDef(
        "charleroi",
        "Port autonome de Charleroi",
        (R.PORT_AUTHORITY,),
        ("BECRL",),
        size=0.5,
    ),
    OrganisationDef(
        "namur", "Port autonome de Namur", (R.PORT_AUTHORITY,), ("BENAM",), size=0.5
    ),
    # Authorities.
    OrganisationDef(
        "police", "Federal Police – Shipping Police", (R.POLICE,), ALL_PORTS, size=2
    ),
    OrganisationDef(
        "police_limburg",
        "Federal Police – CSD Limburg",
        (R.POLICE,),
        ("BEGNK", "BEHSS"),
    ),
    OrganisationDef(
        "customs",
        "General Administration of Customs and Excise",
        (R.CUSTOMS,),
        ALL_PORTS,
        domain="customsexcise.be",
    ),
    OrganisationDef(
        "dgshipping",
        "FPS Mobility and Transport – DG Shipping",
        (R.OTHER_AUTHORITY,),
        ALL_PORTS,
    ),
    # Terminal operators (fictional); some run facilities in two ports.
    OrganisationDef(
        "scheldeport",
        "Scheldeport Container Terminals NV",
        (R.TERMINAL_OPERATOR,),
        ("BEANR",),
        eori=True,
        size=2,
    ),
    OrganisationDef(
        "waasland",
        "Waasland Gateway Terminals NV",
        (R.TERMINAL_OPERATOR,),
        ("BEANR",),
        eori=True,
        size=2,
    ),
    OrganisationDef(
        "europaquay",
        "Europa Quay Stevedoring NV",
        (R.TERMINAL_OPERATOR,),
        ("BEANR",),
        eori=True,
        size=1.5,
    ),
    OrganisationDef(
        "noordkaai",
        "Noordkaai Container Operations NV",
        (R.TERMINAL_OPERATOR,),
        ("BEANR",),
        eori=True,
        size=1.5,
    ),
    OrganisationDef(
        "polderstad",
        "Polderstad Tank Storage NV",
        (R.TERMINAL_OPERATOR,),
        ("BEANR", "BEGNE"),
        eori=True,
        size=1.3,
    ),
    OrganisationDef(
        "wielingen",
        "Wielingen Container Terminal NV",
        (R.TERMINAL_OPERATOR,),
        ("BEZEE",),
        eori=True,
        size=1.5,
    ),
    OrganisationDef(
        "flandersroro",
        "Flanders Ro-Ro Services NV",
        (R.TERMINAL_OPERATOR,),
        ("BEZEE", "BEOST"),
        eori=True,
        size=1.3,
    ),
    OrganisationDef(
        "brugsekust",
        "Brugse Kust Cruise Terminal NV",
        (R.TERMINAL_OPERATOR,),
        ("BEZEE",),
        size=0.5,
    ),
    OrganisationDef(
        "noordzeegas",
        "Noordzee Gas Terminal NV",
        (R.TERMINAL_OPERATOR,),
        ("BEZEE",),
        eori=True,
        size=0.7,
    ),
    OrganisationDef(
        "kluizen",
        "Kluizen Bulk Handling NV",
        (R.TERMINAL_OPERATOR,),
        ("BEGNE",),
        eori=True,
    ),
    OrganisationDef(
        "artevelde",
        "Artevelde Ro-Ro NV",
        (R.TERMINAL_OPERATOR,),
        ("BEGNE",),
        eori=True,
        size=0.7,
    ),
    OrganisationDef(
        "bassemeuse",
        "Basse-Meuse Container Terminal SA",
        (R.TERMINAL_OPERATOR,),
        ("BELGG",),
        eori=True,
    ),
    OrganisationDef(
        "monsin", "Vracs de Monsin SA", (R.TERMINAL_OPERATOR,), ("BELGG",), size=0.6
    ),
    OrganisationDef(
        "canalbxl",
        "Canal Logistics Brussels NV",
        (R.TERMINAL_OPERATOR,),
        ("BEBRU", "BEWLB"),
        eori=True,
    ),
    OrganisationDef(
        "kempenterminal",
        "Kempen Inland Terminal NV",
        (R.TERMINAL_OPERATOR,),
        ("BEGNK", "BEHSS"),
        eori=True,
    ),
    OrganisationDef(
        "sambre", "Sambre Dry Port SA", (R.TERMINAL_OPERATOR,), ("BECRL",), size=0.5
    ),
    # Security companies.
    OrganisationDef(
        "havenwacht",
        "Havenwacht Security NV",
        (R.SECURITY_COMPANY,),
        ("BEANR", "BEZEE", "BEGNE"),
        size=2,
    ),
    OrganisationDef(
        "scheldewacht", "Scheldewacht Beveiliging NV", (R.SECURITY_COMPANY,), ("BEANR",)
    ),
    OrganisationDef(
        "vigilis",
        "Vigilis Port Guarding SA",
        (R.SECURITY_COMPANY,),
        ("BELGG", "BEBRU", "BECRL", "BENAM"),
    ),
    OrganisationDef(
        "portus",
        "Portus Protect BV",
        (R.SECURITY_COMPANY,),
        ("BEZEE", "BEOST", "BEGNE"),
    ),
    OrganisationDef(
        "kempensecurity",
        "Kempen Security Services NV",
        (R.SECURITY_COMPANY,),
        ("BEGNK", "BEHSS", "BEWLB"),
        size=0.7,
    ),
    # Shipping agents.
    OrganisationDef(
        "anker",
        "Anker Shipping Agency NV",
        (R.SHIPPING_AGENT,),
        ("BEANR", "BEZEE"),
        eori=True,
    ),
    OrganisationDef(
        "noorderlicht",
        "Noorderlicht Maritime Agencies NV",
        (R.SHIPPING_AGENT,),
        ("BEANR",),
        eori=True,
    ),
    OrganisationDef(
        "zeester", "Zeester Agencies BV", (R.SHIPPING_AGENT,), ("BEZEE", "BEOST")
    ),
    OrganisationDef(
        "balticscheldt",
        "Baltic & Scheldt Agencies NV",
        (R.SHIPPING_AGENT,),
        ("BEANR", "BEGNE"),
        eori=True,
    ),
    OrganisationDef(
        "meridian",
        "Meridian Liner Agency NV",
        (R.SHIPPING_AGENT, R.FORWARDER),
        ("BEANR", "BEZEE", "BEGNE"),
        eori=True,
    ),
    OrganisationDef(
        "mosane", "Mosane Maritime SA", (R.SHIPPING_AGENT,), ("BELGG", "BEBRU")
    ),
    # Forwarders.
    OrganisationDef(
        "transcontinental",
        "Transcontinental Expeditie NV",
        (R.FORWARDER,),
        ("BEANR", "BEZEE"),
        eori=True,
    ),
    OrganisationDef(
        "vrachtcoordinatie",
        "Vlaamse Vrachtcoördinatie NV",
        (R.FORWARDER,),
        ("BEANR", "BEGNE"),
        eori=True,
    ),
    OrganisationDef(
        "gateway",
        "Gateway Forwarding Belgium NV",
        (R.FORWARDER,),
        ("BEANR", "BEZEE", "BEGNE", "BEBRU"),
        eori=True,
    ),
    OrganisationDef("brabo", "Brabo Freight NV", (R.FORWARDER,), ("BEANR",), eori=True),
    OrganisationDef(
        "walloniefret",
        "Wallonie Fret International SA",
        (R.FORWARDER,),
        ("BELGG", "BECRL", "BENAM"),
        eori=True,
    ),
    OrganisationDef(
        "ostendcargo", "Ostend Cargo Solutions NV", (R.FORWARDER,), ("BEOST", "BEZEE")
    ),
    OrganisationDef(
        "mercator",
        "Mercator Forwarding NV",
        (R.FORWARDER,),
        ("BEGNE", "BEANR"),
        eori=True,
    ),
    # Transport operators (hauliers), the largest group.
    OrganisationDef(
        "vandamme",
        "Transport Van Damme & Zonen NV",
        (R.TRANSPORT_OPERATOR,),
        ("BEANR", "BEZEE", "BEGNE"),
        eori=True,
        size=1.5,
    ),
    OrganisationDef(
        "peeters",
        "Peeters Containervervoer BV",
        (R.TRANSPORT_OPERATOR,),
        ("BEANR", "BEGNK", "BEHSS"),
    ),
    OrganisationDef(
        "lambert",
        "Transports Lambert SA",
        (R.TRANSPORT_OPERATOR,),
        ("BELGG", "BEBRU", "BEANR"),
    ),
    OrganisationDef(
        "janssens",
        "Janssens Trucking NV",
        (R.TRANSPORT_OPERATOR,),
        ("BEANR", "BEWLB"),
        eori=True,
    ),
    OrganisationDef(
        "maes", "Maes Logistics BV", (R.TRANSPORT_OPERATOR,), ("BEANR", "BEZEE")
    ),
    OrganisationDef(
        "dubois",
        "Transports Dubois & Fils SA",
        (R.TRANSPORT_OPERATOR,),
        ("BELGG", "BECRL", "BENAM", "BEANR"),
        size=1.2,
    ),
    OrganisationDef(
        "wouters", "Wouters Transport NV", (R.TRANSPORT_OPERATOR,), ("BEANR", "BEGNE")
    ),
    OrganisationDef(
        "desmet",
        "De Smet Container Transport NV",
        (R.TRANSPORT_OPERATOR,),
        ("BEGNE", "BEZEE", "BEANR"),
        eori=True,
        size=1.3,
    ),
    OrganisationDef(
        "claes",
        "Claes Haulage BV",
        (R.TRANSPORT_OPERATOR,),
        ("BEGNK", "BEANR"),
        size=0.8,
    ),
    OrganisationDef(
        "mertens",
        "Transport Mertens NV",
        (R.TRANSPORT_OPERATOR,),
        ("BEANR", "BEBRU", "BEVIL"),
    ),
    OrganisationDef(
        "goossens",
        "Goossens Transport BV",
        (R.TRANSPORT_OPERATOR,),
        ("BEANR", "BEZEE"),
        size=0.8,
    ),
    OrganisationDef(
        "lejeune",
        "Transports Lejeune SRL",
        (R.TRANSPORT_OPERATOR,),
        ("BELGG", "BEANR", "BEZEE"),
        size=0.8,
    ),
    OrganisationDef(
        "willems",
        "Willems Intermodaal NV",
        (R.TRANSPORT_OPERATOR, R.FORWARDER),
        ("BEANR", "BEWLB", "BEBRU"),
        eori=True,
        size=1.2,
    ),
    OrganisationDef(
        "vermeulen",
        "Transport Vermeulen NV",
        (R.TRANSPORT_OPERATOR,),
        ("BEZEE", "BEOST", "BEGNE"),
    ),
    OrganisationDef(
        "renard",
        "Transports Renard SRL",
        (R.TRANSPORT_OPERATOR,),
        ("BECRL", "BENAM", "BEBRU", "BELGG"),
        size=0.7,
    ),
    OrganisationDef(
        "balticroad",
        "Baltic Road Carriers BV",
        (R.TRANSPORT_OPERATOR,),
        ("BEANR", "BEZEE", "BEGNE"),
        size=1.2,
    ),
    OrganisationDef(
        "hendrickx",
        "Hendrickx Transport NV",
        (R.TRANSPORT_OPERATOR,),
        ("BEANR", "BEZEE", "BEWLB"),
    ),
    OrganisationDef(
        "collignon",
        "Transports Collignon SRL",
        (R.TRANSPORT_OPERATOR,),
        ("BELGG", "BECRL", "BEANR"),
        size=0.8,
    ),
    OrganisationDef(
        "kempenlogistics",
        "Kempen Logistics Services NV",
        (R.TRANSPORT_OPERATOR, R.FORWARDER),
        ("BEGNK", "BEHSS", "BEANR"),
        eori=True,
    ),
)
ORGANISATIONS_BY_KEY: dict[str, OrganisationDef] = {o.key: o for o in ORGANISATIONS}

# How many people a trade employs, relative to the others: hauliers (drivers) and
# terminals dominate what passes a port gate.
EMPLOYEES_PER_TRADE: dict[str, float] = {
    R.TRANSPORT_OPERATOR: 14,
    R.TERMINAL_OPERATOR: 12,
    R.SECURITY_COMPANY: 8,
    R.PORT_AUTHORITY: 6,
    R.POLICE: 5,
    R.CUSTOMS: 5,
    R.FORWARDER: 4,
    R.SHIPPING_AGENT: 3,
    R.OTHER_AUTHORITY: 3,
}
# Who owns the vehicles: hauliers, then the terminals' yard fleets.
VEHICLES_PER_TRADE: dict[str, float] = {
    R.TRANSPORT_OPERATOR: 85,
    R.TERMINAL_OPERATOR: 6,
    R.SECURITY_COMPANY: 4,
    R.FORWARDER: 3,
    R.PORT_AUTHORITY: 2,
}
# The kinds of vehicle each trade runs, with weights.
VEHICLE_KINDS_PER_TRADE: dict[str, tuple[tuple[str, float], ...]] = {
    R.TRANSPORT_OPERATOR: (("truck", 72), ("trailer", 22), ("van", 6)),
    R.TERMINAL_OPERATOR: (("other", 40), ("van", 35), ("car", 25)),
    R.SECURITY_COMPANY: (("car", 60), ("van", 40)),
    R.FORWARDER: (("van", 50), ("car", 50)),
    R.PORT_AUTHORITY: (("car", 50), ("van", 50)),
}


# Facilities ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccessPointDef:
    """An access point of every facility, placed as fractions of the facility's site."""

    suffix: str
    name: str
    kind: str
    zone: str  # "controlled" or "restricted"
    across: float
    along: float
    devices: tuple[str, ...]


GATE = AccessPointDef(
    "G1",
    "Main truck gate",
    "vehicle_lane",
    "controlled",
    -0.47,
    -0.25,
    ("anpr_camera", "badge_reader"),
)
TURNSTILE = AccessPointDef(
    "T1",
    "Pedestrian turnstile",
    "turnstile",
    "controlled",
    -0.47,
    -0.15,
    ("badge_reader", "biometric_reader"),
)
# On the land-side edge of the restricted strip along the water.
QUAY_ACCESS = AccessPointDef(
    "Q1", "Quay access", "quay_access", "restricted", 0.14, 0.0, ("badge_reader",)
)
RAIL_GATE = AccessPointDef(
    "R1", "Rail gate", "rail_gate", "controlled", -0.47, 0.35, ("badge_reader",)
)

# The restricted zone: a strip along the water, inside the facility.
RESTRICTED_ACROSS = (0.15, 0.45)
RESTRICTED_ALONG = (-0.4, 0.4)


@dataclass(frozen=True, slots=True)
class FacilityDef:
    port: str
    code: str
    name: str
    kind: str
    operator: str
    site: Site
    rail: bool = False
    restricted_name: str = "quay"

    @property
    def isps(self) -> bool:
        return PORTS_BY_LOCODE[self.port].isps

    @property
    def boundary(self) -> dict[str, Any]:
        return self.site.polygon()

    @property
    def restricted_boundary(self) -> dict[str, Any]:
        return self.site.polygon(RESTRICTED_ACROSS, RESTRICTED_ALONG)

    def access_points(self) -> tuple[AccessPointDef, ...]:
        """Return the facility's access points: 2 to 4 by its size and status.

        Every facility has a truck gate and a quay access; ISPS facilities add a
        turnstile for people on foot, the large container terminals a rail gate.
        """
        points = [GATE]
        if self.isps:
            points.append(TURNSTILE)
        if self.rail:
            points.append(RAIL_GATE)
        points.append(QUAY_ACCESS)
        return tuple(points)


K = Facility.Kind

FACILITIES: tuple[FacilityDef, ...] = (
    # Antwerp: the Deurganck dock on the Left Bank, the Right Bank container
    # terminals along the Scheldt, a tank terminal and the Kallo lock.
    FacilityDef(
        "BEANR",
        "BEANR-0001",
        "Deurganck West Container Terminal",
        K.CONTAINER,
        "scheldeport",
        Site(4.2465, 51.2830, 600, 2200, 20, 1),
        rail=True,
    ),
    FacilityDef(
        "BEANR",
        "BEANR-0002",
        "Deurganck East Container Terminal",
        K.CONTAINER,
        "waasland",
        Site(4.2600, 51.2810, 550, 2000, 20, -1),
        rail=True,
    ),
    FacilityDef(
        "BEANR",
        "BEANR-0003",
        "Europa Terminal",
        K.CONTAINER,
        "europaquay",
        Site(4.2820, 51.3500, 500, 1400, 345, -1),
        rail=True,
    ),
    FacilityDef(
        "BEANR",
        "BEANR-0004",
        "Noordzee Terminal",
        K.CONTAINER,
        "noordkaai",
        Site(4.3000, 51.3620, 500, 1500, 330, -1),
        rail=True,
    ),
    FacilityDef(
        "BEANR",
        "BEANR-0005",
        "Polderstad Liquid Bulk Terminal",
        K.LIQUID_BULK,
        "polderstad",
        Site(4.3400, 51.3050, 700, 900, 0, 1),
    ),
    FacilityDef(
        "BEANR",
        "BEANR-0006",
        "Kallo Lock",
        K.LOCK,
        "poab",
        Site(4.2765, 51.2715, 250, 700, 95, 1),
        restricted_name="lock chamber",
    ),
    # Zeebrugge.
    FacilityDef(
        "BEZEE",
        "BEZEE-0001",
        "Wielingen Container Terminal",
        K.CONTAINER,
        "wielingen",
        Site(3.1840, 51.3520, 600, 1600, 345, 1),
        rail=True,
    ),
    FacilityDef(
        "BEZEE",
        "BEZEE-0002",
        "Zeebrugge Ro-Ro Terminal",
        K.RORO,
        "flandersroro",
        Site(3.2150, 51.3280, 500, 900, 40, -1),
    ),
    FacilityDef(
        "BEZEE",
        "BEZEE-0003",
        "Zeebrugge Cruise Terminal",
        K.CRUISE,
        "brugsekust",
        Site(3.1995, 51.3440, 200, 500, 300, 1),
        restricted_name="cruise berth",
    ),
    FacilityDef(
        "BEZEE",
        "BEZEE-0004",
        "Zeebrugge LNG Terminal",
        K.LIQUID_BULK,
        "noordzeegas",
        Site(3.2230, 51.3450, 600, 700, 0, 1),
        restricted_name="jetty",
    ),
    # Ghent (North Sea Port), along the Ghent-Terneuzen canal.
    FacilityDef(
        "BEGNE",
        "BEGNE-0001",
        "Kluizendok Multipurpose Terminal",
        K.DRY_BULK,
        "kluizen",
        Site(3.7800, 51.1700, 500, 1800, 350, 1),
        rail=True,
    ),
    FacilityDef(
        "BEGNE",
        "BEGNE-0002",
        "Ghent Ro-Ro Terminal",
        K.RORO,
        "artevelde",
        Site(3.7600, 51.1350, 400, 900, 10, -1),
    ),
    FacilityDef(
        "BEGNE",
        "BEGNE-0003",
        "Moervaart Tank Terminal",
        K.LIQUID_BULK,
        "polderstad",
        Site(3.7450, 51.1000, 500, 600, 15, 1),
        restricted_name="jetty",
    ),
    # Ostend.
    FacilityDef(
        "BEOST",
        "BEOST-0001",
        "Ostend Ro-Ro Terminal",
        K.RORO,
        "flandersroro",
        Site(2.9250, 51.2300, 300, 700, 20, -1),
    ),
    # Liège: Trilogiport on the Albert Canal and Monsin island.
    FacilityDef(
        "BELGG",
        "BELGG-0001",
        "Trilogiport Container Terminal",
        K.CONTAINER,
        "bassemeuse",
        Site(5.6380, 50.7020, 500, 1200, 20, 1),
        rail=True,
    ),
    FacilityDef(
        "BELGG",
        "BELGG-0002",
        "Monsin Bulk Terminal",
        K.DRY_BULK,
        "monsin",
        Site(5.6300, 50.6650, 300, 800, 30, 1),
    ),
    # Brussels, on the canal north of the centre.
    FacilityDef(
        "BEBRU",
        "BEBRU-0001",
        "Brussels Canal Container Terminal",
        K.INLAND,
        "canalbxl",
        Site(4.3720, 50.8800, 350, 900, 35, -1),
    ),
    # Inland terminals on the Albert Canal, the sea canal and the Sambre.
    FacilityDef(
        "BEGNK",
        "BEGNK-0001",
        "Genk Inland Container Terminal",
        K.INLAND,
        "kempenterminal",
        Site(5.4970, 50.9410, 400, 900, 70, -1),
    ),
    FacilityDef(
        "BEHSS",
        "BEHSS-0001",
        "Hasselt Albert Canal Terminal",
        K.INLAND,
        "kempenterminal",
        Site(5.3350, 50.9340, 300, 600, 60, 1),
    ),
    FacilityDef(
        "BEWLB",
        "BEWLB-0001",
        "Willebroek Container Terminal",
        K.INLAND,
        "canalbxl",
        Site(4.3680, 51.0650, 350, 800, 10, 1),
    ),
    FacilityDef(
        "BECRL",
        "BECRL-0001",
        "Charleroi Dry Port",
        K.INLAND,
        "sambre",
        Site(4.4320, 50.4160, 400, 800, 80, -1),
    ),
)
FACILITIES_BY_CODE: dict[str, FacilityDef] = {f.code: f for f in FACILITIES}


# Demo accounts -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoAccountSpec:
    """A demo account: its role, organisation (by key) and where the role applies."""

    username: str
    role: Role
    organisation: str
    scope: str
    port: str | None = None
    facility: str | None = None
    clearance: int = Clearance.NONE
    superuser: bool = False


DEMO_ACCOUNT_SPECS: tuple[DemoAccountSpec, ...] = (
    DemoAccountSpec(
        "admin", Role.PLATFORM_ADMIN, "poab", "the whole platform", superuser=True
    ),
    DemoAccountSpec(
        "namb",
        Role.NATIONAL_AUTHORITY,
        "dgshipping",
        "all ports (DG Shipping)",
        clearance=Clearance.SECRET,
    ),
    DemoAccountSpec(
        "pso.antwerp",
        Role.PORT_SECURITY_OFFICER,
        "poab",
        "port of Antwerp (BEANR)",
        port="BEANR",
        clearance=Clearance.SECRET,
    ),
    DemoAccountSpec(
        "pso.ghent",
        Role.PORT_SECURITY_OFFICER,
        "nsp",
        "port of Ghent (BEGNE)",
        port="BEGNE",
        clearance=Clearance.CONFIDENTIAL,
    ),
    DemoAccountSpec(
        "pfso.deurganck",
        Role.PFSO,
        "scheldeport",
        "Deurganck West Container Terminal (BEANR-0001)",
        facility="BEANR-0001",
        clearance=Clearance.CONFIDENTIAL,
    ),
    DemoAccountSpec(
        "ccr.zeebrugge",
        Role.CONTROL_ROOM_OPERATOR,
        "poab",
        "port of Zeebrugge (BEZEE)",
        port="BEZEE",
    ),
    DemoAccountSpec(
        "gate.deurganck",
        Role.GATE_OPERATOR,
        "scheldeport",
        "Deurganck West Container Terminal (BEANR-0001)",
        facility="BEANR-0001",
    ),
    DemoAccountSpec(
        "company.admin",
        Role.COMPANY_ADMIN,
        "vandamme",
        "Transport Van Damme & Zonen NV",
    ),
    DemoAccountSpec(
        "dispatcher",
        Role.TRANSPORT_DISPATCHER,
        "vandamme",
        "Transport Van Damme & Zonen NV",
    ),
    DemoAccountSpec(
        "handler.police",
        Role.REPORT_HANDLER,
        "police",
        "Federal Police – Shipping Police",
        clearance=Clearance.CONFIDENTIAL,
    ),
    DemoAccountSpec(
        "inspector",
        Role.INSPECTOR,
        "dgshipping",
        "all ports (national inspector)",
        clearance=Clearance.CONFIDENTIAL,
    ),
    DemoAccountSpec(
        "committee.member",
        Role.COMMITTEE_MEMBER,
        "poab",
        "Port of Antwerp-Bruges (LCMB Antwerp)",
        clearance=Clearance.CONFIDENTIAL,
    ),
)


class DemoAccount(NamedTuple):
    """What the ``seed`` and ``demo`` commands print for each account."""

    username: str
    role_label: StrOrPromise
    scope: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = tuple(
    DemoAccount(spec.username, spec.role.label, spec.scope)
    for spec in DEMO_ACCOUNT_SPECS
)


# People: names ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameList:
    surnames: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    # One name per line, so that names with spaces (Van den Broeck) stay whole.
    return tuple(line.strip() for line in text.strip().splitlines() if line.strip())


# Belgian nationals, by the group their names come from: Flemish, Walloon or
# Brussels French, and Belgian families of other roots. 151 surnames and 150 first
# names in all.
BELGIAN_NAMES: dict[str, NameList] = {
    "flemish": NameList(
        surnames=_words(
            """
            Peeters
            Janssens
            Maes
            Jacobs
            Mertens
            Willems
            Claes
            Goossens
            Wouters
            De Smet
            Hermans
            Pauwels
            Van den Broeck
            De Vos
            Aerts
            Stevens
            Smets
            Van Damme
            Michiels
            Verstraete
            Vermeulen
            De Clercq
            Hendrickx
            Cools
            Van de Velde
            Lemmens
            Van Dyck
            Bogaerts
            Verhoeven
            Segers
            Van Hecke
            Verbruggen
            Coppens
            De Backer
            Vandenberghe
            Thys
            Bosmans
            Vermeiren
            De Wilde
            Geerts
            Van Acker
            Degroote
            Van Hoof
            Baert
            De Meyer
            Van Laere
            Schepers
            Wuyts
            Dewulf
            Cornelis
            Van Looy
            De Cock
            Verlinden
            Moens
            De Ridder
            Huysmans
            Verschueren
            Nijs
            Luyten
            Daems
            Vercammen
            Timmermans
            Beckers
            Vanhoutte
            D'Hondt
            Heylen
            Smeets
            Dierckx
            Ceulemans
            Vranken
            Nelissen
            Callens
            Vanneste
            D'haese
            Lippens
            Van Praet
            Gielen
            Jorissen
            Wyns
            Tack
            """
        ),
        male=_words(
            """
            Jan
            Pieter
            Luc
            Marc
            Dirk
            Koen
            Bart
            Tom
            Wim
            Kris
            Geert
            Stijn
            Jeroen
            Wouter
            Steven
            Joris
            Jef
            Jens
            Lars
            Arne
            Wout
            Robbe
            Senne
            Niels
            Dries
            """
        ),
        female=_words(
            """
            An
            Els
            Katrien
            Sofie
            Lies
            Inge
            Veerle
            Lotte
            Eline
            Femke
            Hanne
            Lien
            Ellen
            Annelies
            Griet
            Hilde
            Kathleen
            Martine
            Leen
            Jolien
            Nele
            Evelien
            Elke
            Marleen
            Joke
            """
        ),
    ),
    "walloon": NameList(
        surnames=_words(
            """
            Dubois
            Lambert
            Dupont
            Martin
            Simon
            Laurent
            Leroy
            Renard
            Lejeune
            Denis
            Lemaire
            Gérard
            François
            Mathieu
            Fontaine
            Collignon
            Henry
            Dupuis
            Lefebvre
            Noël
            Masson
            Pirard
            Jacquet
            Evrard
            Hubert
            Remy
            Lambotte
            Delvaux
            Marchal
            Bertrand
            Charlier
            Gilson
            Jadot
            Piette
            Wilmotte
            Leclercq
            Dumont
            Deprez
            Lecomte
            Thiry
            Delhaye
            Gobert
            Hanquet
            Maréchal
            Delcourt
            """
        ),
        male=_words(
            """
            Jean
            Michel
            Philippe
            Pierre
            Laurent
            Olivier
            Christophe
            Nicolas
            Julien
            Sébastien
            Thomas
            Maxime
            Antoine
            Benoît
            Didier
            Pascal
            Thierry
            Alain
            Vincent
            Quentin
            Romain
            Guillaume
            Arnaud
            Jérôme
            Cédric
            """
        ),
        female=_words(
            """
            Marie
            Isabelle
            Sophie
            Catherine
            Valérie
            Anne
            Christine
            Julie
            Céline
            Aurélie
            Émilie
            Camille
            Laura
            Manon
            Pauline
            Mélanie
            Stéphanie
            Sandrine
            Véronique
            Françoise
            Nadine
            Chantal
            Delphine
            Nathalie
            Caroline
            """
        ),
    ),
    # Belgian families of Moroccan, Turkish, Italian, Congolese, Polish and
    # Spanish roots.
    "moroccan": NameList(
        _words(
            "El Amrani\nBenali\nEl Idrissi\nBouzid\nAit Ouali\nAmrani\nAzzouzi\nBoukhari"
        ),
        _words("Mohamed\nAhmed\nYoussef\nKarim\nBilal\nRachid\nHamza\nIbrahim"),
        _words("Fatima\nKhadija\nSamira\nNadia\nAmina\nYasmina\nLeila\nSara"),
    ),
    "turkish": NameList(
        _words("Yilmaz\nKaya\nDemir\nAydin\nÖztürk\nÇelik"),
        _words("Mehmet\nMustafa\nEmre\nMurat\nHakan"),
        _words("Ayşe\nElif\nZeynep\nFatma\nEsra"),
    ),
    "italian": NameList(
        _words("Rossi\nEsposito\nRusso\nBianchi\nRomano"),
        _words("Marco\nLuca\nGiovanni\nSalvatore"),
        _words("Giulia\nFrancesca\nRosa\nMaria"),
    ),
    "congolese": NameList(
        _words("Mukendi\nKabongo\nIlunga"),
        _words("Glody\nJean-Paul\nChristian\nPatrick"),
        _words("Grace\nMerveille\nDivine\nBénédicte"),
    ),
    "central_european": NameList(
        _words("Nowak\nKowalczyk\nGarcia\nFernandez"),
        _words("Piotr\nTomasz\nCarlos\nJosé"),
        _words("Anna\nAgnieszka\nCarmen\nElena"),
    ),
}

# Foreign nationals working in Belgian ports, by nationality.
FOREIGN_NAMES: dict[str, NameList] = {
    "NL": NameList(
        _words(
            """
            de Jong
            Jansen
            de Vries
            van den Berg
            van Dijk
            Bakker
            Visser
            Smit
            Meijer
            de Boer
            Mulder
            Bos
            """
        ),
        _words("Daan\nSem\nBram\nThijs\nRuud\nKees\nJoost\nSjoerd"),
        _words("Anouk\nSanne\nLieke\nIlse\nMarieke\nEsther\nMirjam\nFenna"),
    ),
    "FR": NameList(
        _words(
            """
            Bernard
            Thomas
            Petit
            Robert
            Richard
            Durand
            Leroux
            Moreau
            Girard
            Roux
            Fournier
            Morel
            """
        ),
        _words("Hugo\nThéo\nClément\nYann\nLoïc\nMathis\nBastien\nFlorent"),
        _words("Léa\nInès\nMargaux\nOcéane\nJustine\nClaire\nAmandine\nElodie"),
    ),
    "DE": NameList(
        _words(
            """
            Müller
            Schmidt
            Schneider
            Fischer
            Weber
            Meyer
            Wagner
            Becker
            Schulz
            Hoffmann
            Koch
            Richter
            """
        ),
        _words("Lukas\nJonas\nFelix\nTobias\nStefan\nJürgen\nMatthias\nFlorian"),
        _words("Lena\nKatharina\nJulia\nSabine\nPetra\nBirgit\nAnja\nMaren"),
    ),
    "PL": NameList(
        _words(
            """
            Nowak
            Wójcik
            Kowalczyk
            Mazur
            Krawczyk
            Zając
            Król
            Wieczorek
            Pawlak
            Michalak
            Sikora
            Baran
            """
        ),
        _words("Piotr\nTomasz\nKrzysztof\nPaweł\nMarcin\nMichał\nŁukasz\nGrzegorz"),
        _words(
            "Agnieszka\nKatarzyna\nMałgorzata\nJoanna\nMagdalena\nMonika\nEwa\nAnna"
        ),
    ),
    "RO": NameList(
        _words(
            """
            Popescu
            Ionescu
            Popa
            Pop
            Radu
            Dumitru
            Stan
            Stoica
            Gheorghe
            Matei
            Ciobanu
            Rusu
            """
        ),
        _words("Andrei\nIon\nMihai\nAlexandru\nGabriel\nFlorin\nCristian\nAdrian"),
        _words("Elena\nIoana\nMaria\nAndreea\nAlina\nMihaela\nCristina\nRaluca"),
    ),
    "PT": NameList(
        _words(
            """
            Silva
            Santos
            Ferreira
            Pereira
            Oliveira
            Costa
            Rodrigues
            Martins
            Sousa
            Fernandes
            Gonçalves
            Lopes
            """
        ),
        _words("João\nJosé\nRui\nNuno\nPedro\nTiago\nMiguel\nPaulo"),
        _words("Ana\nMaria\nJoana\nSofia\nInês\nBeatriz\nCatarina\nRita"),
    ),
    "MA": NameList(
        _words(
            """
            El Amrani
            Benali
            El Idrissi
            Bouzid
            Alaoui
            Tahiri
            El Khattabi
            Bennani
            Chaoui
            Ouali
            Ziani
            Haddad
            """
        ),
        _words("Mohamed\nAhmed\nYoussef\nRachid\nSaid\nHassan\nKarim\nOmar"),
        _words("Fatima\nKhadija\nSamira\nNadia\nAmina\nZineb\nHanane\nSalma"),
    ),
    "TR": NameList(
        _words(
            """
            Yılmaz
            Kaya
            Demir
            Şahin
            Çelik
            Yıldız
            Yıldırım
            Öztürk
            Aydın
            Özdemir
            Arslan
            Doğan
            """
        ),
        _words("Mehmet\nMustafa\nAhmet\nAli\nHüseyin\nHasan\nEmre\nMurat"),
        _words("Ayşe\nFatma\nEmine\nHatice\nZeynep\nElif\nMerve\nÖzlem"),
    ),
}

# Nationality of the port workforce; hauliers employ more drivers from Poland and
# Romania. Weights, not percentages.
NATIONALITIES: tuple[tuple[str, float], ...] = (
    ("BE", 82),
    ("NL", 5),
    ("FR", 4),
    ("DE", 1),
    ("PL", 2.5),
    ("RO", 2),
    ("PT", 1.5),
    ("MA", 1),
    ("TR", 1),
)
DRIVER_NATIONALITIES: tuple[tuple[str, float], ...] = (
    ("BE", 70),
    ("NL", 5),
    ("FR", 3),
    ("DE", 1),
    ("PL", 9),
    ("RO", 7),
    ("PT", 2),
    ("MA", 1.5),
    ("TR", 1.5),
)
# Which Belgian name group an employer's staff come from, by the employer's region.
NAME_GROUPS_BY_REGION: dict[str, tuple[tuple[str, float], ...]] = {
    "flemish": (
        ("flemish", 72),
        ("walloon", 12),
        ("moroccan", 7),
        ("turkish", 4),
        ("italian", 2),
        ("congolese", 1.5),
        ("central_european", 1.5),
    ),
    "walloon": (
        ("flemish", 10),
        ("walloon", 72),
        ("italian", 7),
        ("moroccan", 5),
        ("turkish", 2.5),
        ("congolese", 2),
        ("central_european", 1.5),
    ),
    "mixed": (
        ("flemish", 42),
        ("walloon", 36),
        ("moroccan", 9),
        ("turkish", 4),
        ("italian", 3),
        ("congolese", 4),
        ("central_european", 2),
    ),
}
# The language groups; a family of other roots often gives its children a first
# name of the region's language.
LANGUAGE_GROUPS = ("flemish", "walloon")

# Plates of foreign-registered trucks and trailers of Belgian hauliers.
PLATE_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("BE", 90),
    ("NL", 4),
    ("FR", 2),
    ("DE", 2),
    ("PL", 2),
)
GERMAN_DISTRICTS = ("AC", "K", "D", "DU", "HH", "HB", "E", "KR", "MG", "NE")
POLISH_DISTRICTS = ("WA", "WE", "PO", "KR", "GD", "WR", "LU", "SZ")
