"""Activity files made by the tests: GPX and TCX written by hand, FIT by a tiny writer.

Each maker takes the start, the number of points a minute apart and what to record, so a test
can make many different files (the benchmark makes 500) and knows exactly what each holds.
The FIT writer follows the FIT protocol's layout: a 14-byte header with its CRC, definition
and data messages (file_id, record, session), then the CRC of the whole file.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
_CRC = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
        0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)  # fmt: skip


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _points(minutes: int, start: datetime) -> list[tuple[datetime, float, float, float, int]]:
    """(time, latitude, longitude, elevation, heart rate) once a minute, climbing 2 m each."""
    return [
        (start + timedelta(minutes=i), 51.5 + i * 0.0015, -0.12, 10.0 + 2 * i, 120 + i % 30)
        for i in range(minutes + 1)
    ]


def gpx(
    start: datetime = START,
    minutes: int = 30,
    *,
    sport: str = "running",
    heart: bool = True,
    temperature: float | None = 18.0,
) -> bytes:
    """A GPX 1.1 track with Garmin's TrackPointExtension (heart rate, air temperature)."""
    pts = []
    for when, lat, lon, ele, hr in _points(minutes, start):
        ext = ""
        if heart or temperature is not None:
            inner = (f"<gpxtpx:hr>{hr}</gpxtpx:hr>" if heart else "") + (
                f"<gpxtpx:atemp>{temperature}</gpxtpx:atemp>" if temperature is not None else ""
            )
            tpx = f"<gpxtpx:TrackPointExtension>{inner}</gpxtpx:TrackPointExtension>"
            ext = f"<extensions>{tpx}</extensions>"
        pts.append(
            f'<trkpt lat="{lat:.6f}" lon="{lon:.6f}"><ele>{ele}</ele>'
            f"<time>{_iso(when)}</time>{ext}</trkpt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="calfcare tests" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>Morning run</name><type>{sport}</type><trkseg>{''.join(pts)}</trkseg></trk>"
        "</gpx>"
    ).encode()


def tcx(start: datetime = START, minutes: int = 30, *, sport: str = "Running") -> bytes:
    """A TCX activity of one lap, with distance, altitude and heart rate at every point."""
    pts = []
    for i, (when, lat, lon, ele, hr) in enumerate(_points(minutes, start)):
        pts.append(
            f"<Trackpoint><Time>{_iso(when)}</Time><Position><LatitudeDegrees>{lat:.6f}"
            f"</LatitudeDegrees><LongitudeDegrees>{lon:.6f}</LongitudeDegrees></Position>"
            f"<AltitudeMeters>{ele}</AltitudeMeters><DistanceMeters>{i * 166.0}</DistanceMeters>"
            f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm></Trackpoint>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{_iso(start)}</Id>'
        f'<Lap StartTime="{_iso(start)}"><TotalTimeSeconds>{minutes * 60}</TotalTimeSeconds>'
        f"<DistanceMeters>{minutes * 166.0}</DistanceMeters><Calories>300</Calories>"
        f"<Track>{''.join(pts)}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def fit_crc(data: bytes, crc: int = 0) -> int:
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC[nibble]
    return crc


def _message(local: int, number: int, fields: list[tuple[int, str, int, int | float]]) -> bytes:
    """A definition message and its one data message; fields: (number, struct, base, value)."""
    definition = struct.pack("<BBBHB", 0x40 | local, 0, 0, number, len(fields))
    for num, fmt, base, _ in fields:
        definition += struct.pack("<BBB", num, struct.calcsize("<" + fmt), base)
    data = struct.pack("<B", local) + b"".join(struct.pack("<" + f, v) for _, f, _, v in fields)
    return definition + data


def _fit_time(moment: datetime) -> int:
    return int((moment - FIT_EPOCH).total_seconds())


def fit(
    start: datetime = START,
    minutes: int = 30,
    *,
    session: bool = True,
    sport: int = 1,
    temperature: int = 17,
) -> bytes:
    """A FIT activity: file_id, a record a minute and (if `session`) its session message."""
    body = _message(
        0, 0, [(0, "B", 0x00, 4), (1, "H", 0x84, 255), (4, "I", 0x86, _fit_time(start))]
    )
    for i, (when, _, _, ele, hr) in enumerate(_points(minutes, start)):
        body += _message(1, 20, [
            (253, "I", 0x86, _fit_time(when)), (3, "B", 0x02, hr), (5, "I", 0x86, i * 16600),
            (2, "H", 0x84, int((ele + 500) * 5)), (13, "b", 0x01, temperature),
        ])  # fmt: skip
    if session:
        end = start + timedelta(minutes=minutes)
        body += _message(2, 18, [
            (253, "I", 0x86, _fit_time(end)), (2, "I", 0x86, _fit_time(start)),
            (7, "I", 0x86, minutes * 60 * 1000), (9, "I", 0x86, minutes * 16600),
            (5, "B", 0x00, sport), (22, "H", 0x84, 2 * minutes), (16, "B", 0x02, 135),
            (17, "B", 0x02, 149), (57, "b", 0x01, temperature),
        ])  # fmt: skip
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    whole = header + body
    return whole + struct.pack("<H", fit_crc(whole))
