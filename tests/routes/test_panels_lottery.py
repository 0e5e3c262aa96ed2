"""The officer's public draw through the pages: ask for tickets, download the file to publish,
type in the winning ticket, and find digest, ticket and chosen panel on the audit page."""

import hashlib
import json
import re

import pytest
from sqlalchemy import select

from app import panel_verify_cli
from app.models.panel import PanelDrawRecord
from app.models.user import Role
from app.services.panels import draws as panels_draws
from tests import factories
from tests.helpers import page, text_of
from tests.services.test_panels import panel_with_pool


@pytest.fixture
def officer(db, client):
    account = factories.user(db, Role.OFFICER)
    db.flush()
    client.sign_in(account.email, factories.PASSWORD)
    return account


def test_a_public_draw_is_published_then_seated_from_the_typed_ticket(client, db, officer, tmp_path, capsys):
    panel = panel_with_pool(db)
    response = client.submit(f"/officer/panels/{panel.id}/draws",
                             {"purpose": "Public draw", "size": "10", "seed": "5", "tickets": "30"})
    assert response.status_code == 303
    draw_url = response.headers["location"]
    draw_page = client.get(draw_url)
    assert "Public lottery" in text_of(draw_page) and "Declined: replace" not in draw_page.text
    published = client.get(f"{draw_url}/lottery.txt")
    assert published.status_code == 200 and "attachment" in published.headers["content-disposition"]
    digest = hashlib.sha256(published.content).hexdigest()
    assert digest in text_of(draw_page)

    refused = client.submit(f"{draw_url}/ticket", {"ticket": "31"})
    assert refused.status_code == 422 and "from 1 to 30" in text_of(refused)
    assert page(refused).find("input", {"name": "ticket"})["value"] == "31"
    assert client.submit(f"{draw_url}/ticket", {"ticket": "12"}).status_code == 303
    seated = client.get(draw_url)
    assert "Declined: replace" in seated.text and "12 (typed in)" in text_of(seated)

    audit = text_of(client.get(f"{draw_url}/audit"))
    file = tmp_path / "lottery.txt"
    file.write_bytes(published.content)
    assert panel_verify_cli.main(["--published", str(file), "--ticket", "12", "--digest", digest]) == 0
    verified = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert verified["digest_ok"] is True
    assert digest in audit and "12 (typed in)" in audit and "Largest change from the fairest lottery" in audit
    assert ", ".join(map(str, verified["panel"])) in audit
    record_id = db.scalar(select(PanelDrawRecord.id).where(PanelDrawRecord.panel_id == panel.id))
    db.expire_all()
    record = panels_draws.get_draw(db, panel.id, record_id, with_members=True)
    assert sorted(m.pool_ref for m in record.members) == sorted(
        record.details["public_lottery"]["key"][str(n)] for n in verified["panel"])


def test_the_ticket_from_a_published_seed_and_a_bad_number_of_tickets(client, db, officer):
    panel = panel_with_pool(db)
    bad = client.submit(f"/officer/panels/{panel.id}/draws",
                        {"purpose": "Public draw", "size": "10", "tickets": "many"})
    assert bad.status_code == 422 and "number of tickets" in text_of(bad)
    draw_url = client.submit(f"/officer/panels/{panel.id}/draws",
                             {"purpose": "Public draw", "size": "10", "tickets": "40"}).headers["location"]
    assert client.submit(f"{draw_url}/ticket", {"seed_text": "Lotto 6 Dec: 3 9 21"}).status_code == 303
    expected = int(hashlib.sha256(b"Lotto 6 Dec: 3 9 21").hexdigest(), 16) % 40 + 1
    assert re.search(rf"\b{expected} \(seed ", text_of(client.get(draw_url)))
