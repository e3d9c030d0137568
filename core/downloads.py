"""Every file the product hands out is sent by attachment(): saved by the browser, never shown or sniffed."""

import mimetypes

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content, filename: str, *, content_type: str | None = None) -> HttpResponse:
    """An open file (streamed), or bytes or text built for the request, as a download named `filename`.

    The content type is guessed from the name unless given. nosniff is set here although SecurityMiddleware
    sends it too: a download must keep it whatever the middleware settings.
    """
    if isinstance(content, bytes | str):
        content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        response = FileResponse(content, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# What an uploaded file is by content (core.validators.sniff_upload_type): its type and the extensions its
# name may end in.
UPLOAD_TYPES = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
}


def upload_download(file, filename: str, kind: str | None) -> HttpResponse:
    """An uploaded file as a download, typed by its content (`kind`), not by the name it was uploaded with.

    Uploads are accepted by content whatever their name; the saved copy is opened by its name's extension,
    so a PDF uploaded as page.html is handed out as page.html.pdf. Anything else is plain bytes.
    """
    content_type, extensions = UPLOAD_TYPES.get(kind, ("application/octet-stream", ()))
    if extensions and not filename.lower().endswith(extensions):
        filename = f"{filename}{extensions[0]}"
    return attachment(file, filename, content_type=content_type)
