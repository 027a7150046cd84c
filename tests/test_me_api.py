def test_you_can_read_your_profile(api, alice):
    body = api.get("/api/v1/me/").json()
    assert body == {"username": "alice", "program": "Riverside IOP", "time_zone": "America/New_York",
                    "level_of_care": "iop"}


def test_you_can_change_your_time_zone(api, alice):
    response = api.patch("/api/v1/me/", {"time_zone": "America/Los_Angeles"}, format="json")
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.time_zone == "America/Los_Angeles"


def test_a_time_zone_that_does_not_exist_is_a_400_and_nothing_changes(api, alice):
    response = api.patch("/api/v1/me/", {"time_zone": "Mars/Olympus_Mons"}, format="json")
    assert response.status_code == 400
    assert "not a time zone we know" in response.json()["time_zone"][0]
    alice.refresh_from_db()
    assert alice.time_zone == "America/New_York"


def test_the_level_of_care_is_not_yours_to_change(api, alice):
    api.patch("/api/v1/me/", {"level_of_care": "op"}, format="json")
    alice.refresh_from_db()
    assert alice.level_of_care == "iop"
