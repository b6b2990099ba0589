import time
from concurrent.futures import ThreadPoolExecutor

DELAY_MS = 300
REQUESTS = 5


def test_reports_run_at_the_same_time(client):
    def one(_: int) -> tuple[int, float]:
        started = time.perf_counter()
        response = client.get(f"/report/{DELAY_MS}", timeout=10)
        return response.status_code, time.perf_counter() - started

    client.get("/report/1", timeout=10)  # the first request also warms the server up
    started = time.perf_counter()
    with ThreadPoolExecutor(REQUESTS) as pool:
        results = list(pool.map(one, range(REQUESTS)))
    total_ms = (time.perf_counter() - started) * 1000
    statuses = sorted({status for status, _ in results})
    assert statuses == [200], f"GET /report/{DELAY_MS} answered {statuses}: keep the route working"
    shortest = min(took for _, took in results) * 1000
    assert shortest >= DELAY_MS * 0.9, (
        f"a report came back after {shortest:.0f} ms, sooner than the {DELAY_MS} ms the work "
        "takes: keep calling build_report, and let it block somewhere else than the event loop"
    )
    assert total_ms < DELAY_MS * REQUESTS * 0.6, (
        f"{REQUESTS} reports of {DELAY_MS} ms took {total_ms:.0f} ms together: they still ran one "
        "after the other. A blocking call inside `async def` holds the event loop; hand it to a "
        "worker thread with `await run_in_threadpool(build_report, ms)`, or make the endpoint a "
        "plain `def`"
    )
