"""Small GeoJSON helpers for polygons and points in WGS84 (longitude, latitude)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

Position = tuple[float, float]


class InvalidGeometry(ValueError):
    """GeoJSON that is not a valid polygon or point for the platform."""


def _position(raw: Any) -> Position:
    if (
        not isinstance(raw, list | tuple)
        or len(raw) < 2
        or not all(
            isinstance(c, int | float) and not isinstance(c, bool) for c in raw[:2]
        )
    ):
        raise InvalidGeometry("A position is [longitude, latitude].")
    lon, lat = float(raw[0]), float(raw[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InvalidGeometry("Longitude must be within ±180 and latitude within ±90.")
    return lon, lat


def point_validate(raw: Any) -> dict[str, Any]:
    """Return a GeoJSON Point from a GeoJSON object, or raise InvalidGeometry."""
    if not isinstance(raw, dict) or raw.get("type") != "Point":
        raise InvalidGeometry("A point must be a GeoJSON object of type Point.")
    lon, lat = _position(raw.get("coordinates"))
    return {"type": "Point", "coordinates": [lon, lat]}


def polygon_validate(raw: Any) -> dict[str, Any]:
    """Return a GeoJSON Polygon with closed rings, or raise InvalidGeometry."""
    if not isinstance(raw, dict) or raw.get("type") != "Polygon":
        raise InvalidGeometry("A boundary must be a GeoJSON object of type Polygon.")
    rings = raw.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise InvalidGeometry("A polygon needs at least one ring of positions.")
    clean: list[list[list[float]]] = []
    for ring in rings:
        if not isinstance(ring, list):
            raise InvalidGeometry("A polygon ring is a list of positions.")
        positions = [_position(p) for p in ring]
        if positions and positions[0] != positions[-1]:
            positions.append(positions[0])
        if len(positions) < 4:
            raise InvalidGeometry(
                "A polygon ring needs at least three distinct corners."
            )
        clean.append([[lon, lat] for lon, lat in positions])
    return {"type": "Polygon", "coordinates": clean}


def polygon_centroid(polygon: dict[str, Any]) -> Position:
    """Return the area centroid of the outer ring of a GeoJSON polygon."""
    ring = polygon["coordinates"][0]
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * area), cy / (3 * area)


def point_in_polygon(point: Position, polygon: dict[str, Any]) -> bool:
    """Return whether a point lies inside the outer ring and outside any hole."""

    def inside(ring: list[list[float]]) -> bool:
        x, y = point
        result = False
        for (x0, y0), (x1, y1) in pairwise(ring):
            if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
                result = not result
        return result

    rings = polygon["coordinates"]
    return inside(rings[0]) and not any(inside(hole) for hole in rings[1:])
