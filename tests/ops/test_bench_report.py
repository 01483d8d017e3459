"""The bench's report (issue 15): every case as a share of the stock ceiling, and the
targets table the README carries, from results as wrk would give them."""

from bench.run import (
    OUR_CEILING,
    STOCK_CEILING,
    Result,
    markdown_table,
    selected,
    set_shares,
    targets_table,
)


def result(name: str, rps: float, p99_ms: float = 5.0, errors: int = 0, conns: int = 8) -> Result:
    return Result(name, rps, p50_ms=1.0, p99_ms=p99_ms, errors=errors, connections=conns)


def test_every_case_is_a_share_of_the_stock_ceiling_and_of_ours():
    results = [
        result(STOCK_CEILING, 4000),
        result(OUR_CEILING, 3800),
        result("guest order detail", 1900),
        result("staff list, page 1 of 50 (c=1)", 300, p99_ms=12.0, conns=1),
        result("basket -> checkout, 64 buyers (flows/s)", 150, conns=64),
    ]

    set_shares(results)

    assert [r.stock_share for r in results] == [100, 95, 47.5, 7.5, None]
    assert [r.ceiling_share for r in results] == [4000 / 38, 100, 50, 300 / 38, None]
    table = markdown_table(results)
    assert "| share of stock ceiling | share of our ceiling |" in table
    assert f"| {OUR_CEILING} | 8 | 3,800 | 1.0 | 5.0 | 0 | 95 % | 100 % |" in table
    assert "| basket -> checkout, 64 buyers (flows/s) | 64 | 150 | 1.0 | 5.0 | 0 | — | — |" in table

    flow = {"duplicate_refs_seen": 0, "duplicate_refs_in_database": 0}
    targets = targets_table(results, flow, orders=10_000).splitlines()
    assert targets[:2] == ["| target | measured | met |", "|---|---:|---|"]
    assert f"| {OUR_CEILING}: ≥ 90 % of the stock ceiling | 95 % | yes |" in targets
    assert "| guest order detail: ≥ 50 % of the stock ceiling | 48 % | **no** |" in targets
    assert "| /v1/orders page: ≥ 25 % of the stock ceiling | — | not measured |" in targets
    assert (
        "| staff list, page 1 of 50 (c=1): p99 ≤ 50 ms (target at 1,000,000 orders;"
        " this run 10,000) | 12.0 ms | yes |"
    ) in targets
    assert any(
        line.startswith("| checkout at 64 buyers") and line.endswith("| yes |") for line in targets
    )


def test_a_duplicate_ref_or_an_error_fails_the_checkout_target():
    results = [result(STOCK_CEILING, 4000), result("basket -> checkout, 64 buyers (flows/s)", 99)]
    set_shares(results)

    duplicated = {"duplicate_refs_seen": 0, "duplicate_refs_in_database": 1}
    [line] = [x for x in targets_table(results, duplicated, 2000).splitlines() if "checkout" in x]
    assert line.endswith("| 99 flows/s, 0 errors, 1 duplicates | **no** |")


def test_only_picks_cases_by_part_of_their_name():
    assert selected("guest order detail", None)
    assert selected("ceiling: bare DRF view, our middleware", "CEILING")
    assert not selected("guest order detail", "ceiling")
    assert selected("basket -> checkout, 64 buyers (flows/s)", "checkout")
