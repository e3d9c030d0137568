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
