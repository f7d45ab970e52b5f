"""Employees and construction progress become a dated history (``MeasureEvent``).

Every existing unit gets one event with its current employees and progress, dated on the
day it was registered (its first status event; ``status_since`` for a unit without one):
the history then says what the figures said before it existed (the current values on
every past date), and the changes recorded from now on are dated. One set-based
``INSERT … SELECT`` (no row read into Python); the indexes are built after it, from the
rows (faster than keeping them up to date row by row). Reversing drops the table.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = """
INSERT INTO enterprises_measureevent
    (enterprise_id, date, employees, construction_progress, author_id, recorded_at)
SELECT e.id, COALESCE(s.d, e.status_since), e.employees, e.construction_progress, NULL,
       CURRENT_TIMESTAMP
FROM enterprises_enterprise e
LEFT JOIN (SELECT enterprise_id, MIN(date) AS d FROM enterprises_statusevent
           GROUP BY enterprise_id) s ON s.enterprise_id = e.id
ORDER BY e.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0010_api_place_id_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MeasureEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                (
                    "employees",
                    models.PositiveIntegerField(
                        blank=True,
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(1000000)],
                        verbose_name="employees",
                    ),
                ),
                (
                    "construction_progress",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="construction progress (%)",
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "enterprise",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="measure_events",
                        to="enterprises.enterprise",
                    ),
                ),
            ],
            options={
                "verbose_name": "employees or progress event",
                "verbose_name_plural": "employees and progress events",
                "ordering": ["date", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("construction_progress__lte", 100)),
                        name="measure_progress_lte_100",
                    )
                ],
            },
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="measureevent",
            index=models.Index(fields=["enterprise", "date", "id"], name="mev_ent_date"),
        ),
        migrations.AddIndex(
            model_name="measureevent",
            index=models.Index(fields=["date"], name="mev_date"),
        ),
        migrations.AddIndex(
            model_name="measureevent",
            index=models.Index(
                condition=models.Q(("construction_progress__gte", 60)),
                fields=["date"],
                name="mev_progress_date",
            ),
        ),
    ]
