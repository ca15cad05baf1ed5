"""Writes of the reporting module: reports, follow-up, handler keys, retention.

Every report has its own random key. Its content, messages and files are sealed
with it; the key itself is stored only wrapped: for each member of the groups
that may read the report (their X25519 public key), for the recovery key of
each of those groups' organisations, and for the reporter (a key derived from
the receipt). A handler opens a report with their private key, which the
caller passes in already unlocked (see ``port2port.reporting.keyring``).

Audit entries name the report by its reference and never carry its content.
They have no port, so that only the platform administrators and the national
authority read them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import secrets
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from port2port.core.audit import audit_record
from port2port.core.errors import (
    ApplicationError,
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    field_error,
)
from port2port.core.models import Organisation, Port, User
from port2port.reporting import abuse, crypto, keyring
from port2port.reporting.files import (
    CleanFile,
    sealed_delete,
    sealed_read,
    sealed_write,
)
from port2port.reporting.models import (
    Attachment,
    Category,
    Channel,
    HandlerGroup,
    HandlerKey,
    KeyWrap,
    Message,
    RecoveryKey,
    Report,
    ReportAccess,
    ReporterSession,
)
from port2port.reporting.selectors import (
    group_eligible_members,
    handler_groups_for_user,
    report_groups,
)

logger = logging.getLogger(__name__)

MAX_TEXT = 10_000


class KeyLocked(ApplicationError):
    """The handler's key is not unlocked in this session."""

    status = 403
    code = "key_locked"


class KeyMissing(ApplicationError):
    """The handler's key does not open this report (yet)."""

    status = 403
    code = "key_missing"


class ReceiptRefused(ApplicationError):
    """A receipt login that is refused (wrong receipt, or logins are paused)."""

    status = 403
    code = "receipt_refused"


def _hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def kdf_params() -> crypto.KdfParams:
    time_cost, memory_kib, parallelism = settings.REPORTING_KDF
    return crypto.KdfParams(time_cost, memory_kib, parallelism)


def receipt_pepper() -> bytes:
    configured = settings.REPORTING_RECEIPT_PEPPER
    if configured:
        return configured.encode("utf-8")
    return hashlib.sha256(
        b"port2port-reporting-receipt\x00" + settings.SECRET_KEY.encode("utf-8")
    ).digest()


def _audit(*, actor: User | None, action: str, report: Report, **details: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="reporting.report",
        object_id=str(report.pk),
        object_repr=report.reference,
        details=details,
    )


def _text(name: str, value: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise field_error(name, _("Text may not contain NUL characters."))
    if required and not value:
        raise field_error(name, _("This field is required."))
    if len(value) > MAX_TEXT:
        raise field_error(
            name,
            _("Keep it under %(count)d characters.") % {"count": MAX_TEXT},
        )
    return value


# Handler keys ------------------------------------------------------------------------------


# Wrong passwords on the unlock and key pages, per account, before they pause.
PASSWORD_FAILURES = (5, 900)


def _check_password(user: User, password: str) -> None:
    """Check a handler's password; pause after repeated failures for the account."""
    limit, seconds = PASSWORD_FAILURES
    bucket = f"password-failure:{user.pk}"
    if abuse.rate_count(bucket, seconds) >= limit:
        raise NotPermitted(
            _("Too many wrong passwords. Try again in a quarter of an hour."),
            fields={"password": ["paused"]},
        )
    if not password or not user.check_password(password):
        abuse.rate_note(bucket, seconds)
        raise field_error("password", _("This password is not correct."))


@transaction.atomic
def handler_key_create(*, user: User, password: str) -> HandlerKey:
    """Give a handler a key pair, its private half sealed under their password."""
    _check_password(user, password)
    if HandlerKey.objects.filter(user=user).exists():
        raise Conflict(_("This account already has a reporting key."))
    return _handler_key_new(user, password)


def _handler_key_new(user: User, password: str) -> HandlerKey:
    pair = crypto.keypair_generate()
    params = kdf_params()
    salt, sealed = crypto.private_key_lock(pair.private, password, params)
    now = timezone.now()
    key, _created = HandlerKey.objects.update_or_create(
        user=user,
        defaults={
            "public_key": pair.public,
            "sealed_private_key": sealed,
            "salt": salt,
            "kdf": params.encode(),
            "created_at": now,
            "changed_at": now,
        },
    )
    audit_record(
        actor=user,
        action="reporting.handler_key.create",
        obj=user,
        details={"fingerprint": crypto.fingerprint(pair.public)},
    )
    return key


def handler_key_unlock(*, user: User, password: str) -> bytes:
    """Return the handler's private key, opened with their password.

    A handler without a key gets one now, sealed under this password.
    """
    _check_password(user, password)
    key = HandlerKey.objects.filter(user=user).first()
    if key is None:
        with transaction.atomic():
            key = _handler_key_new(user, password)
    try:
        return crypto.private_key_unlock(
            bytes(key.sealed_private_key),
            password,
            bytes(key.salt),
            crypto.KdfParams.decode(key.kdf),
        )
    except crypto.CryptoError:
        # The password was changed where the key could not follow (an
        # administrator set it): the old key is lost, start a new one.
        with transaction.atomic():
            _handler_key_replace(user, password, reason="unreadable")
        key = HandlerKey.objects.get(user=user)
        return crypto.private_key_unlock(
            bytes(key.sealed_private_key),
            password,
            bytes(key.salt),
            crypto.KdfParams.decode(key.kdf),
        )


def _handler_key_replace(user: User, password: str, *, reason: str) -> None:
    deleted, _ = KeyWrap.objects.filter(user=user).delete()
    _handler_key_new(user, password)
    audit_record(
        actor=None,
        action="reporting.handler_key.reset",
        obj=user,
        details={"reason": reason, "report_keys_dropped": deleted},
    )


@transaction.atomic
def handler_key_password_changed(*, user: User, password: str) -> None:
    """Re-seal a handler's private key under a new password (the password hook).

    The private key must be at hand: handed over by ``handler_password_change``
    or unlocked in the session of the user who changes their own password. When
    it is not (an administrator set the password), the old key can no longer be
    opened by anyone: the handler gets a new key pair, and the reports come back
    as soon as a colleague opens them or the recovery key restores them.
    """
    key = HandlerKey.objects.filter(user=user).first()
    if key is None:
        return
    private = keyring.private_for_rewrap(user.pk)
    if private is None or crypto.public_of(private) != bytes(key.public_key):
        _handler_key_replace(user, password, reason="password_set_without_key")
        return
    params = kdf_params()
    salt, sealed = crypto.private_key_lock(private, password, params)
    key.sealed_private_key = sealed
    key.salt = salt
    key.kdf = params.encode()
    key.changed_at = timezone.now()
    key.save(update_fields=["sealed_private_key", "salt", "kdf", "changed_at"])
    audit_record(
        actor=user,
        action="reporting.handler_key.reseal",
        obj=user,
        details={"fingerprint": crypto.fingerprint(bytes(key.public_key))},
    )


@transaction.atomic
def handler_password_change(
    *, user: User, old_password: str, new_password: str
) -> None:
    """Change a handler's password and re-seal their key under the new one."""
    _check_password(user, old_password)
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        messages = list(exc.messages)
        raise InvalidInput(
            " ".join(messages), fields={"new_password": list(messages)}
        ) from None
    private = handler_key_unlock(user=user, password=old_password)
    with keyring.rewrap_with(user.pk, private):
        user.set_password(new_password)
        user.save(update_fields=["password"])
    audit_record(actor=user, action="user.password_change", obj=user)


# Wrapping report keys ---------------------------------------------------------------------------


def _wrap_info(report: Report) -> bytes:
    return report.aad("key")


def report_key_share(
    *, report: Report, key: bytes, groups: list[HandlerGroup] | None = None
) -> int:
    """Wrap the report key for every reader of its groups who lacks a copy.

    Readers are the groups' eligible members with a key, and the active
    recovery keys of the groups' organisations. Return how many wraps were made.
    """
    groups = groups if groups is not None else report_groups(report=report)
    if not groups:
        return 0
    have_users = set(
        KeyWrap.objects.filter(report=report, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    have_recovery = set(
        KeyWrap.objects.filter(report=report, recovery_key__isnull=False).values_list(
            "recovery_key_id", flat=True
        )
    )
    info = _wrap_info(report)
    wraps = []
    for handler_key in HandlerKey.objects.filter(
        user__in=group_eligible_members(groups)
    ).exclude(user_id__in=have_users):
        wraps.append(
            KeyWrap(
                report=report,
                user_id=handler_key.user_id,
                wrapped=crypto.wrap(bytes(handler_key.public_key), key, info=info),
            )
        )
    for recovery in RecoveryKey.objects.filter(
        organisation_id__in={g.organisation_id for g in groups},
        retired_at__isnull=True,
    ).exclude(pk__in=have_recovery):
        wraps.append(
            KeyWrap(
                report=report,
                recovery_key=recovery,
                wrapped=crypto.wrap(bytes(recovery.public_key), key, info=info),
            )
        )
    KeyWrap.objects.bulk_create(wraps, ignore_conflicts=True)
    return len(wraps)


def report_key_open(*, report: Report, user: User, private: bytes | None) -> bytes:
    """Return the report key, opened with the handler's unlocked private key."""
    if private is None:
        raise KeyLocked(_("Unlock your reporting key to read reports."))
    wrap = KeyWrap.objects.filter(report=report, user=user).first()
    if wrap is None:
        raise KeyMissing(
            _(
                "Your key does not open this report yet. It opens as soon as a "
                "colleague of your group reads the report, or when your "
                "organisation restores access with its recovery key."
            )
        )
    try:
        return crypto.unwrap(private, bytes(wrap.wrapped), info=_wrap_info(report))
    except crypto.CryptoError:
        raise KeyMissing(
            _("Your key does not open this report. Ask a colleague to read it.")
        ) from None


# Reading -------------------------------------------------------------------------------------


@dataclass
class FilePlain:
    id: int
    name: str
    content_type: str
    size: int
    metadata_removed: bool
    from_reporter: bool
    message_id: int | None


@dataclass
class MessagePlain:
    id: int
    kind: str
    kind_label: str
    author: str
    text: str
    created_at: dt.datetime
    files: list[FilePlain] = field(default_factory=list)


@dataclass
class ReportPlain:
    """A report opened for reading: its metadata and what it says."""

    report: Report
    content: dict[str, Any]
    messages: list[MessagePlain]
    files: list[FilePlain]

    @property
    def report_files(self) -> list[FilePlain]:
        return [f for f in self.files if f.message_id is None]


def _files(report: Report, key: bytes) -> list[FilePlain]:
    out = []
    for attachment in report.attachments.order_by("pk"):
        meta = crypto.unseal_json(
            key, bytes(attachment.meta), aad=report.aad(f"file-meta:{attachment.pk}")
        )
        out.append(
            FilePlain(
                id=attachment.pk,
                name=meta["name"],
                content_type=meta["content_type"],
                size=meta["size"],
                metadata_removed=meta["metadata_removed"],
                from_reporter=attachment.from_reporter,
                message_id=attachment.message_id,
            )
        )
    return out


def report_decrypt(
    *, report: Report, key: bytes, for_reporter: bool = False
) -> ReportPlain:
    """Open a report's content, messages and file list with its key.

    The reporter sees the questions and their own messages, never the notes.
    """
    content = crypto.unseal_json(key, bytes(report.content), aad=report.aad("content"))
    files = _files(report, key)
    by_message: dict[int, list[FilePlain]] = {}
    for f in files:
        if f.message_id is not None:
            by_message.setdefault(f.message_id, []).append(f)
    messages = []
    for message in report.messages.select_related("author").order_by("pk"):
        if for_reporter and not message.reporter_sees:
            continue
        body = crypto.unseal_json(
            key, bytes(message.body), aad=report.aad(f"message:{message.pk}")
        )
        if message.author is not None and not for_reporter:
            author = message.author.get_full_name() or message.author.get_username()
        elif message.author is not None:
            author = _("Handler")
        else:
            author = _("Reporter")
        messages.append(
            MessagePlain(
                id=message.pk,
                kind=message.kind,
                kind_label=str(message.get_kind_display()),
                author=author,
                text=body["text"],
                created_at=message.created_at,
                files=by_message.get(message.pk, []),
            )
        )
    if for_reporter:
        files = [f for f in files if f.from_reporter]
    return ReportPlain(report=report, content=content, messages=messages, files=files)


def report_open(*, actor: User, report: Report, private: bytes | None) -> ReportPlain:
    """Open a report for a handler of its groups.

    Opening also shares the key with group members who lack it (a new member,
    a colleague whose key was reset) and marks the reporter's news as read.
    """
    _check_handler(actor, report)
    key = report_key_open(report=report, user=actor, private=private)
    with transaction.atomic():
        report_key_share(report=report, key=key)
        if report.unread:
            Report.objects.filter(pk=report.pk).update(unread=False)
            report.unread = False
    return report_decrypt(report=report, key=key)


# Submitting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportContent:
    """What a reporter wrote (sealed as one JSON document)."""

    what: str
    when: str = ""
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    people: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    language: str = "en"

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "when": self.when,
            "place": self.place,
            "location": (
                {"lat": self.latitude, "lon": self.longitude}
                if self.latitude is not None and self.longitude is not None
                else None
            ),
            "people": self.people,
            "contact": {
                "name": self.contact_name,
                "phone": self.contact_phone,
                "email": self.contact_email,
            },
            "language": self.language,
        }

    @property
    def anonymous(self) -> bool:
        return not (self.contact_name or self.contact_phone or self.contact_email)


def report_route(
    *, channel: Channel, category: str, port: Port | None
) -> list[HandlerGroup]:
    """Return the groups that receive a report: the triage group and every matching rule."""
    groups: dict[int, HandlerGroup] = {channel.triage_group_id: channel.triage_group}
    for rule in channel.rules.select_related("group").order_by("pk"):
        if rule.category and rule.category != category:
            continue
        if rule.port_id is not None and (port is None or rule.port_id != port.pk):
            continue
        groups.setdefault(rule.group_id, rule.group)
    return list(groups.values())


def _attach(
    *,
    report: Report,
    key: bytes,
    upload: CleanFile,
    message: Message | None,
    from_reporter: bool,
    now: dt.datetime,
) -> Attachment:
    attachment = Attachment(
        report=report,
        message=message,
        from_reporter=from_reporter,
        stored_name="pending-" + secrets.token_hex(8),
        meta=b"",
        created_at=now,
    )
    attachment.save()
    attachment.stored_name = sealed_write(
        upload.data, key=key, aad=report.aad(f"file:{attachment.pk}")
    )
    attachment.meta = crypto.seal_json(
        key,
        {
            "name": upload.name,
            "content_type": upload.content_type,
            "size": len(upload.data),
            "metadata_removed": upload.metadata_removed,
        },
        aad=report.aad(f"file-meta:{attachment.pk}"),
    )
    attachment.save(update_fields=["stored_name", "meta"])
    return attachment


def _check_uploads(uploads: list[CleanFile]) -> None:
    if len(uploads) > settings.REPORTING_MAX_FILES:
        raise field_error(
            "files",
            _("Attach at most %(count)d files.")
            % {"count": settings.REPORTING_MAX_FILES},
        )


def report_submit(
    *,
    channel: Channel,
    category: str,
    port: Port | None,
    content: ReportContent,
    uploads: list[CleanFile] | None = None,
    now: dt.datetime | None = None,
) -> tuple[Report, str]:
    """Receive a report; return it with its receipt, which exists nowhere else.

    The report key is wrapped for the readers of the routed groups, for their
    organisations' recovery keys and for the receipt.
    """
    uploads = uploads or []
    if not channel.is_active:
        raise NotFound(_("This reporting channel is closed."))
    if category not in channel.categories or category not in Category.values:
        raise field_error("category", _("Choose one of the categories offered."))
    if (
        port is not None
        and channel.ports.exists()
        and not channel.ports.filter(pk=port.pk).exists()
    ):
        raise field_error("port", _("Choose one of the ports offered."))
    content = dataclasses.replace(content, what=_text("what", content.what))
    for name in ("when", "place", "people", "contact_name", "contact_phone"):
        _text(name, getattr(content, name), required=False)
    _check_uploads(uploads)

    now = now or timezone.now()
    params = kdf_params()
    pepper = receipt_pepper()
    while True:
        receipt = crypto.receipt_generate()
        keys = crypto.receipt_keys(receipt, pepper=pepper, params=params)
        if not Report.objects.filter(receipt_lookup=keys.lookup).exists():
            break
    key = crypto.random_key()
    groups = report_route(channel=channel, category=category, port=port)
    stored: list[str] = []
    try:
        with transaction.atomic():
            report = Report(
                channel=channel,
                category=category,
                port=port,
                anonymous=content.anonymous,
                received_at=_hour(now),
                activity_at=_hour(now),
                receipt_lookup=keys.lookup,
                receipt_salt=secrets.token_bytes(crypto.SALT_BYTES),
                receipt_kdf=params.encode(),
            )
            report.receipt_wrapped_key = crypto.seal(
                crypto.receipt_wrap_key(keys.master, report.receipt_salt),
                key,
                aad=report.aad("receipt"),
            )
            report.content = crypto.seal_json(
                key, content.as_dict(), aad=report.aad("content")
            )
            report.save()
            ReportAccess.objects.bulk_create(
                ReportAccess(
                    report=report,
                    group=g,
                    via=ReportAccess.Via.ROUTING,
                    granted_at=report.received_at,
                )
                for g in groups
            )
            for upload in uploads:
                attachment = _attach(
                    report=report,
                    key=key,
                    upload=upload,
                    message=None,
                    from_reporter=True,
                    now=report.received_at,
                )
                stored.append(attachment.stored_name)
            shared = report_key_share(report=report, key=key, groups=groups)
            _audit(
                actor=None,
                action="reporting.report.receive",
                report=report,
                channel=channel.slug,
                category=category,
                port=port.locode if port else None,
                groups=[g.code for g in groups],
                files=len(uploads),
            )
    except BaseException:
        for name in stored:
            sealed_delete(name)
        raise
    if not shared:
        # Nobody can read it yet; the reporter's next visit shares it, and so
        # does a recovery. Say so without a word of its content.
        logger.warning(
            "Report %s has no reader with a key yet",
            report.reference,
            extra={"report": report.reference},
        )
    return report, receipt


# The reporter's follow-up -------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def receipt_login(
    *, receipt: str, now: dt.datetime | None = None
) -> tuple[str, Report]:
    """Open a reporter session with a receipt; return the session token and the report.

    Failures are counted for everyone together: past the limit the login pauses
    for everyone until the window ends. No address is kept.
    """
    now = now or timezone.now()
    if abuse.login_paused(now=now):
        raise ReceiptRefused(
            _("Too many wrong receipts were tried. Try again in a few minutes."),
            code="paused",
        )
    digits = crypto.receipt_normalise(receipt)
    found: tuple[Report, bytes] | None = None
    if len(digits) == crypto.RECEIPT_DIGITS:
        pepper = receipt_pepper()
        kdfs = list(
            Report.objects.values_list("receipt_kdf", flat=True)
            .distinct()
            .order_by()[:3]
        ) or [kdf_params().encode()]
        for kdf in kdfs:
            keys = crypto.receipt_keys(
                digits, pepper=pepper, params=crypto.KdfParams.decode(kdf)
            )
            report = Report.objects.filter(receipt_lookup=keys.lookup).first()
            if report is not None:
                found = (report, keys.master)
                break
    if found is None:
        window = settings.REPORTING_RATE_RECEIPT_FAILURES[1]
        abuse.rate_note("receipt-failure", window, now=now)
        raise ReceiptRefused(
            _("This receipt is not known. Check the 16 digits."), code="unknown"
        )
    report, master = found
    key = crypto.unseal(
        crypto.receipt_wrap_key(master, bytes(report.receipt_salt)),
        bytes(report.receipt_wrapped_key),
        aad=report.aad("receipt"),
    )
    token = secrets.token_urlsafe(32)
    secret = secrets.token_bytes(crypto.KEY_BYTES)
    with transaction.atomic():
        ReporterSession.objects.create(
            token_hash=_token_hash(token),
            report=report,
            sealed_key=crypto.seal(secret, key, aad=report.aad("session")),
            expires_at=now
            + dt.timedelta(minutes=settings.REPORTING_REPORTER_SESSION_MINUTES),
        )
        # The reporter's visit shares the key with readers who lack it.
        report_key_share(report=report, key=key)
    return f"{token}.{crypto.b64(secret)}", report


def reporter_session_open(
    *, cookie: str, now: dt.datetime | None = None
) -> tuple[Report, bytes] | None:
    """Return the report and its key for a reporter's session cookie, or None."""
    token, _dot, secret = (cookie or "").partition(".")
    if not token or not secret:
        return None
    now = now or timezone.now()
    session = (
        ReporterSession.objects.select_related("report")
        .filter(token_hash=_token_hash(token), expires_at__gt=now)
        .first()
    )
    if session is None:
        return None
    try:
        key = crypto.unseal(
            crypto.unb64(secret),
            bytes(session.sealed_key),
            aad=session.report.aad("session"),
        )
    except crypto.CryptoError:
        return None
    return session.report, key


def reporter_logout(*, cookie: str) -> None:
    token = (cookie or "").partition(".")[0]
    if token:
        ReporterSession.objects.filter(token_hash=_token_hash(token)).delete()


def _message_add(
    *,
    report: Report,
    key: bytes,
    kind: str,
    author: User | None,
    text: str,
    now: dt.datetime,
) -> Message:
    message = Message(report=report, kind=kind, author=author, body=b"", created_at=now)
    message.save()
    message.body = crypto.seal_json(
        key, {"text": text}, aad=report.aad(f"message:{message.pk}")
    )
    message.save(update_fields=["body"])
    return message


def reporter_message_add(
    *,
    report: Report,
    key: bytes,
    text: str,
    uploads: list[CleanFile] | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """Add the reporter's answer or new information, with files."""
    uploads = uploads or []
    text = _text("text", text, required=not uploads)
    _check_uploads(uploads)
    if report.status == Report.Status.CLOSED:
        raise Conflict(_("This report is closed."))
    now = _hour(now or timezone.now())
    stored: list[str] = []
    try:
        with transaction.atomic():
            message = _message_add(
                report=report,
                key=key,
                kind=Message.Kind.REPORTER,
                author=None,
                text=text,
                now=now,
            )
            for upload in uploads:
                stored.append(
                    _attach(
                        report=report,
                        key=key,
                        upload=upload,
                        message=message,
                        from_reporter=True,
                        now=now,
                    ).stored_name
                )
            Report.objects.filter(pk=report.pk).update(unread=True, activity_at=now)
            _audit(
                actor=None,
                action="reporting.report.reporter_message",
                report=report,
                files=len(uploads),
            )
    except BaseException:
        for name in stored:
            sealed_delete(name)
        raise
    return message


# Handling -----------------------------------------------------------------------------------------


def _check_handler(actor: User, report: Report) -> None:
    groups = handler_groups_for_user(actor=actor).values("id")
    if not ReportAccess.objects.filter(report=report, group__in=groups).exists():
        raise NotFound("Report not found.")


@transaction.atomic
def report_status_set(*, actor: User, report: Report, status: str) -> Report:
    """Move a report to another status; closing it starts the retention period."""
    _check_handler(actor, report)
    if status not in Report.Status.values:
        raise field_error("status", _("Unknown status."))
    old = report.status
    if old == status:
        return report
    report.status = status
    report.closed_at = timezone.now() if status == Report.Status.CLOSED else None
    report.save(update_fields=["status", "closed_at"])
    _audit(
        actor=actor,
        action="reporting.report.status",
        report=report,
        old=old,
        new=status,
    )
    return report


@transaction.atomic
def report_assign(*, actor: User, report: Report, assignee: User | None) -> Report:
    """Assign a report to a handler of its groups (or to nobody)."""
    _check_handler(actor, report)
    if assignee is not None:
        eligible = group_eligible_members(report_groups(report=report))
        if not eligible.filter(pk=assignee.pk).exists():
            raise field_error(
                "assignee", _("Assign the report to a handler of its groups.")
            )
    if report.assignee_id == (assignee.pk if assignee else None):
        return report
    report.assignee = assignee
    if assignee is not None and report.status == Report.Status.NEW:
        report.status = Report.Status.TRIAGE
    report.save(update_fields=["assignee", "status"])
    _audit(
        actor=actor,
        action="reporting.report.assign",
        report=report,
        assignee=assignee.get_username() if assignee else None,
    )
    return report


def report_note_add(
    *, actor: User, report: Report, private: bytes | None, text: str
) -> Message:
    """Add an internal note, which the reporter never sees."""
    _check_handler(actor, report)
    text = _text("text", text)
    key = report_key_open(report=report, user=actor, private=private)
    with transaction.atomic():
        message = _message_add(
            report=report,
            key=key,
            kind=Message.Kind.NOTE,
            author=actor,
            text=text,
            now=timezone.now(),
        )
        _audit(actor=actor, action="reporting.report.note", report=report)
    return message


def report_question_ask(
    *, actor: User, report: Report, private: bytes | None, text: str
) -> Message:
    """Ask the reporter a question; they read it when they come back with the receipt."""
    _check_handler(actor, report)
    text = _text("text", text)
    if report.status == Report.Status.CLOSED:
        raise Conflict(_("Reopen the report before asking the reporter."))
    key = report_key_open(report=report, user=actor, private=private)
    with transaction.atomic():
        message = _message_add(
            report=report,
            key=key,
            kind=Message.Kind.QUESTION,
            author=actor,
            text=text,
            now=timezone.now(),
        )
        if report.status == Report.Status.NEW:
            Report.objects.filter(pk=report.pk).update(status=Report.Status.TRIAGE)
            report.status = Report.Status.TRIAGE
        _audit(actor=actor, action="reporting.report.question", report=report)
    return message


def report_forward(
    *,
    actor: User,
    report: Report,
    private: bytes | None,
    group: HandlerGroup,
    note: str = "",
) -> Report:
    """Forward a report to another group: its readers get the key, and no one else."""
    _check_handler(actor, report)
    note = _text("note", note, required=False)
    if ReportAccess.objects.filter(report=report, group=group).exists():
        raise Conflict(
            _("The report is already with %(group)s.") % {"group": group.name},
            fields={"group": ["already has access"]},
        )
    key = report_key_open(report=report, user=actor, private=private)
    with transaction.atomic():
        ReportAccess.objects.create(
            report=report,
            group=group,
            via=ReportAccess.Via.FORWARD,
            granted_by=actor,
        )
        shared = report_key_share(report=report, key=key, groups=[group])
        text = _("Forwarded to %(group)s.") % {"group": group.name}
        if note:
            text = f"{text}\n\n{note}"
        _message_add(
            report=report,
            key=key,
            kind=Message.Kind.EVENT,
            author=actor,
            text=text,
            now=timezone.now(),
        )
        report.status = Report.Status.FORWARDED
        report.save(update_fields=["status"])
        _audit(
            actor=actor,
            action="reporting.report.forward",
            report=report,
            group=group.code,
            readers=shared,
        )
    return report


def attachment_open(
    *, actor: User, report: Report, attachment_id: Any, private: bytes | None
) -> tuple[str, str, bytes]:
    """Return a file of a report (name, type, content) for a handler."""
    _check_handler(actor, report)
    attachment = None
    if str(attachment_id).isdigit():
        attachment = report.attachments.filter(pk=int(attachment_id)).first()
    if attachment is None:
        raise NotFound("File not found.")
    key = report_key_open(report=report, user=actor, private=private)
    meta = crypto.unseal_json(
        key, bytes(attachment.meta), aad=report.aad(f"file-meta:{attachment.pk}")
    )
    data = sealed_read(
        attachment.stored_name, key=key, aad=report.aad(f"file:{attachment.pk}")
    )
    _audit(
        actor=actor,
        action="reporting.report.file_read",
        report=report,
        file=attachment.pk,
    )
    return meta["name"], meta["content_type"], data


def report_export(
    *, actor: User, report: Report, private: bytes | None
) -> tuple[str, bytes]:
    """Return one report as a ZIP for a case file: its text, its thread and its files."""
    _check_handler(actor, report)
    key = report_key_open(report=report, user=actor, private=private)
    plain = report_decrypt(report=report, key=key)
    groups = report_groups(report=report)
    document = {
        "reference": report.reference,
        "channel": report.channel.name,
        "category": report.get_category_display(),
        "port": report.port.locode if report.port else None,
        "status": report.get_status_display(),
        "received": report.received_at.isoformat(),
        "groups": [g.name for g in groups],
        "assignee": report.assignee.get_username() if report.assignee else None,
        "content": plain.content,
        "messages": [
            {
                "kind": m.kind,
                "author": m.author,
                "at": m.created_at.isoformat(),
                "text": m.text,
                "files": [f.name for f in m.files],
            }
            for m in plain.messages
        ],
        "files": [
            {
                "name": f.name,
                "type": f.content_type,
                "size": f.size,
                "metadata_removed": f.metadata_removed,
                "from_reporter": f.from_reporter,
            }
            for f in plain.files
        ],
        "exported_by": actor.get_username(),
        "exported_at": timezone.now().isoformat(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "report.json", json.dumps(document, ensure_ascii=False, indent=2)
        )
        used: set[str] = set()
        for f in plain.files:
            data = sealed_read(
                report.attachments.get(pk=f.id).stored_name,
                key=key,
                aad=report.aad(f"file:{f.id}"),
            )
            name = f"files/{f.id}-{f.name}"
            while name in used:
                name = f"files/{f.id}-{secrets.token_hex(2)}-{f.name}"
            used.add(name)
            archive.writestr(name, data)
    with transaction.atomic():
        _audit(actor=actor, action="reporting.report.export", report=report)
    return f"{report.reference}.zip", buffer.getvalue()


# The boundary with the sharing module ---------------------------------------------------------------


@dataclass(frozen=True)
class BulletinDraft:
    """What a handler hands to the sharing module to become a security bulletin.

    It holds only what the handler wrote for the bulletin and the report's
    metadata: never the reporter's text, contact details or files, which could
    identify them. ``source`` lets the bulletin point back to the report for
    those who may read it.
    """

    title: str
    summary: str
    category: str
    port: str | None
    indicators: tuple[str, ...]
    source: str
    tlp: str = "amber"


def report_bulletin_draft(
    *,
    actor: User,
    report: Report,
    title: str,
    summary: str,
    indicators: list[str] | None = None,
) -> BulletinDraft:
    """Prepare a bulletin from what a handler learnt (the sharing module publishes it)."""
    _check_handler(actor, report)
    draft = BulletinDraft(
        title=_text("title", title),
        summary=_text("summary", summary),
        category=report.category,
        port=report.port.locode if report.port else None,
        indicators=tuple(i.strip() for i in indicators or [] if i.strip()),
        source=report.reference,
    )
    with transaction.atomic():
        _audit(actor=actor, action="reporting.report.bulletin_draft", report=report)
    return draft


# Recovery ------------------------------------------------------------------------------------------


@transaction.atomic
def recovery_key_create(*, organisation: Organisation) -> tuple[RecoveryKey, bytes]:
    """Make a new recovery key for an organisation; return it with its private half.

    The private half is returned once, to be kept offline. The previous key is
    retired: new reports are wrapped for the new one only.
    """
    pair = crypto.keypair_generate()
    now = timezone.now()
    RecoveryKey.objects.filter(
        organisation=organisation, retired_at__isnull=True
    ).update(retired_at=now)
    recovery = RecoveryKey.objects.create(
        organisation=organisation,
        public_key=pair.public,
        fingerprint=crypto.fingerprint(pair.public),
        created_at=now,
    )
    audit_record(
        actor=None,
        action="reporting.recovery_key.create",
        obj=organisation,
        organisation_id=organisation.pk,
        details={"fingerprint": recovery.fingerprint},
    )
    return recovery, pair.private


def recovery_restore(*, private: bytes, user: User | None = None) -> int:
    """Share the reports a recovery key opens with the readers of their groups.

    With ``user``, only that handler is given the keys. Return the number of
    report keys wrapped anew.
    """
    public = crypto.public_of(private)
    recovery = next(
        (r for r in RecoveryKey.objects.all() if bytes(r.public_key) == public), None
    )
    if recovery is None:
        raise NotFound("No recovery key on record matches this private key.")
    made = 0
    wraps = KeyWrap.objects.filter(recovery_key=recovery).select_related("report")
    for wrap in wraps.iterator():
        report = wrap.report
        key = crypto.unwrap(private, bytes(wrap.wrapped), info=_wrap_info(report))
        with transaction.atomic():
            if user is None:
                made += report_key_share(report=report, key=key)
            else:
                groups = report_groups(report=report)
                eligible = group_eligible_members(groups).filter(pk=user.pk)
                handler_key = HandlerKey.objects.filter(user__in=eligible).first()
                if handler_key is None:
                    continue
                KeyWrap.objects.filter(report=report, user=user).delete()
                KeyWrap.objects.create(
                    report=report,
                    user=user,
                    wrapped=crypto.wrap(
                        bytes(handler_key.public_key), key, info=_wrap_info(report)
                    ),
                )
                made += 1
    audit_record(
        actor=None,
        action="reporting.recovery_key.restore",
        obj=recovery.organisation,
        organisation_id=recovery.organisation_id,
        details={
            "fingerprint": recovery.fingerprint,
            "user": user.get_username() if user else None,
            "report_keys": made,
        },
    )
    return made


# Retention ------------------------------------------------------------------------------------------


def _files_delete(names: list[str]) -> None:
    for name in names:
        sealed_delete(name)


def retention_run(now: dt.datetime | None = None) -> int:
    """Delete the reports closed longer ago than the retention period, files included.

    Each deletion is an entry in the audit chain. The sealed files are deleted
    after the rows; since the report key and all its wraps are gone with the
    rows, a copy of a file left behind can no longer be opened. Return the
    number of reports deleted.
    """
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.REPORTING_RETENTION_DAYS)
    deleted = 0
    for pk in Report.objects.filter(
        status=Report.Status.CLOSED, closed_at__lte=limit
    ).values_list("pk", flat=True):
        with transaction.atomic():
            report = (
                Report.objects.select_for_update()
                .filter(pk=pk, status=Report.Status.CLOSED, closed_at__lte=limit)
                .first()
            )
            if report is None:
                continue
            names = list(report.attachments.values_list("stored_name", flat=True))
            reference = report.reference
            details = {
                "closed_at": report.closed_at.isoformat() if report.closed_at else None,
                "messages": report.messages.count(),
                "files": len(names),
                "retention_days": settings.REPORTING_RETENTION_DAYS,
            }
            _audit(
                actor=None, action="reporting.report.delete", report=report, **details
            )
            report.delete()
            transaction.on_commit(functools.partial(_files_delete, names))
        deleted += 1
        logger.info("Deleted report %s after retention", reference)
    return deleted


def retention_job() -> None:
    """The periodic job: retention, expired reporter sessions, spent challenges."""
    now = timezone.now()
    retention_run(now)
    ReporterSession.objects.filter(expires_at__lte=now).delete()
    abuse.sweep(now=now)
