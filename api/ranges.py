"""HTTP Range requests (RFC 9110 §14): parsing ``bytes=`` ranges against a known length."""

from __future__ import annotations

from dataclasses import dataclass

import regex

_SPEC = regex.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")
MAX_RANGES = 16


class Unsatisfiable(Exception):
    """No requested range overlaps the representation (HTTP 416)."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # exclusive

    @property
    def length(self) -> int:
        return self.end - self.start

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


def parse(header: str | None, size: int) -> list[ByteRange] | None:
    """The satisfiable ranges of a Range header, or None to send the whole representation.

    Malformed headers and other units are ignored (the whole body is sent, as RFC 9110 allows);
    a well-formed header none of whose ranges can be satisfied raises ``Unsatisfiable``.
    """
    if header is None:
        return None
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not specs.strip():
        return None
    ranges: list[ByteRange] = []
    parts = specs.split(",")
    if len(parts) > MAX_RANGES:
        return None
    for part in parts:
        match = _SPEC.match(part)
        if match is None:
            return None
        first, last = match.group(1), match.group(2)
        if first == "" and last == "":
            return None
        if first == "":
            suffix = int(last)
            if suffix == 0:
                continue
            ranges.append(ByteRange(max(0, size - suffix), size))
            continue
        start = int(first)
        if last != "" and int(last) < start:
            return None
        if start >= size:
            continue
        end = size if last == "" else min(int(last) + 1, size)
        ranges.append(ByteRange(start, end))
    if not ranges:
        raise Unsatisfiable
    return _coalesce(ranges)


def _coalesce(ranges: list[ByteRange]) -> list[ByteRange]:
    """Merge overlapping or adjacent ranges, so a client cannot make us send bytes twice."""
    ordered = sorted(ranges, key=lambda r: r.start)
    merged = [ordered[0]]
    for r in ordered[1:]:
        last = merged[-1]
        if r.start <= last.end:
            merged[-1] = ByteRange(last.start, max(last.end, r.end))
        else:
            merged.append(r)
    return merged
