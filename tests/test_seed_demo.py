from django.core.management import call_command

from tracker.models import CheckIn, Counselor, Participant, Program, Urge, WeeklyReflection

MODELS = (Program, Counselor, Participant, CheckIn, Urge, WeeklyReflection)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_loader_runs_twice_without_duplicating_anything(db, capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first["Participant"] == 3 and first["Counselor"] == 1
    assert first["CheckIn"] > 3 * 45  # most of 60 days
    assert "password: steady-demo" in capsys.readouterr().out


def test_the_demo_tells_the_story_the_readme_promises(db):
    call_command("seed_demo")
    sam = Participant.objects.get(user__username="sam")
    setbacks = Urge.objects.filter(participant=sam, outcome=Urge.Outcome.USED)
    assert setbacks.count() == 1
    for participant in Participant.objects.all():
        urges = list(Urge.objects.filter(participant=participant).order_by("occurred_at"))
        checkins = list(CheckIn.objects.filter(participant=participant).order_by("date"))
        early, late = urges[: len(urges) // 3], urges[-len(urges) // 3:]
        # Urges fade: weaker and shorter at the end than at the start.
        assert sum(u.intensity for u in late) / len(late) < sum(u.intensity for u in early) / len(early)
        assert sum(u.duration_min for u in late) / len(late) < sum(u.duration_min for u in early) / len(early)
        # Sleep improves.
        first, last = checkins[:15], checkins[-15:]
        assert sum(c.sleep_efficiency for c in last) > sum(c.sleep_efficiency for c in first)
        assert any(c.small_win for c in checkins)
