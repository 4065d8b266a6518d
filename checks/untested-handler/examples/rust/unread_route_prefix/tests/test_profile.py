import requests


def test_tokens_are_listed(url, session):
    resp = session.get(f"{url}/@gw/api/profile/tokens")
    assert resp.status_code == 200


def test_status_answers(url, session):
    resp = session.get(f"{url}/@gw/api/status")
    assert resp.status_code == 200
