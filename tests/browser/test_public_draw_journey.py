"""Priya, a council officer, runs a public draw for the citizens' panel: she asks for a lottery of
100 numbered panels, downloads the file to publish (volunteers only as numbers) with its SHA-256
digest, types in the ticket drawn at the public event, and finds digest, ticket and chosen panel
on the audit page, where anyone holding the file can check them with `python -m app panel-verify`."""

import hashlib
import json
import re

import pytest

from app import panel_verify_cli

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.browser
def test_priya_runs_a_public_draw(journey, live_server, tmp_path, capsys):
    priya = journey("public-draw", viewport="desktop")
    priya.sign_in("officer@riverside.example")
    priya.goto("/officer/panels")
    priya.follow("Riverside Citizens' Panel")
    priya.fill("What the panel is for", "Public draw: home care review")
    priya.fill("Panel size", "40")
    priya.fill("Seed (optional)", "20261206")
    priya.fill(re.compile("Public lottery: number of tickets"), "100")
    # The draw runs in the request here (QUEUE_IMMEDIATE): LEXIMIN and the rounding take
    # several seconds on a busy machine, so allow for that on this one step.
    priya.page.set_default_timeout(180_000)
    priya.press("Draw the panel")
    priya.page.set_default_timeout(15_000)
    priya.page.get_by_role("heading", name="Public lottery").wait_for()
    assert priya.heading() == "Draw: Public draw: home care review"
    assert "Fallback method used" not in priya.text() and "leximin" in priya.text()
    digest = priya.page.locator("code.digest").first.inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    priya.shot("1-published")

    with priya.page.expect_download() as download:
        priya.page.get_by_role("link", name="Download the file to publish").click()
    published = tmp_path / "lottery.txt"
    download.value.save_as(published)
    assert hashlib.sha256(published.read_bytes()).hexdigest() == digest
    assert "Riverside" not in published.read_text()

    priya.fill("Winning ticket", "101")
    priya.press("Seat the winning ticket's panel")
    assert "from 1 to 100" in priya.text()
    priya.fill("Winning ticket", "42")
    priya.press("Seat the winning ticket's panel")
    assert "42 (typed in)" in priya.text()
    assert priya.page.get_by_role("button", name=re.compile("Declined: replace")).count() == 40
    priya.shot("2-seated")

    priya.follow("Audit record")
    audit = priya.text()
    assert panel_verify_cli.main(["--published", str(published), "--ticket", "42", "--digest", digest]) == 0
    verified = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert digest in audit and "42 (typed in)" in audit
    assert ", ".join(map(str, verified["panel"])) in audit
    priya.shot("3-audit")
    priya.assert_all_checked()
