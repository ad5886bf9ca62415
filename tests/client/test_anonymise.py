"""Placeholders for recorded answers: stable, of the same kind, and never the original."""

from __future__ import annotations

from runner.client.anonymise import Anonymiser

RUN = "5f1c0c3e6c7a4b0d9e8f7a6b5c4d3e2f"


def test_same_original_same_placeholder_and_same_kind() -> None:
    anon = Anonymiser()
    data = {"id": RUN, "owner_id": 1002, "users": [1002, 1003], "email": "jane@acme.example",
            "name": "Acme onboarding", "runs": [{"id": RUN, "status": "active"}]}
    anon.learn(data)
    out = anon.scrub(data)
    assert out["id"] == out["runs"][0]["id"] != RUN
    assert len(out["id"]) == 32 and int(out["id"], 16) >= 0
    assert out["owner_id"] == out["users"][0] != 1002 and isinstance(out["owner_id"], int)
    assert out["email"].endswith("@example.invalid")
    assert "Acme" not in str(out)
    assert out["runs"][0]["status"] == "active"  # facts that are not identities stay


def test_ids_in_paths_but_names_only_in_text() -> None:
    anon = Anonymiser(secrets=["tok-123456"])
    anon.learn({"id": RUN, "title": "runs", "user_id": 77})
    path = anon.text(f"/organizations/{RUN}/runs/77", ids_only=True)
    assert RUN not in path and path.endswith("/runs/900001")
    assert anon.text("Bearer tok-123456 for runs") == "Bearer *** for title-1"


def test_keys_that_are_ids_are_replaced() -> None:
    anon = Anonymiser()
    data = {"prerun": {RUN: "Globex"}}
    anon.learn(data)
    assert "Globex" not in str(anon.scrub(data))
    assert RUN not in str(anon.scrub(data))
