from django.db import migrations


class Migration(migrations.Migration):
    """The level of care is now the open episode's (one source of truth)."""

    dependencies = [("tracker", "0014_open_episodes")]

    operations = [migrations.RemoveField(model_name="participant", name="level_of_care")]
