"""The front door's shortcuts give what Starlette's own helpers give."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import MutableHeaders

from patientsky.sandbox._asgi import query_params
from patientsky.sandbox._headers import secure, set_header

names = st.sampled_from(
    [b"x-request-id", b"x-content-type-options", b"cache-control", b"etag", b"content-type"]
)
values = st.binary(max_size=6)
raw_lists = st.lists(st.tuples(names, values), max_size=6)


@given(raw=raw_lists, name=names, value=st.text("abc-\u00e5", max_size=6))
def test_setting_a_raw_header_is_what_mutable_headers_do(
    raw: list[tuple[bytes, bytes]], name: bytes, value: str
) -> None:
    expected = list(raw)
    MutableHeaders(raw=expected)[name.decode("latin-1")] = value
    set_header(raw, name, value.encode("latin-1"))
    assert raw == expected


@given(raw=raw_lists, cacheable=st.booleans())
def test_the_security_headers_are_added_as_mutable_headers_add_them(
    raw: list[tuple[bytes, bytes]], cacheable: bool
) -> None:
    expected = list(raw)
    headers = MutableHeaders(raw=expected)
    headers["X-Content-Type-Options"] = "nosniff"
    if not cacheable:
        headers.setdefault("Cache-Control", "no-store")
    secure(raw, cacheable)
    assert raw == expected


@given(query=st.text("ab=&%+;2\u00e5", max_size=12).map(lambda t: t.encode("utf-8")))
def test_a_query_is_read_as_starlette_reads_it_each_time(query: bytes) -> None:
    expected = dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    first = query_params({"query_string": query})
    first["changed"] = "by a caller"  # a copy: the next reader gets its own
    assert query_params({"query_string": query}) == expected
