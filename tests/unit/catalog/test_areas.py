"""The region hierarchy the statistics walk: parents from the table, not from code prefixes."""

from __future__ import annotations

from hub.catalog.areas import ancestors, statistics_level, subtree


def test_ancestors_follow_the_table() -> None:
    assert ancestors("340104") == ("340104", "340100", "340000")
    assert ancestors("340104001000") == ("340104001000", "340104", "340100", "340000")
    assert ancestors("429004") == ("429004", "420000")  # 仙桃: a county under its province
    assert ancestors("349999") == () and ancestors("34") == ()


def test_subtree_and_levels() -> None:
    hubei = subtree("420000")
    assert {"420000", "420100", "420102", "429004"} <= hubei
    assert "429000" not in hubei and "340100" not in hubei
    assert subtree("340104") == frozenset({"340104"})
    assert [statistics_level(code) for code in ("340000", "340100", "340104")] == [
        "province",
        "city",
        "county",
    ]
    assert statistics_level("340104001000") is None and statistics_level("349999") is None
