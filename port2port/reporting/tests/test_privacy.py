"""The public pages leave nothing that identifies a reporter, and store nothing readable."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from PIL import Image

from conftest import World
from port2port.reporting import abuse
from port2port.reporting.models import Report
from port2port.reporting.tests.conftest import Desk

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"
FORWARDED_IP = "198.51.100.23"
AGENT = "Mozilla/5.0 (TracerPhone 9; like Gecko) UniqueAgent/4242"
IDENTIFYING = {
    "REMOTE_ADDR": IP,
    "HTTP_X_FORWARDED_FOR": f"{FORWARDED_IP}, 10.0.0.1",
    "HTTP_X_REAL_IP": FORWARDED_IP,
    "HTTP_FORWARDED": f"for={FORWARDED_IP}",
    "HTTP_USER_AGENT": AGENT,
    "HTTP_REFERER": f"https://tracker.example/?ip={IP}",
    "HTTP_ACCEPT_LANGUAGE": "nl-BE,nl;q=0.9",
}


def challenge(html: str) -> tuple[str, int]:
    token = re.search(r'name="pow_token" value="([^"]+)"', html)
    bits = re.search(r'data-pow-bits="(\d+)"', html)
    assert token, html[:500]
    assert bits, html[:500]
    return token.group(1), int(bits.group(1))


def send_report(
    client: Client,
    path: str,
    data: dict[str, Any],
    files: list[Any] | None = None,
    **extra: Any,
) -> Any:
    page = client.get(path, **extra)
    assert page.status_code == 200
    token, bits = challenge(page.content.decode())
    body = {**data, "pow_token": token, "pow_solution": abuse.work_solve(token, bits)}
    if files:
        body["files"] = files
    return client.post(path, body, **extra)


def _jpeg_with_gps() -> io.BytesIO:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "MarkerCam Industries"  # Make
    exif[0x0131] = "MarkerSoft 1.0"  # Software
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 17.0, 42.0)
    gps[3] = "E"
    gps[4] = (4.0, 19.0, 12.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    out.seek(0)
    out.name = "PXL_20260312_SecretName.jpg"
    return out


def _every_stored_value() -> str:
    """Return every value of every table of the database as one text."""
    parts = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names only
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("latin-1"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


def test_stored_rows_and_files_hold_no_plaintext_of_a_report(
    desk: Desk, world: World, settings: Any
) -> None:
    client = Client()
    pdf = io.BytesIO(b"%PDF-1.4\n% MarkerPdfContent-Zx81\n%%EOF")
    pdf.name = "MarkerPdfName-Qw12.pdf"
    response = send_report(
        client,
        "/report/nl/portwatch/",
        {
            "category": "drugs",
            "port": world.antwerp.pk,
            "place": "MarkerPlace-Kaai1742",
            "when": "MarkerWhen-gisternacht",
            "what": "MarkerWhat-zakken-van-boord-gegooid",
            "people": "MarkerPeople-1-XYZ-987",
            "contact_name": "MarkerName-Jansens",
            "contact_phone": "+32 470 99 88 77",
            "contact_email": "marker-mail@example.org",
            "latitude": "51.2871",
            "longitude": "4.2901",
        },
        files=[_jpeg_with_gps(), pdf],
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "receipt-digits" in response.content.decode()
    report = Report.objects.get()
    assert report.attachments.count() == 2

    stored = _every_stored_value()
    for marker in (
        "MarkerPlace",
        "MarkerWhen",
        "MarkerWhat",
        "MarkerPeople",
        "MarkerName",
        "470 99 88 77",
        "marker-mail",
        "51.2871",
        "MarkerPdfName",
        "MarkerPdfContent",
        "MarkerCam",
        "SecretName",
    ):
        assert marker not in stored, marker
    files = [p for p in Path(settings.REPORTING_FILES_DIR).rglob("*") if p.is_file()]
    assert len(files) == 2
    for path in files:
        data = path.read_bytes()
        assert b"MarkerPdf" not in data
        assert b"MarkerCam" not in data
        assert b"%PDF" not in data
        assert b"JFIF" not in data
        assert b"Exif" not in data


def test_no_address_or_browser_detail_reaches_the_database_or_the_logs(
    desk: Desk, caplog: Any
) -> None:
    # The reporter is also signed in to the platform in the same browser.
    client = Client()
    client.force_login(desk.henk)
    with caplog.at_level(logging.DEBUG):
        response = send_report(
            client,
            "/report/en/portwatch/",
            {"category": "theft", "what": "Cables stolen from the quay."},
            **IDENTIFYING,
        )
        assert response.status_code == 200
        receipt = re.search(
            r'id="receipt-digits">([\d ]+)<', response.content.decode()
        ).group(1)
        login = client.get("/report/en/follow-up/", **IDENTIFYING)
        token, bits = challenge(login.content.decode())
        response = client.post(
            "/report/en/follow-up/",
            {
                "receipt": receipt,
                "pow_token": token,
                "pow_solution": abuse.work_solve(token, bits),
            },
            **IDENTIFYING,
        )
        assert response.status_code == 302
        client.post(
            "/report/en/follow-up/report/",
            {"text": "More: they came back."},
            **IDENTIFYING,
        )
        client.get("/report/en/not-a-channel/", **IDENTIFYING)

    stored = _every_stored_value()
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records, "the requests were logged"
    request_lines = [r for r in caplog.records if r.name == "port2port.request"]
    assert len(request_lines) == 6
    assert {r.user_id for r in request_lines} == {None}
    for trace in (IP, FORWARDED_IP, "UniqueAgent", "tracker.example", "nl-BE"):
        assert trace not in stored, trace
        assert trace not in logged, trace


def test_the_public_pages_set_no_cookie_before_the_receipt_login(desk: Desk) -> None:
    client = Client()

    pages = [client.get(p) for p in ("/report/en/", "/report/nl/portwatch/")]
    sent = send_report(
        client, "/report/fr/portwatch/", {"category": "cyber", "what": "Phishing."}
    )

    for response in [*pages, sent]:
        assert response.status_code == 200
        assert response.cookies == {}
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "no-referrer"
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
    assert client.cookies == {}


def test_a_form_from_another_site_is_refused(desk: Desk) -> None:
    client = Client()

    response = client.post(
        "/report/en/portwatch/",
        {"category": "theft", "what": "x"},
        HTTP_ORIGIN="https://evil.example",
    )
    cross_site = client.post(
        "/report/en/follow-up/",
        {"receipt": "1234567890123456"},
        HTTP_ORIGIN="null",
        HTTP_SEC_FETCH_SITE="cross-site",
    )

    assert response.status_code == 403
    assert cross_site.status_code == 403
    assert Report.objects.count() == 0


def test_images_lose_their_metadata_and_pdfs_are_flagged(desk: Desk) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from port2port.reporting.files import FileRefused, file_clean

    jpeg = _jpeg_with_gps().getvalue()
    assert Image.open(io.BytesIO(jpeg)).getexif().get_ifd(0x8825)
    image = file_clean(SimpleUploadedFile("PXL_1.jpg", jpeg, "image/jpeg"), 1)
    pdf = file_clean(
        SimpleUploadedFile("a/../note.pdf", b"%PDF-1.7 x", "text/plain"), 2
    )

    cleaned = Image.open(io.BytesIO(image.data))
    assert image.name == "image-1.jpg"
    assert image.metadata_removed is True
    assert dict(cleaned.getexif()) == {}
    assert not cleaned.getexif().get_ifd(0x8825)
    assert b"MarkerCam" not in image.data
    assert cleaned.size == (64, 48)
    assert pdf.name == "note.pdf"
    assert pdf.metadata_removed is False
    with pytest.raises(FileRefused) as refused:
        file_clean(SimpleUploadedFile("x.exe", b"MZ\x90\x00", "image/png"), 3)
    assert refused.value.message == "type"


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    desk: Desk, settings: Any
) -> None:
    settings.REPORTING_MAX_FILE_BYTES = 1024
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * 5000)
    big.name = "big.pdf"

    response = send_report(
        Client(),
        "/report/en/portwatch/",
        {"category": "theft", "what": "Cables stolen."},
        files=[big],
    )

    assert response.status_code == 400
    assert "larger than the limit" in response.content.decode()
    assert Report.objects.count() == 0


def test_the_middleware_removes_identifying_details_before_any_view(rf: Any) -> None:
    from port2port.reporting.middleware import ReporterPrivacyMiddleware

    seen: dict[str, Any] = {}

    def view(request: Any) -> Any:
        from django.http import HttpResponse

        seen.update(request.META)
        response = HttpResponse("ok")
        response.set_cookie("csrftoken", "x")
        response.set_cookie("p2p_report", "y")
        return response

    middleware = ReporterPrivacyMiddleware(view)
    public = middleware(rf.get("/report/en/", **IDENTIFYING))
    public_seen = dict(seen)
    seen.clear()
    middleware(rf.get("/reporting/inbox/", **IDENTIFYING))

    for key in IDENTIFYING:
        assert key not in public_seen, key
    assert public_seen["SERVER_NAME"] == "testserver"
    assert public_seen["PATH_INFO"] == "/report/en/"
    # The handlers' pages are not touched.
    assert seen["REMOTE_ADDR"] == IP
    assert seen["HTTP_USER_AGENT"] == AGENT
    assert list(public.cookies) == ["p2p_report"]
