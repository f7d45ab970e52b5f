"""Members from the registry, uploaded documents checked from content, and supervision
records dated inside the cluster's life."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from clusters import services
from tests.clusters.files import DOCX, PDF, PLAIN_ZIP, XLSX, office_bomb
from tests.factories import days_ago, make_cluster, make_enterprise, row_counts


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CLUSTER_UPLOAD_MAX_BYTES = 2048


def test_a_member_from_another_province_needs_a_reason(reference) -> None:
    cluster = make_cluster(province=reference.qom, start=days_ago(100))
    tehran_unit = make_enterprise(name="کفش تهران", province=reference.tehran)
    before = row_counts()

    with pytest.raises(ValidationError) as exc:
        services.member_add(
            actor=None, cluster=cluster, enterprise=tehran_unit, joined_on=days_ago(10)
        )

    assert "reason" in exc.value.message_dict
    assert "کفش تهران" in exc.value.message_dict["reason"][0]
    assert row_counts() == before

    member = services.member_add(
        actor=None,
        cluster=cluster,
        enterprise=tehran_unit,
        joined_on=days_ago(10),
        reason="تأمین‌کننده اصلی زیره",
    )
    assert member.reason == "تأمین‌کننده اصلی زیره"


def test_a_member_from_the_province_needs_no_reason_and_joins_once(reference) -> None:
    cluster = make_cluster(province=reference.qom, start=days_ago(100))
    unit = make_enterprise(name="کفش قم", province=reference.qom)
    services.member_add(actor=None, cluster=cluster, enterprise=unit, joined_on=days_ago(10))

    with pytest.raises(ValidationError) as exc:
        services.member_add(actor=None, cluster=cluster, enterprise=unit, joined_on=days_ago(5))
    assert "enterprise" in exc.value.message_dict


def test_a_visit_before_the_cluster_existed_is_refused(reference) -> None:
    cluster = make_cluster(province=reference.qom, start=days_ago(30))
    before = row_counts()

    with pytest.raises(ValidationError) as exc:
        services.visit_add(
            actor=None,
            cluster=cluster,
            kind="visit",
            date=days_ago(31),
            by="ناظر",
            summary="بازدید",
        )

    assert "entered the programme" in exc.value.message_dict["date"][0]
    assert row_counts() == before
    services.visit_add(
        actor=None, cluster=cluster, kind="visit", date=days_ago(30), by="ناظر", summary="بازدید"
    )


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("s.pdf", PDF, "pdf"), ("s.docx", DOCX, "docx"), ("s.xlsx", XLSX, "xlsx")],
)
def test_pdf_docx_and_xlsx_are_accepted_from_their_content(reference, name, content, kind) -> None:
    cluster = make_cluster(province=reference.qom)

    document = services.document_upload(
        actor=None,
        cluster=cluster,
        kind="diagnostic",
        title="مطالعه",
        upload=SimpleUploadedFile(name, content),
    )

    assert document.file_type == kind
    assert document.file.name.startswith(f"clusters/{cluster.pk}/")
    assert document.original_name == name


def _refusal(cluster, name: str, content: bytes) -> str:
    """The message beside the file field when ``content`` is uploaded as ``name``."""
    with pytest.raises(ValidationError) as exc:
        services.document_upload(
            actor=None,
            cluster=cluster,
            kind="other",
            title="x",
            upload=SimpleUploadedFile(name, content),
        )
    return exc.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("study.pdf", DOCX),  # a Word file renamed
        ("study.docx", XLSX),  # an Excel file renamed
        ("study.xlsx", PLAIN_ZIP),  # a zip with no workbook
        ("study.docx", b"PK\x03\x04 truncated"),  # a broken archive
        ("study.pdf", b"<html>not a pdf</html>"),
    ],
)
def test_content_that_is_not_the_claimed_type_is_refused(reference, name, content) -> None:
    cluster = make_cluster(province=reference.qom)
    before = row_counts()

    assert "content is not" in _refusal(cluster, name, content)
    assert row_counts() == before


def test_other_types_and_oversized_files_are_refused(reference) -> None:
    cluster = make_cluster(province=reference.qom)
    assert "PDF, DOCX or XLSX" in _refusal(cluster, "photo.exe", PDF)
    assert "limit" in _refusal(cluster, "big.pdf", PDF + b"0" * 4096)


@pytest.fixture
def no_inflating(monkeypatch):
    """Fails the test if any member of an archive is inflated (``testzip``, ``open``)."""
    import zipfile

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a member was inflated before the declared sizes were judged")

    monkeypatch.setattr(zipfile.ZipFile, "testzip", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


@pytest.mark.parametrize(
    ("content", "limits", "words"),
    [
        # 4 MB of zeros in about 4 KB: a ratio near a thousand to one.
        (office_bomb(4 << 20), {}, "times its size"),
        # Within the ratio but more than a member or the whole may hold once inflated.
        (office_bomb(4 << 20), {"UPLOAD_ZIP_MAX_RATIO": 10_000,
                                "UPLOAD_ZIP_MAX_MEMBER_BYTES": 1 << 20}, "MB"),
        (office_bomb(4 << 20), {"UPLOAD_ZIP_MAX_RATIO": 10_000,
                                "UPLOAD_ZIP_MAX_TOTAL_BYTES": 2 << 20}, "MB"),
        (office_bomb(10, members=50), {"UPLOAD_ZIP_MAX_MEMBERS": 20}, "files"),
    ],
)  # fmt: skip
def test_an_archive_declaring_too_much_is_refused_before_anything_is_inflated(
    reference, settings, no_inflating, content, limits, words
) -> None:
    settings.CLUSTER_UPLOAD_MAX_BYTES = 1 << 20
    for name, value in limits.items():
        setattr(settings, name, value)
    cluster = make_cluster(province=reference.qom)
    before = row_counts()

    assert words in _refusal(cluster, "sheet.xlsx", content)
    assert row_counts() == before
    assert not any(settings.MEDIA_ROOT.rglob("*.xlsx"))


def test_the_upload_page_names_the_field_of_a_refused_archive_in_persian(
    reference, settings, client_for, national_admin
) -> None:
    from django.urls import reverse

    from tests.views_helpers import field_errors, page

    settings.CLUSTER_UPLOAD_MAX_BYTES = 1 << 20
    cluster = make_cluster(province=reference.qom)
    bomb = office_bomb(4 << 20)
    assert len(bomb) < 10_000  # small on the wire

    response = client_for(national_admin).post(
        reverse("cluster_document_upload", args=[cluster.pk]),
        {"kind": "other", "title": "x", "file": SimpleUploadedFile("sheet.xlsx", bomb)},
    )

    assert response.status_code == 200
    assert "file" in field_errors(response)
    assert "برابر حجمش" in page(response)
    assert cluster.documents.count() == 0


def test_the_upload_page_shows_the_refusal_beside_the_file_field(
    reference, client_for, national_admin
) -> None:
    from django.urls import reverse

    from tests.views_helpers import field_errors

    cluster = make_cluster(province=reference.qom)
    response = client_for(national_admin).post(
        reverse("cluster_document_upload", args=[cluster.pk]),
        {"kind": "other", "title": "x", "file": SimpleUploadedFile("a.pdf", DOCX)},
    )

    assert response.status_code == 200
    assert "file" in field_errors(response)
    assert cluster.documents.count() == 0
