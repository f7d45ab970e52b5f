"""The months without recorded progress that make a project semi-finished are a setting of
the "semi-finished" indicator: stated with its definition, set in the back office (1 to 60,
in Persian or Latin digits), and every figure follows a new number once the facts are
rebuilt (which saving it starts)."""

from __future__ import annotations

import importlib

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from clinics.figures import candidates
from enterprises import services
from enterprises.models import Status, stalled_months
from indicators import facts
from indicators.catalogue import load_indicators
from indicators.forms import IndicatorAdminForm
from indicators.models import Indicator
from indicators.sources import Place
from tests.factories import make_enterprise, reload
from tests.indicators.test_facts import J, rebuilt, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(reference) -> dict[str, Indicator]:
    load_indicators()
    return {i.key: i for i in Indicator.objects.select_related("numerator", "denominator")}


def _admin_save(user, indicator: Indicator, changed: dict) -> None:  # type: ignore[no-untyped-def]
    for name, new in changed.items():
        setattr(indicator, name, new)
    request = RequestFactory().post("/admin/")
    request.user = user
    admin.site._registry[Indicator].save_model(request, indicator, None, True)


def test_the_shipped_indicator_has_six_months_and_states_them_with_its_definition(
    shipped,
) -> None:
    semi = shipped["semi-finished"]

    assert semi.stalled_months == 6
    assert stalled_months() == 6
    with translation.override("fa"):
        assert "در ۶ ماه پیش از آن" in semi.display_definition
        assert "در ۶ ماه پیش از آن" in shipped["clinic-candidates"].display_definition
    with translation.override("en"):
        assert "in the 6 months before it" in semi.display_definition
    assert "{months}" not in semi.stated_definition


def test_a_new_number_of_months_rebuilds_the_facts_and_every_figure_follows_it(
    reference, shipped, national_admin, django_capture_on_commit_callbacks
) -> None:
    qom = Place("p", reference.qom.pk)
    unit = make_enterprise(
        province=reference.qom,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1401/01/01"),
        construction_progress=30,
    )
    services.enterprise_record_measures(
        actor=None, enterprise=reload(unit), date=J("1402/01/10"), construction_progress=70
    )
    rebuilt()
    assert value(shipped, "semi-finished", "1402/04/10", qom) == 0  # 6 months: from 1402/07/10
    tasks = DBTaskResult.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        _admin_save(
            national_admin, Indicator.objects.get(key="semi-finished"), {"stalled_months": 3}
        )

    queued = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert DBTaskResult.objects.count() == tasks + 1
    assert queued.task_path == "indicators.tasks.rebuild_facts_task"
    assert stalled_months() == 3
    assert rebuilt() == facts.python_facts()
    assert value(shipped, "semi-finished", "1402/04/09", qom) == 0
    assert value(shipped, "semi-finished", "1402/04/10", qom) == 1
    assert unit.pk in set(candidates(J("1402/04/10")).values_list("pk", flat=True))
    assert unit.pk not in set(candidates(J("1402/04/09")).values_list("pk", flat=True))
    with translation.override("fa"):
        assert "در ۳ ماه پیش از آن" in Indicator.objects.get(key="semi-finished").display_definition


def test_another_edit_of_the_indicator_starts_no_rebuild(
    shipped, national_admin, django_capture_on_commit_callbacks
) -> None:
    tasks = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        _admin_save(national_admin, Indicator.objects.get(key="semi-finished"), {"position": 7})

    assert DBTaskResult.objects.count() == tasks


def _form(indicator: Indicator, months: str) -> IndicatorAdminForm:
    data = {k: v for k, v in model_to_dict(indicator).items() if v is not None}
    data["stalled_months"] = months
    return IndicatorAdminForm(data=data, instance=indicator)


def test_the_back_office_takes_the_months_in_persian_digits_from_1_to_60(shipped) -> None:
    semi = shipped["semi-finished"]
    with translation.override("fa"):
        typed = _form(semi, "۱۲")
        assert typed.is_valid(), typed.errors
        assert typed.cleaned_data["stalled_months"] == 12
        months = "تعداد ماه‌ها را از ۱ تا ۶۰ بنویسید."
        digits = "عددی درست با رقم فارسی یا لاتین بنویسید؛ برای نمونه ۲۲."
        for wrong, message in (("0", months), ("۶۱", months), ("", months), ("شش", digits)):
            form = _form(semi, wrong)
            assert not form.is_valid()
            assert form.errors["stalled_months"] == [message], wrong
        other = _form(shipped["units-active"], "3")
        assert not other.is_valid()
        assert other.errors["stalled_months"] == ["تنها شاخص «طرح‌های نیمه‌تمام» شمار ماه دارد."]
    assert Indicator.objects.get(key="semi-finished").stalled_months == 6  # nothing saved


def test_the_migration_keeps_six_months_and_states_them_where_the_definition_said_six(
    shipped,
) -> None:
    migration = importlib.import_module("indicators.migrations.0009_semi_finished_stalled_months")
    persian, english = migration.SHIPPED["semi-finished"]
    Indicator.objects.filter(key="semi-finished").update(
        stalled_months=None, definition=persian, definition_en=english
    )
    Indicator.objects.filter(key="clinic-candidates").update(definition="تعریف بازنوشته")
    from django.apps import apps

    migration.forward(apps, None)

    semi = Indicator.objects.get(key="semi-finished")
    assert semi.stalled_months == 6
    assert "{months} ماه" in semi.definition and "{months} months" in semi.definition_en
    assert Indicator.objects.get(key="clinic-candidates").definition == "تعریف بازنوشته"
