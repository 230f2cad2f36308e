"""`loads_in_pieces` gives what `json.loads` gives, and refuses what it refuses (tui/common/json_pieces.py)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.common import json_pieces
from tui.common.json_pieces import loads_in_pieces

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=5)),
                      max_leaves=30)
spaces = st.sampled_from(["", " ", "\n", "\t ", " \r\n "])


def same(text):
    """Both decoders' outcome: the value, or the refusal's type and position."""
    outcomes = []
    for loads in (json.loads, loads_in_pieces):
        try:
            outcomes.append(("value", loads(text)))
        except json.JSONDecodeError as error:
            outcomes.append(("refused", error.pos))
        except (ValueError, RecursionError) as error:
            outcomes.append(("refused", type(error).__name__))
    return outcomes


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from([None, 0, 2]), spaces)
def test_any_document_decodes_to_what_json_loads_gives(value, indent, space):
    text = space + json.dumps(value, indent=indent) + space
    assert loads_in_pieces(text) == json.loads(text)
    assert loads_in_pieces(text.encode()) == json.loads(text.encode())


@settings(max_examples=400, deadline=None)
@given(values, st.data())
def test_a_damaged_document_is_refused_where_json_loads_refuses_it(value, data):
    """Cut short, a character dropped or one put in: refused by both at the same place, or read the same."""
    text = json.dumps(value)
    at = data.draw(st.integers(0, len(text)))
    damage = data.draw(st.sampled_from(["cut", "drop", "insert"]))
    if damage == "cut":
        text = text[:at]
    elif damage == "drop":
        text = text[:at] + text[at + 1:]
    else:
        text = text[:at] + data.draw(st.sampled_from(list(',:[]{}" 0a\\'))) + text[at:]
    ours, theirs = same(text)[1], same(text)[0]
    assert ours == theirs


@pytest.mark.parametrize("text", ["", " ", "[", "{", "[1,]", '{"a":1,}', '{"a" 1}', '{1: 2}', "[1 2]", "{} x",
                                  "NaN", "[Infinity, -Infinity]", '"\\ud800"', "\ufeff[]", '[1, 2] [3]', "01"])
def test_edge_cases_match_json_loads(text):
    first, second = same(text)
    if first[0] == "value" and isinstance(first[1], list) and any(isinstance(x, float) for x in first[1]):
        assert [math.isinf(x) for x in first[1]] == [math.isinf(x) for x in second[1]]
    elif first[1] != first[1]:  # NaN
        assert second[1] != second[1]
    else:
        assert first == second


def test_bytes_in_any_json_encoding_and_bad_utf8():
    document = {"events": [{"kind": "tool_completed", "text": "héllo 日本"}] * 3}
    for encoding in ("utf-8", "utf-16", "utf-32", "utf-16-le"):
        data = json.dumps(document, ensure_ascii=False).encode(encoding)
        assert loads_in_pieces(data) == json.loads(data) == document
    assert same(b'{"a": "\xff"}')[0] == same(b'{"a": "\xff"}')[1] == ("refused", "UnicodeDecodeError")


def test_a_big_answer_is_decoded_one_event_at_a_time(monkeypatch):
    """The point of decoding in pieces: no single call into the C decoder covers more than one event of a
    5000-event answer (1.7 MB), so the interpreter can switch threads between any two events. Each call's span
    of the document is recorded."""
    events = [{"ts": 1_777_000_000_000 + i, "kind": "tool_completed", "text": f"Looked up order {i}",
               "metadata": {"tool": "exec", "durationMs": 200 + i % 900, "summary": {"sessionkey": f"v-{i:06d}"}}}
              for i in range(5000)]
    data = json.dumps({"result": True, "errors": [], "events": events}).encode()
    spans = []
    decoder = json_pieces._DECODER

    class Recording:
        def scan_once(self, text, at):
            value, end = decoder.scan_once(text, at)
            spans.append(end - at)
            return value, end

    monkeypatch.setattr(json_pieces, "_DECODER", Recording())
    assert loads_in_pieces(data) == json.loads(data)
    assert len(spans) >= 5000
    assert max(spans) <= max(len(json.dumps(event)) for event in events) < len(data) / 1000
