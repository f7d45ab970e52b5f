"""The indicators the product ships with, loaded idempotently by ``load_indicators`` (run
in ``load_reference``'s transaction: the indicators subscribe to its ``reference.loaded``). National administrators may change names, definitions, targets and
the public flag afterwards; loading again only adds what is missing (indicators,
and the English texts of those without any)."""

from __future__ import annotations

from typing import Any

from enterprises.models import SEMI_FINISHED_STALLED_MONTHS

OPERATING = ["active", "semi_active", "idle"]
SME = ["micro", "small", "medium"]
PLACES = ["province", "park"]

SHIPPED: list[dict[str, Any]] = [
    {
        "key": "units",
        "name": "واحدهای صنعتی ثبت‌شده",
        "definition": "همه‌ی واحدهای صنعتی ثبت‌شده در سامانه در تاریخ گزارش، با هر وضعیتی "
        "(در حال ساخت، فعال، نیمه‌فعال، راکد یا تعطیل)، در استان و شهرکی که آن روز در آن بوده‌اند.",
        "measure": "units",
        "filters": {},
        "breakdowns": [*PLACES, "group", "size", "status"],
        "unit": "واحد",
    },
    {
        "key": "units-active",
        "name": "واحدهای فعال",
        "definition": "واحدهایی که در تاریخ گزارش وضعیتشان «فعال» بوده است.",
        "measure": "units",
        "filters": {"status": ["active"]},
        "breakdowns": [*PLACES, "group", "size"],
        "unit": "واحد",
    },
    {
        "key": "units-idle",
        "name": "واحدهای راکد",
        "definition": "واحدهایی که در تاریخ گزارش وضعیتشان «راکد» بوده است.",
        "measure": "units",
        "filters": {"status": ["idle"]},
        "breakdowns": [*PLACES, "group", "size"],
        "unit": "واحد",
    },
    {
        "key": "units-semi-active",
        "name": "واحدهای نیمه‌فعال",
        "definition": "واحدهایی که در تاریخ گزارش وضعیتشان «نیمه‌فعال» بوده است.",
        "measure": "units",
        "filters": {"status": ["semi_active"]},
        "breakdowns": [*PLACES, "group", "size"],
        "unit": "واحد",
    },
    {
        "key": "jobs",
        "name": "اشتغال واحدهای در حال بهره‌برداری",
        "definition": "جمع کارکنان واحدهای فعال، نیمه‌فعال و راکد در تاریخ گزارش، هر واحد "
        "با شمار کارکنانی که برای آن روز ثبت شده است.",
        "measure": "jobs",
        "filters": {"status": OPERATING},
        "breakdowns": [*PLACES, "group", "size"],
        "unit": "نفر",
    },
    {
        "key": "units-sme",
        "name": "واحدهای خرد، کوچک و متوسط در حال بهره‌برداری",
        "definition": "واحدهای در حال بهره‌برداری با کمتر از ۱۰۰ نفر کارکن در تاریخ گزارش. "
        "اندازه از شمار کارکنانی به دست می‌آید که برای آن روز ثبت شده است.",
        "measure": "units",
        "filters": {"status": OPERATING, "size": SME},
        "breakdowns": PLACES,
        "unit": "واحد",
        "public": True,
    },
    {
        "key": "units-operating",
        "name": "واحدهای در حال بهره‌برداری",
        "definition": "واحدهای فعال، نیمه‌فعال و راکد در تاریخ گزارش.",
        "measure": "units",
        "filters": {"status": OPERATING},
        "breakdowns": [*PLACES, "group", "size", "status"],
        "unit": "واحد",
    },
    {
        "key": "jobs-sme",
        "name": "اشتغال واحدهای خرد، کوچک و متوسط",
        "definition": "جمع کارکنان واحدهای در حال بهره‌برداری با کمتر از ۱۰۰ نفر کارکن.",
        "measure": "jobs",
        "filters": {"status": OPERATING, "size": SME},
        "breakdowns": PLACES,
        "unit": "نفر",
    },
    {
        "key": "share-sme-units",
        "name": "سهم واحدهای خرد، کوچک و متوسط",
        "definition": "درصد واحدهای خرد، کوچک و متوسط از همه‌ی واحدهای در حال بهره‌برداری.",
        "kind": "ratio",
        "numerator": "units-sme",
        "denominator": "units-operating",
        "breakdowns": PLACES,
        "unit": "درصد",
    },
    {
        "key": "share-sme-jobs",
        "name": "سهم اشتغال واحدهای خرد، کوچک و متوسط",
        "definition": "درصد کارکنان واحدهای خرد، کوچک و متوسط از کارکنان همه‌ی واحدهای در حال "
        "بهره‌برداری.",
        "kind": "ratio",
        "numerator": "jobs-sme",
        "denominator": "jobs",
        "breakdowns": PLACES,
        "unit": "درصد",
    },
    {
        "key": "units-in-parks",
        "name": "واحدهای داخل شهرک‌ها و نواحی صنعتی",
        "definition": "واحدهای در حال بهره‌برداری که در تاریخ گزارش در یک شهرک یا ناحیه‌ی صنعتی "
        "بوده‌اند.",
        "measure": "units",
        "filters": {"status": OPERATING, "in_park": True},
        "breakdowns": PLACES,
        "unit": "واحد",
    },
    {
        "key": "units-outside-parks",
        "name": "واحدهای بیرون از شهرک‌ها",
        "definition": "واحدهای در حال بهره‌برداری که در تاریخ گزارش در هیچ شهرک یا ناحیه‌ای نبوده‌اند.",
        "measure": "units",
        "filters": {"status": OPERATING, "in_park": False},
        "breakdowns": ["province"],
        "unit": "واحد",
    },
    {
        "key": "revived",
        "name": "واحدهای احیاشده",
        "definition": "شمار تغییر وضعیت‌ها از «راکد» یا «نیمه‌فعال» به «فعال» از آغاز سال "
        "(یکم فروردین) تا تاریخ گزارش، در جایی که واحد آن روز در آن بوده است.",
        "measure": "revived",
        "filters": {},
        "breakdowns": [*PLACES, "group", "size"],
        "unit": "واحد",
    },
    {
        "key": "permits",
        "name": "پروانه‌های بهره‌برداری جدید",
        "definition": "شمار واحدهایی که تاریخ پروانه‌ی بهره‌برداری‌شان از آغاز سال تا تاریخ "
        "گزارش است.",
        "measure": "permits",
        "filters": {},
        "breakdowns": [*PLACES, "group", "size"],
        "unit": "پروانه",
    },
    {
        "key": "semi-finished",
        "name": "طرح‌های نیمه‌تمام",
        "definition": "واحدهایی که در تاریخ گزارش «در حال ساخت» بوده‌اند، پیشرفت فیزیکی‌شان "
        "در آن روز ۶۰ درصد یا بیشتر بوده و در {months} ماه پیش از آن پیشرفتی برایشان ثبت نشده است.",
        "measure": "units",
        "filters": {"status": ["under_construction"], "semi_finished": True},
        "breakdowns": PLACES,
        "unit": "طرح",
        "stalled_months": SEMI_FINISHED_STALLED_MONTHS,
    },
    {
        "key": "parks",
        "name": "شهرک‌ها و نواحی صنعتی مصوب",
        "definition": "شهرک‌ها و نواحی صنعتی ثبت‌شده که تا تاریخ گزارش تأسیس شده‌اند.",
        "source": "parks",
        "measure": "parks",
        "filters": {},
        "breakdowns": ["province", "ownership"],
        "unit": "شهرک",
    },
    {
        "key": "parks-active",
        "name": "شهرک‌ها و نواحی فعال",
        "definition": "شهرک‌ها و نواحی صنعتی که اکنون فعال‌اند (وضعیت کنونی).",
        "source": "parks",
        "measure": "parks",
        "filters": {"active": True},
        "breakdowns": ["province"],
        "unit": "شهرک",
    },
    {
        "key": "parks-private",
        "name": "شهرک‌ها و نواحی خصوصی",
        "definition": "شهرک‌ها و نواحی صنعتی با مالکیت خصوصی.",
        "source": "parks",
        "measure": "parks",
        "filters": {"ownership": ["private"]},
        "breakdowns": ["province"],
        "unit": "شهرک",
    },
    # The cluster development programme (source ``clusters``: ``clusters.indicators``).
    {
        "key": "clusters-identified",
        "name": "خوشه‌های شناسایی‌شده",
        "definition": "خوشه‌هایی که تا تاریخ گزارش به مرحله‌ی «شناسایی و اولویت‌بندی» یا "
        "مرحله‌ای پس از آن رسیده‌اند، در استانی که خوشه در آن است.",
        "source": "clusters",
        "measure": "identified",
        "filters": {},
        "breakdowns": ["province"],
        "unit": "خوشه",
        "public": True,
    },
    {
        "key": "clusters-in-development",
        "name": "خوشه‌های در حال توسعه",
        "definition": "خوشه‌هایی که در تاریخ گزارش پروژه‌ی توسعه داشته‌اند: عامل توسعه‌شان "
        "انتخاب شده و هنوز پروانه‌ی اتمام نگرفته‌اند (خوشه‌های متوقف‌شده هم شمرده می‌شوند).",
        "source": "clusters",
        "measure": "in_development",
        "filters": {},
        "breakdowns": ["province"],
        "unit": "خوشه",
        "public": True,
    },
    {
        "key": "clusters-completed",
        "name": "خوشه‌های به اتمام رسیده",
        "definition": "خوشه‌هایی که پروانه‌ی اتمامشان تا تاریخ گزارش صادر شده است.",
        "source": "clusters",
        "measure": "completed",
        "filters": {},
        "breakdowns": ["province"],
        "unit": "خوشه",
        "public": True,
    },
    {
        "key": "clusters-completed-in-period",
        "name": "خوشه‌های به اتمام رسیده در سال",
        "definition": "شمار خوشه‌هایی که تاریخ پروانه‌ی اتمامشان از آغاز سال (یکم فروردین) تا "
        "تاریخ گزارش است؛ در نمودار ماهانه، آن‌هایی که در هر ماه پروانه گرفته‌اند.",
        "source": "clusters",
        "measure": "completed_in_period",
        "filters": {},
        "breakdowns": ["province"],
        "unit": "خوشه",
        "public": True,
    },
    # Business clinics (source ``clinics``: ``indicators/clinics.py``); aggregate figures,
    # public — the cases behind them are listed only to the staff who keep them.
    {
        "key": "clinic-candidates",
        "name": "نامزدهای کلینیک کسب‌وکار",
        "definition": "واحدهایی که در تاریخ گزارش «راکد» یا «نیمه‌فعال» بوده‌اند، و طرح‌های "
        "نیمه‌تمام (در آن روز «در حال ساخت» با پیشرفت فیزیکی ۶۰ درصد یا بیشتر و بی پیشرفتِ "
        "ثبت‌شده در {months} ماه پیش از آن)، در استان و شهرکی که آن روز در آن بوده‌اند.",
        "source": "clinics",
        "measure": "candidates",
        "filters": {},
        "breakdowns": PLACES,
        "unit": "واحد",
    },
    {
        "key": "clinic-open",
        "name": "پرونده‌های باز کلینیک",
        "definition": "پرونده‌های کلینیک کسب‌وکار که در پایان تاریخ گزارش در مرحله‌ی «گشوده»، "
        "«عارضه‌یابی» یا «برنامه‌ی درمان» بوده‌اند، در استانی که دفترش آن روز پرونده را در دست "
        "داشته است (پرونده‌ی منتقل‌شده از تاریخ انتقال در استان تازه شمرده می‌شود)؛ در شهرک، "
        "بر پایه‌ی شهرک کنونی واحد.",
        "source": "clinics",
        "measure": "open",
        "filters": {},
        "breakdowns": [*PLACES, "stage"],
        "unit": "پرونده",
    },
    {
        "key": "clinic-diagnosed",
        "name": "عارضه‌یابی‌های سال و علت‌های اصلی",
        "definition": "شمار پرونده‌های کلینیک که تاریخ عارضه‌یابی‌شان از آغاز سال (یکم فروردین) "
        "تا تاریخ گزارش است، در استانی که دفترش آن روز پرونده را در دست داشته است؛ به تفکیک "
        "علت اصلی و هر علت. سهم هر علت، شمار پرونده‌های با آن علت بخش بر همین شمار است.",
        "source": "clinics",
        "measure": "diagnosed",
        "filters": {},
        "breakdowns": [*PLACES, "cause_primary", "cause"],
        "unit": "پرونده",
    },
    {
        "key": "clinic-revived",
        "name": "واحدهای احیاشده با کلینیک",
        "definition": "شمار احیاهایی که با بستن پرونده‌ی کلینیک به‌صورت «احیا شد» ثبت شده‌اند "
        "و تاریخشان از آغاز سال (یکم فروردین) تا تاریخ گزارش است، در استانی که دفترش آن روز "
        "پرونده را در دست داشته است. همه‌ی احیاها، با کلینیک یا بی آن، در «واحدهای احیاشده» "
        "شمرده می‌شوند.",
        "source": "clinics",
        "measure": "revived",
        "filters": {},
        "breakdowns": PLACES,
        "unit": "واحد",
    },
    {
        "key": "clinic-jobs",
        "name": "اشتغال بازگشته با کلینیک",
        "definition": "جمع کارکنان ثبت‌شده‌ی هر واحد در روز احیا، برای احیاهای با کلینیک از "
        "آغاز سال تا تاریخ گزارش.",
        "source": "clinics",
        "measure": "jobs",
        "filters": {},
        "breakdowns": PLACES,
        "unit": "نفر",
    },
    {
        "key": "clinic-held-6",
        "name": "احیاهای کلینیک پایدار پس از ۶ ماه",
        "definition": "احیاهای با کلینیک که ۶ ماه (شمسی) پس از احیا، از آغاز سال تا تاریخ "
        "گزارش، فرا رسیده و واحد در این ۶ ماه دوباره «راکد» یا «تعطیل» ثبت نشده است (از "
        "تاریخچه‌ی وضعیت)، در استانی که دفترش روز احیا پرونده را در دست داشته است.",
        "source": "clinics",
        "measure": "held_6",
        "filters": {},
        "breakdowns": PLACES,
        "unit": "واحد",
    },
    {
        "key": "clinic-held-12",
        "name": "احیاهای کلینیک پایدار پس از ۱۲ ماه",
        "definition": "احیاهای با کلینیک که ۱۲ ماه (شمسی) پس از احیا، از آغاز سال تا تاریخ "
        "گزارش، فرا رسیده و واحد در این ۱۲ ماه دوباره «راکد» یا «تعطیل» ثبت نشده است (از "
        "تاریخچه‌ی وضعیت)، در استانی که دفترش روز احیا پرونده را در دست داشته است.",
        "source": "clinics",
        "measure": "held_12",
        "filters": {},
        "breakdowns": PLACES,
        "unit": "واحد",
    },
    {
        "key": "clinic-days",
        "name": "میانه‌ی روزهای گشایش پرونده تا احیا",
        "definition": "میانه‌ی شمار روزها از گشایش پرونده‌ی کلینیک تا احیا، برای احیاهای با "
        "کلینیک از آغاز سال تا تاریخ گزارش؛ «—» وقتی احیایی نبوده است.",
        "source": "clinics",
        "measure": "days_to_revival",
        "filters": {},
        "breakdowns": PLACES,
        "unit": "روز",
    },
    # Finance instruments (source ``finance``: ``indicators/finance.py``; definitions and
    # rows in ``finance.figures``): referrals to banks by bank and instrument, the money,
    # and the capital-market pipeline. Aggregate figures; the rows go to the staff who
    # keep the referrals and files, and to each bank or adviser for their own.
    {
        "key": "finance-referrals",
        "name": "معرفی‌ها به بانک",
        "definition": "شمار واحدهایی که از آغاز سال (یکم فروردین) تا تاریخ گزارش برای یک ابزار "
        "تأمین مالی (وام سرمایه در گردش، ضمانت‌نامه، گواهی «گام»، لیزینگ، صکوک، دیگر) به شعبه‌ی "
        "بانک معرفی شده‌اند، در استانی که دفترش در روز معرفی پرونده را در دست داشته است؛ به "
        "تفکیک بانک و ابزار.",
        "source": "finance",
        "measure": "referrals",
        "filters": {},
        "breakdowns": [*PLACES, "bank", "instrument"],
        "unit": "معرفی",
    },
    {
        "key": "finance-requested",
        "name": "مبلغ درخواست‌شده در معرفی‌ها",
        "definition": "جمع مبلغ درخواستی معرفی‌های به بانک از آغاز سال تا تاریخ گزارش (به ریال)؛ "
        "به تفکیک بانک و ابزار.",
        "kind": "sum",
        "source": "finance",
        "measure": "requested",
        "filters": {},
        "breakdowns": [*PLACES, "bank", "instrument"],
        "unit": "ریال",
    },
    {
        "key": "finance-decided",
        "name": "تصمیم‌های بانک",
        "definition": "شمار معرفی‌هایی که بانک از آغاز سال تا تاریخ گزارش درباره‌شان تصمیم گرفته "
        "است (تصویب کامل، تصویب بخشی از مبلغ یا رد)، به تاریخ تصمیم؛ به تفکیک بانک و ابزار.",
        "source": "finance",
        "measure": "decided",
        "filters": {},
        "breakdowns": [*PLACES, "bank", "instrument"],
        "unit": "معرفی",
    },
    {
        "key": "finance-approved",
        "name": "معرفی‌های تصویب‌شده",
        "definition": "شمار معرفی‌هایی که بانک از آغاز سال تا تاریخ گزارش به‌طور کامل یا بخشی "
        "از مبلغ را تصویب کرده است، به تاریخ تصمیم؛ به تفکیک بانک و ابزار.",
        "source": "finance",
        "measure": "approved",
        "filters": {},
        "breakdowns": [*PLACES, "bank", "instrument"],
        "unit": "معرفی",
    },
    {
        "key": "finance-approval-rate",
        "name": "نرخ تصویب معرفی‌ها",
        "definition": "درصد معرفی‌های تصویب‌شده (کامل یا بخشی) از همه‌ی تصمیم‌های بانک از آغاز "
        "سال تا تاریخ گزارش.",
        "kind": "ratio",
        "numerator": "finance-approved",
        "denominator": "finance-decided",
        "breakdowns": PLACES,
        "unit": "درصد",
    },
    {
        "key": "finance-granted",
        "name": "مبلغ تصویب‌شده",
        "definition": "جمع مبلغی که بانک‌ها در تصمیم‌های تصویب از آغاز سال تا تاریخ گزارش "
        "پذیرفته‌اند (به ریال)؛ به تفکیک بانک و ابزار.",
        "kind": "sum",
        "source": "finance",
        "measure": "granted",
        "filters": {},
        "breakdowns": [*PLACES, "bank", "instrument"],
        "unit": "ریال",
    },
    {
        "key": "finance-days-waiting",
        "name": "میانه‌ی روزهای انتظار برای تصمیم بانک",
        "definition": "میانه‌ی شمار روزها از معرفی به بانک تا تصمیم بانک، برای تصمیم‌های از آغاز "
        "سال تا تاریخ گزارش؛ به تفکیک بانک و ابزار؛ «—» وقتی تصمیمی نبوده است.",
        "source": "finance",
        "measure": "days_waiting",
        "filters": {},
        "breakdowns": [*PLACES, "bank", "instrument"],
        "unit": "روز",
    },
    {
        "key": "finance-paid",
        "name": "واحدهای تأمین مالی‌شده",
        "definition": "شمار معرفی‌هایی که پولشان از آغاز سال تا تاریخ گزارش به واحد پرداخت شده "
        "است، به تاریخ پرداخت؛ به تفکیک بانک و ابزار.",
        "source": "finance",
        "measure": "paid",
        "filters": {},
        "breakdowns": [*PLACES, "bank", "instrument"],
        "unit": "معرفی",
    },
    {
        "key": "finance-paid-amount",
        "name": "مبلغ پرداخت‌شده",
        "definition": "جمع مبلغ پرداخت‌شده به واحدها در معرفی‌های به بانک از آغاز سال تا تاریخ "
        "گزارش (به ریال)؛ به تفکیک بانک و ابزار.",
        "kind": "sum",
        "source": "finance",
        "measure": "paid_amount",
        "filters": {},
        "breakdowns": [*PLACES, "bank", "instrument"],
        "unit": "ریال",
    },
    {
        "key": "finance-pipeline",
        "name": "پرونده‌های در جریان پذیرش در بازار سرمایه",
        "definition": "پرونده‌های بازار سرمایه که در پایان تاریخ گزارش در مرحله‌ی «معرفی به "
        "بورس»، «تشکیل پرونده» یا «مرحله‌ی نهایی» بوده‌اند؛ به تفکیک هر مرحله، که در مرحله‌های "
        "پایانی (پذیرش، رد، انصراف) پرونده‌هایی را می‌شمارد که تا آن روز در آن‌ها پایان یافته‌اند.",
        "source": "finance",
        "measure": "pipeline",
        "filters": {},
        "breakdowns": [*PLACES, "stage"],
        "unit": "پرونده",
    },
    {
        "key": "finance-admitted",
        "name": "پذیرش‌ها در بازار سرمایه",
        "definition": "شمار پرونده‌هایی که از آغاز سال تا تاریخ گزارش در بازار سرمایه پذیرفته "
        "شده‌اند، به تاریخ پذیرش؛ به تفکیک بازار.",
        "source": "finance",
        "measure": "admitted",
        "filters": {},
        "breakdowns": [*PLACES, "market"],
        "unit": "پرونده",
    },
    {
        "key": "finance-raised",
        "name": "سرمایه‌ی جذب‌شده از بازار سرمایه",
        "definition": "جمع مبلغ جذب‌شده‌ی پرونده‌های پذیرفته‌شده از آغاز سال تا تاریخ گزارش (به "
        "ریال)؛ به تفکیک بازار.",
        "kind": "sum",
        "source": "finance",
        "measure": "raised",
        "filters": {},
        "breakdowns": [*PLACES, "market"],
        "unit": "ریال",
    },
    # Export consortia (source ``consortia``: ``indicators/consortia.py``); for staff only,
    # like the consortia's pages (the public sees none).
    {
        "key": "consortia",
        "name": "کنسرسیوم‌های صادراتی",
        "definition": "شمار کنسرسیوم‌های صادراتی که تا تاریخ گزارش تشکیل شده‌اند، در استان کنسرسیوم.",
        "source": "consortia",
        "measure": "consortia",
        "filters": {},
        "breakdowns": ["province"],
        "unit": "کنسرسیوم",
        "public": False,
    },
    {
        "key": "consortium-members",
        "name": "اعضای کنسرسیوم‌های صادراتی",
        "definition": "شمار عضویت‌های واحدها در کنسرسیوم‌های صادراتی در پایان تاریخ گزارش "
        "(پیوسته تا آن روز و تا آن روز جدا نشده)، در استان کنسرسیوم.",
        "source": "consortia",
        "measure": "members",
        "filters": {},
        "breakdowns": ["province"],
        "unit": "واحد",
        "public": False,
    },
    {
        "key": "consortium-support",
        "name": "حمایت از کنسرسیوم‌های صادراتی",
        "definition": "جمع حمایت‌های ثبت‌شده (ریال) برای کنسرسیوم‌ها از آغاز سال (یکم فروردین) "
        "تا تاریخ گزارش؛ در برابر سقف سال («سقف حمایت کنسرسیوم‌ها») خوانده می‌شود.",
        "source": "consortia",
        "measure": "support",
        "filters": {},
        "breakdowns": ["province"],
        "unit": "ریال",
        "public": False,
    },
    {
        "key": "consortium-support-cap",
        "name": "سقف حمایت کنسرسیوم‌ها",
        "definition": "سقف حمایت سال گزارش برای هر کنسرسیوم (سقفی که ستاد ملی برای آن سال "
        "گذاشته، وگرنه ۳ میلیارد ریال) ضرب در شمار کنسرسیوم‌های تشکیل‌شده تا تاریخ گزارش.",
        "source": "consortia",
        "measure": "support_cap",
        "filters": {},
        "breakdowns": ["province"],
        "unit": "ریال",
        "public": False,
    },
]


# The English names, definitions and units (pages in English; Persian stays the default).
ENGLISH: dict[str, tuple[str, str, str]] = {
    "units": (
        "Registered industrial units",
        "Every industrial unit registered on the report "
        "date, in any status (under construction, active, semi-active, idle or closed), "
        "in the province and park it was in that day.",
        "units",
    ),
    "units-active": (
        "Active units",
        "Units whose status was “active” on the report date.",
        "units",
    ),
    "units-idle": ("Idle units", "Units whose status was “idle” on the report date.", "units"),
    "units-semi-active": (
        "Semi-active units",
        "Units whose status was “semi-active” on the report date.",
        "units",
    ),
    "jobs": (
        "Jobs in operating units",
        "Employees of the active, semi-active and idle units "
        "on the report date, each unit with the headcount recorded for that day.",
        "people",
    ),
    "units-sme": (
        "Operating micro, small and medium units",
        "Operating units with fewer than "
        "100 employees on the report date (the headcount recorded for that day).",
        "units",
    ),
    "units-operating": (
        "Operating units",
        "Active, semi-active and idle units on the report date.",
        "units",
    ),
    "jobs-sme": (
        "Jobs in micro, small and medium units",
        "Employees of the operating units with fewer than 100 employees.",
        "people",
    ),
    "share-sme-units": (
        "Share of micro, small and medium units",
        "Micro, small and medium units as a percentage of all operating units.",
        "per cent",
    ),
    "share-sme-jobs": (
        "Share of jobs in micro, small and medium units",
        "Employees of micro, "
        "small and medium units as a percentage of the employees of all "
        "operating units.",
        "per cent",
    ),
    "units-in-parks": (
        "Units inside industrial parks and zones",
        "Operating units that were in an industrial park or zone on the report date.",
        "units",
    ),
    "units-outside-parks": (
        "Units outside parks",
        "Operating units that were in no park or zone on the report date.",
        "units",
    ),
    "revived": (
        "Units revived",
        "Status changes from “idle” or “semi-active” to “active” "
        "from the start of the year (1 Farvardin) to the report date, where the unit "
        "was that day.",
        "units",
    ),
    "permits": (
        "New operating permits",
        "Units whose operating permit is dated from the start of the year to the report date.",
        "permits",
    ),
    "semi-finished": (
        "Semi-finished projects",
        "Units under construction on the report date "
        "whose physical progress that day was 60 per cent or more, with no progress "
        "recorded in the {months} months before it.",
        "projects",
    ),
    "parks": (
        "Approved industrial parks and zones",
        "Registered industrial parks and zones established by the report date.",
        "parks",
    ),
    "parks-active": (
        "Active parks and zones",
        "Industrial parks and zones active now (their current status).",
        "parks",
    ),
    "parks-private": (
        "Private parks and zones",
        "Industrial parks and zones in private ownership.",
        "parks",
    ),
    "clusters-identified": (
        "Clusters identified",
        "Clusters that reached “identified and "
        "prioritised” or a later stage by the report date, in the province "
        "the cluster is in.",
        "clusters",
    ),
    "clusters-in-development": (
        "Clusters in development",
        "Clusters with a development "
        "project on the report date: their development agent chosen "
        "and no completion licence yet (suspended clusters count "
        "too).",
        "clusters",
    ),
    "clusters-completed": (
        "Clusters completed",
        "Clusters whose completion licence was issued by the report date.",
        "clusters",
    ),
    "clusters-completed-in-period": (
        "Clusters completed this year",
        "Clusters whose "
        "completion licence is dated from the start of the year "
        "(1 Farvardin) to the report date; in the monthly chart, "
        "those licensed in each month.",
        "clusters",
    ),
    "clinic-candidates": (
        "Business clinic candidates",
        "Units that were idle or semi-active on the report date, and semi-finished projects "
        "(under construction that day, with a physical progress of 60 per cent or more that "
        "day and none recorded in the {months} months before), in the province and park they were "
        "in that day.",
        "units",
    ),
    "clinic-open": (
        "Open clinic cases",
        "Business clinic cases at the stage “opened”, “diagnosis” or “remedy plan” at the "
        "end of the report date, in the province whose office held the case that day (a "
        "transferred case counts in its new province from the transfer's date); in a park, "
        "by the unit's current park.",
        "cases",
    ),
    "clinic-diagnosed": (
        "Diagnoses this year and their main causes",
        "Clinic cases whose diagnosis is dated from the start of the year (1 Farvardin) to "
        "the report date, in the province whose office held the case that day; by primary "
        "cause and by any cause. A cause's share is the cases with it divided by this count.",
        "cases",
    ),
    "clinic-revived": (
        "Units revived with the clinic",
        "Revivals recorded by closing a clinic case as revived, dated from the start of the "
        "year (1 Farvardin) to the report date, in the province whose office held the case "
        "that day. Every revival, with the clinic or without, counts in “Units revived”.",
        "units",
    ),
    "clinic-jobs": (
        "Jobs restored with the clinic",
        "The employees recorded for each unit on the day of its revival, for the revivals "
        "with the clinic from the start of the year to the report date.",
        "people",
    ),
    "clinic-held-6": (
        "Clinic revivals held 6 months",
        "Revivals with the clinic whose 6-month mark (Jalali months) fell from the start of "
        "the year to the report date and whose unit was not recorded idle or closed again "
        "in those 6 months (from the status history), in the province whose office held "
        "the case on the day of the revival.",
        "units",
    ),
    "clinic-held-12": (
        "Clinic revivals held 12 months",
        "Revivals with the clinic whose 12-month mark (Jalali months) fell from the start of "
        "the year to the report date and whose unit was not recorded idle or closed again "
        "in those 12 months (from the status history), in the province whose office held "
        "the case on the day of the revival.",
        "units",
    ),
    "clinic-days": (
        "Median days from opening to revival",
        "The median of the days from a clinic case's opening to the revival, for the "
        "revivals with the clinic from the start of the year to the report date; “—” when "
        "there was none.",
        "days",
    ),
    "finance-referrals": (
        "Referrals to banks",
        "Units introduced to a bank branch for a financing instrument (working-capital "
        "loan, guarantee, GAM certificate, leasing, sukuk, other) from the start of the year "
        "to the report date, in the province whose office held the referral on that day; by "
        "bank and instrument.",
        "referrals",
    ),
    "finance-requested": (
        "Amount requested in referrals",
        "The amounts requested in the referrals to banks from the start of the year to the "
        "report date (rials); by bank and instrument.",
        "rials",
    ),
    "finance-decided": (
        "Banks' decisions",
        "Referrals on which the bank decided (approved, approved in part or refused) from "
        "the start of the year to the report date, on the decision's day; by bank and "
        "instrument.",
        "referrals",
    ),
    "finance-approved": (
        "Referrals approved",
        "Referrals the bank approved in full or in part from the start of the year to the "
        "report date, on the decision's day; by bank and instrument.",
        "referrals",
    ),
    "finance-approval-rate": (
        "Approval rate of referrals",
        "Referrals approved (in full or in part) as a percentage of all the banks' decisions "
        "from the start of the year to the report date.",
        "percent",
    ),
    "finance-granted": (
        "Amount granted",
        "The amounts the banks granted in their approvals from the start of the year to the "
        "report date (rials); by bank and instrument.",
        "rials",
    ),
    "finance-days-waiting": (
        "Median days waiting for the bank",
        "The median of the days from the introduction to the bank's decision, for the "
        "decisions from the start of the year to the report date; by bank and instrument; "
        "“—” when there was none.",
        "days",
    ),
    "finance-paid": (
        "Units financed",
        "Referrals whose money was paid to the unit from the start of the year to the report "
        "date, on the payment's day; by bank and instrument.",
        "referrals",
    ),
    "finance-paid-amount": (
        "Amount paid",
        "The amounts paid to units on referrals to banks from the start of the year to the "
        "report date (rials); by bank and instrument.",
        "rials",
    ),
    "finance-pipeline": (
        "Files in the capital-market pipeline",
        "Capital-market files at “introduced”, “file opened” or “final stage” at the end of "
        "the report date; by stage, where the closing stages (admitted, rejected, withdrawn) "
        "count the files that had ended there by that day.",
        "files",
    ),
    "finance-admitted": (
        "Admissions to the capital market",
        "Files admitted to the capital market from the start of the year to the report date, "
        "on the admission's day; by market.",
        "files",
    ),
    "finance-raised": (
        "Capital raised on the market",
        "The amounts raised by the files admitted from the start of the year to the report "
        "date (rials); by market.",
        "rials",
    ),
    "consortia": (
        "Export consortia",
        "The export consortia formed on or before the report date, in the consortium's province.",
        "consortia",
    ),
    "consortium-members": (
        "Members of export consortia",
        "Units' memberships of export consortia in force at the end of the report date "
        "(joined by then and not left), in the consortium's province.",
        "units",
    ),
    "consortium-support": (
        "Support to export consortia",
        "The support recorded for consortia (rials) from the start of the year to the "
        "report date; read against the year's cap (“Consortia support cap”).",
        "rials",
    ),
    "consortium-support-cap": (
        "Consortia support cap",
        "The report year's support cap per consortium (set by national staff for the year, "
        "else 3 billion rials) times the consortia formed by the report date.",
        "rials",
    ),
}
assert set(ENGLISH) == {spec["key"] for spec in SHIPPED}


def load_indicators() -> int:
    """Create the shipped indicators that are missing (and give those that exist their
    English texts where they have none); returns how many were created."""
    from pishran.events import publish

    from .events import CatalogueLoaded
    from .models import Indicator

    created = completed = 0
    for position, spec in enumerate(SHIPPED):
        name_en, definition_en, unit_en = ENGLISH[spec["key"]]
        existing = Indicator.objects.filter(key=spec["key"]).first()
        if existing is not None:
            texts = {"name_en": name_en, "definition_en": definition_en, "unit_en": unit_en}
            missing = {f: v for f, v in texts.items() if not getattr(existing, f)}
            if missing:  # an administrator's own wording is kept
                Indicator.objects.filter(pk=existing.pk).update(**missing)
                completed += 1
            continue
        Indicator.objects.create(
            key=spec["key"],
            name=spec["name"],
            definition=spec["definition"],
            name_en=name_en,
            definition_en=definition_en,
            unit_en=unit_en,
            kind=spec.get("kind", "sum" if spec.get("measure") == "jobs" else "count"),
            source=spec.get("source", "" if spec.get("kind") == "ratio" else "registry"),
            measure=spec.get("measure", ""),
            filters=spec.get("filters", {}),
            numerator=Indicator.objects.filter(key=spec.get("numerator", "")).first(),
            denominator=Indicator.objects.filter(key=spec.get("denominator", "")).first(),
            breakdowns=spec.get("breakdowns", []),
            unit=spec.get("unit", ""),
            is_public=spec.get("public", True),
            position=(position + 1) * 10,
            stalled_months=spec.get("stalled_months"),
        )
        created += 1
    if created or completed:
        publish(CatalogueLoaded(created=created, completed=completed))
    return created


def reference_loaded(event: object) -> None:
    """Subscribed (in its transaction) to ``load_reference``'s ``reference.loaded``: the
    shipped indicators come with the reference data."""
    load_indicators()
