"""Serves the built staff web client (web/dist) at / beside the API.

The client is a single-page app: /assets/<hashed file> are its immutable bundles and every other path that is
not the API's (/graphql, /admin, /auth, /files, /jobs, /static) answers index.html, so that a reload on
/children/… still opens the console. index.html sets the csrftoken cookie on the way. The build writes each
asset precompressed beside itself (.br, .gz): the one the browser accepts is sent, with Content-Encoding and
Vary: Accept-Encoding, so nothing is compressed per request and nothing goes out uncompressed. When the client has not
been built (no Node on the machine), / says so in Chinese and English and the API works as before.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.urls import re_path
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

NOT_BUILT = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>工作台未构建 / Web client not built</title>
<body style="font:15px/1.6 sans-serif;max-width:40em;margin:3em auto">
<h1>工作台尚未构建</h1><p>运行 <code>make web</code>（需要 Node 20 和 npm）后刷新本页。接口不受影响：
<a href="/graphql">/graphql</a>，<a href="/admin/">/admin/</a>。</p>
<p lang="en">The web client has not been built: run <code>make web</code> (needs Node 20 and npm), then reload.
The API is unaffected.</p></body></html>"""

API_PREFIXES = ("graphql", "admin/", "auth/", "files/", "jobs/", "static/", "assets/")


def _dist() -> Path:
    return Path(settings.WEB_DIST_DIR)


@require_safe
@ensure_csrf_cookie
def index(request, path=""):
    page = _dist() / "index.html"
    if not page.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    response = HttpResponse(page.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


ENCODINGS = (("br", ".br"), ("gzip", ".gz"))  # preferred first


def _accepted(request) -> set[str]:
    return {part.split(";")[0].strip() for part in request.headers.get("Accept-Encoding", "").split(",")
            if not part.strip().endswith(";q=0")}


@require_safe
def asset(request, path):
    root = (_dist() / "assets").resolve()
    file = (root / path).resolve()
    if not file.is_file() or root not in file.parents:
        raise Http404(path)
    content_type, _ = mimetypes.guess_type(file.name)
    accepted, encoding, sent = _accepted(request), None, file
    for name, suffix in ENCODINGS:
        packed = file.with_name(file.name + suffix)
        if name in accepted and packed.is_file():
            encoding, sent = name, packed
            break
    response = FileResponse(sent.open("rb"), content_type=content_type or "application/octet-stream")
    response.headers.pop("Content-Encoding", None)  # FileResponse guesses one from a .gz/.br name
    if encoding:
        response["Content-Encoding"] = encoding
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # file names carry a content hash
    return response


_not_api = "|".join(p.replace("/", r"/") for p in API_PREFIXES)
urlpatterns = [
    re_path(r"^assets/(?P<path>.+)$", asset, name="web-asset"),
    re_path(rf"^(?!(?:{_not_api}))(?P<path>.*)$", index, name="web-client"),
]
