"""The number of months without recorded progress that make a project semi-finished
becomes a setting of the "semi-finished" indicator (``Indicator.stalled_months``), kept at
the 6 it was; the shipped definitions that state it say ``{months}`` instead of 6 (shown
with the number set), where an administrator has not reworded them."""

import django.core.validators
from django.db import migrations, models


SIX = ("۶ ماه", "6 months")
PLACEHOLDER = ("{months} ماه", "{months} months")
# The texts ``0008_dated_measures_definitions`` wrote.
SHIPPED = {
    "semi-finished": (
        "واحدهایی که در تاریخ گزارش «در حال ساخت» بوده‌اند، پیشرفت فیزیکی‌شان "
        "در آن روز ۶۰ درصد یا بیشتر بوده و در ۶ ماه پیش از آن پیشرفتی برایشان ثبت "
        "نشده است.",
        "Units under construction on the report date whose physical progress that day was "
        "60 per cent or more, with no progress recorded in the 6 months before it.",
    ),
    "clinic-candidates": (
        "واحدهایی که در تاریخ گزارش «راکد» یا «نیمه\u200cفعال» بوده\u200cاند، و طرح\u200cهای "
        "نیمه\u200cتمام (در آن روز «در حال ساخت» با پیشرفت فیزیکی ۶۰ درصد یا بیشتر و بی "
        "پیشرفتِ ثبت\u200cشده در ۶ ماه پیش از آن)، در استان و شهرکی که آن روز در آن "
        "بوده\u200cاند.",
        "Units that were idle or semi-active on the report date, and semi-finished projects "
        "(under construction that day, with a physical progress of 60 per cent or more that "
        "day and none recorded in the 6 months before), in the province and park they were "
        "in that day.",
    ),
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(key="semi-finished").update(stalled_months=6)
    for key, (persian, english) in SHIPPED.items():
        Indicator.objects.filter(key=key, definition=persian).update(
            definition=persian.replace(SIX[0], PLACEHOLDER[0])
        )
        Indicator.objects.filter(key=key, definition_en=english).update(
            definition_en=english.replace(SIX[1], PLACEHOLDER[1])
        )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("indicators", "Indicator")
    for key, (persian, english) in SHIPPED.items():
        Indicator.objects.filter(
            key=key, definition=persian.replace(SIX[0], PLACEHOLDER[0])
        ).update(definition=persian)
        Indicator.objects.filter(
            key=key, definition_en=english.replace(SIX[1], PLACEHOLDER[1])
        ).update(definition_en=english)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_dated_measures_definitions"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="stalled_months",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Semi-finished projects only: a project under construction at 60 per cent or more is semi-finished once no progress has been recorded for this many months (1 to 60). Write {months} in the definitions where the number should be stated. Saving a new number rebuilds the figures.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(60),
                ],
                verbose_name="months without recorded progress",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
