import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def create_missing_profiles(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    UserProfile = apps.get_model("core", "UserProfile")
    UserProfile.objects.bulk_create(
        [UserProfile(user_id=pk) for pk in User.objects.filter(profile=None).values_list("pk", flat=True)]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("UserPreference", "UserProfile"),
        migrations.AlterModelOptions(name="userprofile", options={"verbose_name": "user profile"}),
        migrations.AlterField(
            model_name="userprofile",
            name="user",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="profile",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="userprofile",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("ja", "Japanese")],
                default="en",
                help_text="The language of the emails you receive.",
                max_length=10,
                verbose_name="language",
            ),
        ),
        migrations.AddField(
            model_name="userprofile",
            name="daily_digest",
            field=models.BooleanField(
                default=False,
                help_text="Receive one email a day listing your reminders instead of one email per reminder.",
                verbose_name="daily digest",
            ),
        ),
        migrations.AddField(
            model_name="reminderlog",
            name="link",
            field=models.CharField(blank=True, max_length=300, verbose_name="link"),
        ),
        migrations.AddField(
            model_name="reminderlog",
            name="message",
            field=models.CharField(blank=True, max_length=300, verbose_name="message"),
        ),
        migrations.AddField(
            model_name="reminderlog",
            name="via_digest",
            field=models.BooleanField(
                default=False,
                help_text="Waits for the recipient's daily digest email.",
                verbose_name="in the daily digest",
            ),
        ),
        migrations.AddIndex(
            model_name="reminderlog",
            index=models.Index(fields=["recipient", "-created_at"], name="reminder_recipient"),
        ),
        migrations.RunPython(create_missing_profiles, migrations.RunPython.noop),
    ]
