"""Jobs, size bands and semi-finished projects are now counted from the dated history of
employees and construction progress (``enterprises.MeasureEvent``): the shipped definitions
that said "current value, no history" are replaced by the new ones, where an administrator
has not reworded them (``load_indicators`` never overwrites a definition)."""

from django.db import migrations

CHANGED = {
    "jobs": (
        (
            "جمع کارکنان واحدهای فعال، نیمه‌فعال و راکد در تاریخ گزارش. شمار کارکنان "
            "مقدار کنونی هر واحد است و تاریخچه ندارد.",
            "جمع کارکنان واحدهای فعال، نیمه‌فعال و راکد در تاریخ گزارش، هر واحد "
            "با شمار کارکنانی که برای آن روز ثبت شده است.",
        ),
        (
            "Employees of the active, semi-active and idle units on the report date. A unit’s "
            "headcount is its current one; it has no history.",
            "Employees of the active, semi-active and idle units on the report date, each unit "
            "with the headcount recorded for that day.",
        ),
    ),
    "units-sme": (
        (
            "واحدهای در حال بهره‌برداری با کمتر از ۱۰۰ نفر کارکن. اندازه از شمار "
            "کنونی کارکنان به دست می‌آید و تاریخچه ندارد.",
            "واحدهای در حال بهره‌برداری با کمتر از ۱۰۰ نفر کارکن در تاریخ گزارش. "
            "اندازه از شمار کارکنانی به دست می‌آید که برای آن روز ثبت شده است.",
        ),
        (
            "Operating units with fewer than 100 employees. The size comes from the current "
            "headcount, which has no history.",
            "Operating units with fewer than 100 employees on the report date (the headcount "
            "recorded for that day).",
        ),
    ),
    "semi-finished": (
        (
            "واحدهایی که در تاریخ گزارش «در حال ساخت» بوده‌اند و پیشرفت فیزیکی "
            "کنونی‌شان ۶۰ درصد یا بیشتر است.",
            "واحدهایی که در تاریخ گزارش «در حال ساخت» بوده‌اند، پیشرفت فیزیکی‌شان "
            "در آن روز ۶۰ درصد یا بیشتر بوده و در ۶ ماه پیش از آن پیشرفتی برایشان ثبت "
            "نشده است.",
        ),
        (
            "Units under construction on the report date whose current physical progress is "
            "60 per cent or more.",
            "Units under construction on the report date whose physical progress that day was "
            "60 per cent or more, with no progress recorded in the 6 months before it.",
        ),
    ),
    "clinic-candidates": (
        (
            "واحدهایی که در تاریخ گزارش «راکد» یا «نیمه\u200cفعال» بوده\u200cاند، و طرح\u200cهای نیمه\u200cتمام (در آن روز «در حال ساخت» با پیشرفت فیزیکی کنونی ۶۰ درصد یا بیشتر)، در استان و شهرکی که آن روز در آن بوده\u200cاند.",
            "واحدهایی که در تاریخ گزارش «راکد» یا «نیمه\u200cفعال» بوده\u200cاند، و طرح\u200cهای نیمه\u200cتمام (در آن روز «در حال ساخت» با پیشرفت فیزیکی ۶۰ درصد یا بیشتر و بی پیشرفتِ ثبت\u200cشده در ۶ ماه پیش از آن)، در استان و شهرکی که آن روز در آن بوده\u200cاند.",
        ),
        (
            "Units that were idle or semi-active on the report date, and semi-finished projects (under construction that day, with a current physical progress of 60 per cent or more), in the province and park they were in that day.",
            "Units that were idle or semi-active on the report date, and semi-finished projects (under construction that day, with a physical progress of 60 per cent or more that day and none recorded in the 6 months before), in the province and park they were in that day.",
        ),
    ),
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("indicators", "Indicator")
    for key, ((fa_old, fa_new), (en_old, en_new)) in CHANGED.items():
        Indicator.objects.filter(key=key, definition=fa_old).update(definition=fa_new)
        Indicator.objects.filter(key=key, definition_en=en_old).update(definition_en=en_new)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0007_casefact_by_day")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
