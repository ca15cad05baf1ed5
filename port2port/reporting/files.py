"""Uploaded files: recognise them, strip image metadata, keep them sealed on disk.

The type is read from the content, never from the name or the browser's word.
Images (JPEG, PNG, WebP, GIF) are decoded and re-encoded from their pixels
alone, so that EXIF (camera, times, GPS position), XMP, IPTC, comments and
colour profiles are gone, and they are renamed ``image-N``; their orientation
is applied first so they still look right. PDF files are kept as they are and
flagged to the handler as "may contain metadata". Anything else is refused.

Uploads are read into memory only (``BoundedMemoryUploadHandler``), so that no
unencrypted temporary file is written.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from PIL import Image, ImageOps, UnidentifiedImageError

from port2port.reporting import crypto

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
}


class FileRefused(Exception):
    """A file that is not accepted (its type or its size)."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.name = name


@dataclass(frozen=True)
class CleanFile:
    """A file ready to be sealed."""

    name: str
    content_type: str
    data: bytes
    metadata_removed: bool


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keep uploads in memory, and stop a request whose files grow too large."""

    def __init__(self, request: object = None) -> None:
        super().__init__(request)  # type: ignore[arg-type]
        self.total = 0
        self.stopped = False
        self.buffer: io.BytesIO | None = None

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)  # type: ignore[arg-type]
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.total += len(raw_data)
        limit = settings.REPORTING_MAX_FILE_BYTES * settings.REPORTING_MAX_FILES
        if self.total > limit or start + len(raw_data) > (
            settings.REPORTING_MAX_FILE_BYTES + 1
        ):
            # Stop reading; the view sees the form without the files and says so.
            self.stopped = True
            self.buffer = None
            raise StopUpload(connection_reset=False)
        if self.buffer is not None:
            self.buffer.write(raw_data)
        return

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.buffer is None:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def _clean_image(data: bytes, index: int) -> CleanFile | None:
    image: Image.Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format or ""
            if image_format not in IMAGE_FORMATS:
                return None
            width, height = image.size
            if width * height > settings.REPORTING_MAX_IMAGE_PIXELS:
                raise FileRefused("too_large")
            image.load()
            image = ImageOps.exif_transpose(image) or image
    except UnidentifiedImageError:
        return None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise FileRefused("too_large") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise FileRefused("damaged") from exc
    extension = IMAGE_FORMATS[image_format]
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = "A" in image.getbands() or image.mode == "P"
        image = image.convert("RGBA" if has_alpha else "RGB")
    if extension == "jpg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # A new image built from the pixels alone carries none of the original's
    # metadata (``info`` is empty), whatever the encoder would copy.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if extension == "jpg":
        clean.save(out, format="JPEG", quality=90)
    elif extension == "webp":
        clean.save(out, format="WEBP", quality=90)
    else:
        clean.save(out, format="PNG", optimize=True)
    return CleanFile(
        name=f"image-{index}.{extension}",
        content_type=CONTENT_TYPES[extension],
        data=out.getvalue(),
        metadata_removed=True,
    )


def _safe_name(name: str, fallback: str) -> str:
    base = Path(name.replace("\\", "/")).name
    kept = "".join(ch for ch in base if ch.isalnum() or ch in "._- ").strip(" .")
    return kept[:100] or fallback


def file_clean(upload: UploadedFile, index: int) -> CleanFile:
    """Recognise one upload and return it cleaned; raise ``FileRefused`` otherwise."""
    if upload.size is not None and upload.size > settings.REPORTING_MAX_FILE_BYTES:
        raise FileRefused("too_large", upload.name or "")
    data = upload.read(settings.REPORTING_MAX_FILE_BYTES + 1)
    if len(data) > settings.REPORTING_MAX_FILE_BYTES:
        raise FileRefused("too_large", upload.name or "")
    if not data:
        raise FileRefused("empty", upload.name or "")
    if data.startswith(b"%PDF-"):
        return CleanFile(
            name=_safe_name(upload.name or "", f"document-{index}.pdf"),
            content_type=CONTENT_TYPES["pdf"],
            data=data,
            metadata_removed=False,
        )
    try:
        image = _clean_image(data, index)
    except FileRefused as exc:
        raise FileRefused(exc.message, upload.name or "") from None
    if image is None:
        raise FileRefused("type", upload.name or "")
    return image


# Sealed storage ----------------------------------------------------------------------------


def _path(stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise ValueError("Not a stored file name")
    return Path(settings.REPORTING_FILES_DIR) / stored_name[:2] / stored_name


def sealed_write(data: bytes, *, key: bytes, aad: bytes) -> str:
    """Seal ``data`` under the report key into a new file; return its random name."""
    stored_name = secrets.token_hex(24)
    path = _path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    sealed = crypto.seal(key, data, aad=aad)
    with open(path, "xb") as handle:
        handle.write(sealed)
    path.chmod(0o600)
    return stored_name


def sealed_read(stored_name: str, *, key: bytes, aad: bytes) -> bytes:
    return crypto.unseal(key, _path(stored_name).read_bytes(), aad=aad)


def sealed_delete(stored_name: str) -> None:
    """Delete a sealed file; a file already gone is fine."""
    with contextlib.suppress(FileNotFoundError):
        _path(stored_name).unlink()
