import zoneinfo

from django.db import migrations


def open_episodes(apps, schema_editor):
    Participant = apps.get_model("tracker", "Participant")
    Episode = apps.get_model("tracker", "Episode")
    LevelChange = apps.get_model("tracker", "LevelChange")
    for participant in Participant.objects.all().iterator():
        admitted = participant.created_at.astimezone(zoneinfo.ZoneInfo(participant.time_zone)).date()
        counselor = participant.care_team.order_by("pk").first()
        episode = Episode.objects.create(participant=participant, program_id=participant.program_id,
                                         admitted_on=admitted, level_of_care=participant.level_of_care,
                                         counselor=counselor)
        LevelChange.objects.create(episode=episode, level_of_care=participant.level_of_care, changed_on=admitted)


class Migration(migrations.Migration):
    """Everyone already here gets one open episode: admitted on the day they joined (in their own
    zone), at the level of care they had, with the first counselor of their care team."""

    dependencies = [("tracker", "0013_episodes_aftercare")]

    operations = [migrations.RunPython(open_episodes, migrations.RunPython.noop)]
