"""Load shedding answers 503 + Retry-After past the limit; the input guard refuses NUL and floods."""

import asyncio

import httpx

from app.input_guard import InputGuard
from app.load_shedding import LoadShedding


def run_async(coroutine_function, *args):
    """A fresh event loop in its own thread: a browser test may hold this thread's loop."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_function(*args))).result()


async def _slow_app(scope, receive, send):
    await asyncio.sleep(0.3)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _echo_app(scope, receive, send):
    message = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": message.get("body", b"")})


def test_requests_past_the_limit_get_503_with_retry_after():
    async def run():
        transport = httpx.ASGITransport(app=LoadShedding(_slow_app, max_in_flight=3))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            responses = await asyncio.gather(*[client.get("/") for _ in range(6)])
            health = await client.get("/healthz")
        return responses, health

    responses, health = run_async(run)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 503, 503, 503]
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.headers["retry-after"] == "2" and "try again" in busy.text
    assert health.status_code == 200


def _post(app, body: bytes, content_type="application/x-www-form-urlencoded", path="/form"):
    async def run():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post(path, content=body, headers={"content-type": content_type})

    return run_async(run)


def test_nul_bytes_are_refused_cleanly():
    guard = InputGuard(_echo_app)
    assert _post(guard, b"answer=hello%00world").status_code == 400
    assert _post(guard, b'{"text": "a\\u0000b"}', "application/json", "/api/v1/x").status_code == 422
    ok = _post(guard, b"answer=hello+world")
    assert ok.status_code == 200 and ok.content == b"answer=hello+world"


def test_oversized_bodies_are_refused():
    guard = InputGuard(_echo_app, max_body_bytes=1000)
    assert _post(guard, b"answer=" + b"x" * 5000).status_code == 413


def test_ids_no_row_can_have_are_404_not_overflow():
    guard = InputGuard(_echo_app)

    async def run(path):
        transport = httpx.ASGITransport(app=guard)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get(path)

    assert run_async(run, "/consultations/9223372036854775808").status_code == 404
    assert run_async(run, "/api/v1/petitions/2147483648").json()["detail"].startswith("Page not found")
    assert run_async(run, "/consultations/2147483647").status_code == 200
