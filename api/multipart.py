"""A pull-based ``multipart/form-data`` reader: parts are streamed, never spooled to disk.

FastAPI's ``UploadFile`` spools large bodies into a temporary file, which would leave plaintext
audio at rest; this reader hands the file part's bytes straight to the encrypting writer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from vault.errors import InvalidInput

_Event = tuple[str, object]


class Part:
    def __init__(self, reader: MultipartReader, headers: dict[str, bytes]) -> None:
        self._reader = reader
        disposition, options = parse_options_header(headers.get("content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise InvalidInput("each multipart part needs a form-data name")
        self.name = options[b"name"].decode("utf-8", "replace")
        self.content_type = headers.get("content-type", b"").decode("latin-1")
        self._finished = False

    def chunks(self) -> Iterator[bytes]:
        while not self._finished:
            kind, value = self._reader.next_event()
            if kind == "data":
                assert isinstance(value, bytes)
                yield value
            elif kind == "end":
                self._finished = True
            else:
                raise InvalidInput("the multipart body is malformed")

    def read(self, limit: int) -> bytes:
        data = bytearray()
        for chunk in self.chunks():
            data += chunk
            if len(data) > limit:
                raise InvalidInput(f"the {self.name!r} part is larger than {limit} bytes")
        return bytes(data)

    def drain(self) -> None:
        for _chunk in self.chunks():
            pass


class MultipartReader:
    def __init__(self, body: Iterator[bytes], content_type: str) -> None:
        kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise InvalidInput("send the upload as multipart/form-data with 'metadata' and 'file'")
        self._body = body
        self._events: deque[_Event] = deque()
        self._field = b""
        self._value = b""
        self._headers: dict[str, bytes] = {}
        self._done = False
        self._exhausted = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
            max_header_count=8,
        )

    # Parser callbacks: they only queue events.
    def _on_part_begin(self) -> None:
        self._headers = {}

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value
        self._field = self._value = b""

    def _on_headers_finished(self) -> None:
        self._events.append(("headers", self._headers))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            self._events.append(("data", bytes(data[start:end])))

    def _on_part_end(self) -> None:
        self._events.append(("end", None))

    def _on_end(self) -> None:
        self._done = True
        self._events.append(("done", None))

    def next_event(self) -> _Event:
        while not self._events:
            if self._exhausted:
                raise InvalidInput("the multipart body ended before its closing boundary")
            chunk = next(self._body, None)
            try:
                if chunk is None:
                    self._exhausted = True
                    self._parser.finalize()
                else:
                    self._parser.write(chunk)
            except MultipartParseError:
                raise InvalidInput("the multipart body is malformed") from None
        return self._events.popleft()

    def parts(self) -> Iterator[Part]:
        """Parts in body order; a part's data must be consumed (or is drained) before the next."""
        while True:
            kind, value = self.next_event()
            if kind == "done":
                return
            if kind != "headers":
                raise InvalidInput("the multipart body is malformed")
            assert isinstance(value, dict)
            part = Part(self, value)
            yield part
            part.drain()
