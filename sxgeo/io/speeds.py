"""Driving speeds for drive networks: a way's ``maxspeed`` tag, else the default of its road class."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sxgeo.errors import LayerReadError
from sxgeo.resources import package_file

__all__ = ["DEFAULT_ROAD_SPEEDS", "RoadSpeeds", "load_road_speeds", "parse_maxspeed"]

#: The bundled defaults (adjustable assumptions, with their basis written in the file).
DEFAULT_ROAD_SPEEDS = package_file("data", "road_speeds.toml")

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?", re.IGNORECASE)
_MPH = 1.609344


def parse_maxspeed(value: str | None) -> float | None:
    """A ``maxspeed`` tag in km/h (``"60"``, ``"60 km/h"``, ``"30 mph"``, ``"40;60"`` → the lowest); None if unusable."""
    if not value:
        return None
    speeds = []
    for part in str(value).split(";"):
        m = _NUMBER.search(part)
        if m:
            kmh = float(m.group(1)) * (_MPH if (m.group(2) or "").lower() == "mph" else 1.0)
            if 0 < kmh <= 200:
                speeds.append(kmh)
    return min(speeds) if speeds else None


@dataclass(frozen=True)
class RoadSpeeds:
    """Default speeds per highway class and a fallback for the other classes the drive filter keeps."""

    by_class: Mapping[str, float]
    fallback_kmh: float
    source: str
    key: str

    def of(self, tags: Mapping[str, str]) -> float:
        """The speed (km/h) of a way with these tags."""
        tagged = parse_maxspeed(tags.get("maxspeed"))
        if tagged is not None:
            return tagged
        return float(self.by_class.get(tags.get("highway", ""), self.fallback_kmh))


def load_road_speeds(path: str | Path | None = None) -> RoadSpeeds:
    """Read a road-speed file (the bundled one by default).

    Raises
    ------
    sxgeo.errors.LayerReadError
        When the file cannot be read or a speed is not a positive number.
    """
    path = Path(path) if path is not None else DEFAULT_ROAD_SPEEDS
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
        by_class = {str(k): float(v) for k, v in data["speed_kmh"].items()}
        fallback = float(data["fallback"]["speed_kmh"])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LayerReadError(path, "err_speeds", detail=f"{type(exc).__name__}: {exc}") from None
    bad = [k for k, v in {**by_class, "fallback": fallback}.items() if not v > 0]
    if bad:
        raise LayerReadError(path, "err_speeds", detail=f"speeds must be positive: {', '.join(bad)}")
    source = data.get("source", {}).get("en", path.name)
    return RoadSpeeds(by_class, fallback, source, hashlib.sha256(raw).hexdigest()[:10])
