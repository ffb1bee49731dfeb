"""Pages, the result source protocol and QueryResult over a fake source (offline)."""
from __future__ import annotations

import pytest

from ftrack_orm.query import Query, parse
from ftrack_orm.results import ClientSource, Page, QueryResult
from ftrack_orm.schema import SchemaRegistry
from tests.support.data import schemas_json

SCHEMAS = SchemaRegistry.from_json(schemas_json())


class FakeSource:
    """A ResultSource serving ``rows`` strings; records the expressions and groups."""

    def __init__(self, count, server_page=None):
        self.rows = [f"row{n}" for n in range(count)]
        self.server_page = server_page  # the server caps pages at this many rows
        self.sent = []
        self.groups = []

    @property
    def schemas(self):
        return SCHEMAS

    def result_group(self):
        group = Group()
        self.groups.append(group)
        return group

    def call(self, batch, hook=None):
        [operation] = batch
        assert hook == self.groups[-1].merge
        expression = operation["expression"]
        self.sent.append(expression)
        query = parse(expression)
        size = min(query.limit, self.server_page or query.limit)
        rows = self.rows[query.offset:query.offset + size]
        following = query.offset + len(rows)
        return [{"data": rows, "metadata": {"next": {"offset": following if following < len(self.rows) else None}}}]


class Group:
    def merge(self, payload):
        return payload


def test_page_is_an_immutable_sequence_with_metadata():
    page = Page.from_answer({"data": ["a", "b"], "metadata": {"next": {"offset": 2}}})
    assert len(page) == 2 and list(page) == ["a", "b"] and page[1] == "b" and "a" in page
    assert page.next_offset == 2
    assert Page.from_answer({"data": [], "metadata": {"next": {"offset": None}}}).next_offset is None
    assert Page.from_answer({}).next_offset is None and not Page.from_answer({})
    with pytest.raises(AttributeError, match="immutable"):
        page.rows = ()
    assert page.with_rows(["c"]) == Page(["c"], page.metadata)


def test_pages_carry_metadata_and_the_result_keeps_nothing():
    source = FakeSource(7)
    result = QueryResult(source, Query("Task"), page_size=3)
    before = [getattr(result, name) for name in type(result).__slots__]
    pages = list(result.pages())
    assert [list(page) for page in pages] == [["row0", "row1", "row2"], ["row3", "row4", "row5"], ["row6"]]
    assert [page.next_offset for page in pages] == [3, 6, None]
    assert len(source.groups) == 3  # streaming: a group per page, so finished pages can be freed
    assert result.all() == [f"row{n}" for n in range(7)] and len(source.groups) == 4  # all(): one group
    assert [getattr(result, name) for name in type(result).__slots__] == before
    assert not hasattr(result, "metadata")


def test_server_word_wins_over_the_page_size():
    source = FakeSource(5, server_page=2)
    assert QueryResult(source, Query("Task"), page_size=4).all() == [f"row{n}" for n in range(5)]
    assert [parse(text).offset for text in source.sent] == [0, 2, 4]


def test_result_cannot_be_changed_or_deleted():
    result = QueryResult(FakeSource(1), Query("Task"))
    with pytest.raises(AttributeError, match="immutable"):
        result._ast = Query("Shot")
    with pytest.raises(AttributeError, match="immutable"):
        del result._ast
    assert result.entity_type == "Task"


def test_building_uses_the_source_schemas_without_fetching():
    source = FakeSource(3)
    result = QueryResult(source, Query("Task")).where(name="x").order_by("name desc").limit(2)
    assert str(result) == 'Task where name is "x" order by name desc limit 2'
    assert source.sent == [] and source.groups == []


def test_client_source_sends_one_query_into_the_group():
    class Client:
        def __init__(self):
            self.calls = []

        def call(self, batch, hook=None):
            self.calls.append((batch, hook))
            return [{"data": [hook({"id": "t1"})], "metadata": {"next": {"offset": None}}}]

    class Group:
        def merge(self, payload):
            return ("merged", payload["id"])

    client, group = Client(), Group()
    loaded = []
    source = ClientSource(client, lambda: loaded.append(1) or SCHEMAS, Group)
    assert loaded == []  # schemas are asked for lazily
    assert source.schemas is SCHEMAS and loaded == [1]
    assert isinstance(source.result_group(), Group)
    batch = [{"action": "query", "expression": "select id from Task offset 0 limit 1"}]
    page = Page.from_answer(source.call(batch, group.merge)[0])
    assert list(page) == [("merged", "t1")] and page.next_offset is None
    assert client.calls[0][0] == batch
