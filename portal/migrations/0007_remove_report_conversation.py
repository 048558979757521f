from django.db import migrations


class Migration(migrations.Migration):
    """Staff read the copy made when a report was made (ReportedMessage), never the live thread."""

    dependencies = [("portal", "0006_safeguarding_backfill")]

    operations = [migrations.RemoveField(model_name="report", name="conversation")]
