from __future__ import annotations

import pytest

from port2port.lib.geo import (
    InvalidGeometry,
    point_in_polygon,
    point_validate,
    polygon_centroid,
    polygon_validate,
)

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}


def test_polygon_ring_is_closed() -> None:
    polygon = polygon_validate(
        {"type": "Polygon", "coordinates": [[[4.0, 51.0], [4.1, 51.0], [4.1, 51.1]]]}
    )
    assert polygon["coordinates"][0] == [
        [4.0, 51.0],
        [4.1, 51.0],
        [4.1, 51.1],
        [4.0, 51.0],
    ]


@pytest.mark.parametrize(
    "raw",
    [
        None,
        {"type": "Point", "coordinates": [4, 51]},
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[[4, 51], [4.1, 51]]]},
        {"type": "Polygon", "coordinates": [[[4, 95], [4.1, 51], [4.1, 51.1]]]},
        {"type": "Polygon", "coordinates": [[["a", 51], [4.1, 51], [4.1, 51.1]]]},
        {"type": "Polygon", "coordinates": [[[True, 51], [4.1, 51], [4.1, 51.1]]]},
    ],
)
def test_invalid_polygons_are_refused(raw: object) -> None:
    with pytest.raises(InvalidGeometry):
        polygon_validate(raw)


def test_point_validation() -> None:
    assert point_validate({"type": "Point", "coordinates": [4, 51]}) == {
        "type": "Point",
        "coordinates": [4.0, 51.0],
    }
    with pytest.raises(InvalidGeometry):
        point_validate({"type": "Point", "coordinates": [200, 51]})


def test_centroid_and_containment() -> None:
    assert polygon_centroid(SQUARE) == (1.0, 1.0)
    assert point_in_polygon((1, 1), SQUARE) is True
    assert point_in_polygon((3, 1), SQUARE) is False
    holed = {
        "type": "Polygon",
        "coordinates": [
            *SQUARE["coordinates"],
            [[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 0.5]],
        ],
    }
    assert point_in_polygon((1.2, 0.8), holed) is False
