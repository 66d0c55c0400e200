"""The web client is served at / beside the API; the API's paths are untouched (config/webclient.py)."""

import pytest


@pytest.fixture
def dist(tmp_path, settings):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><div id="root"></div><script src="/assets/index-abc.js"></script>')
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    settings.WEB_DIST_DIR = tmp_path
    return tmp_path


def test_index_is_served_at_root_and_on_client_routes_with_the_csrf_cookie(client, dist):
    for path in ("/", "/children/Q2hpbGQ6MQ==", "/dashboard"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'id="root"' in response.content
        assert response["Cache-Control"] == "no-cache"
        assert "csrftoken" in response.cookies


def test_hashed_assets_are_served_immutable_and_nothing_outside_them(client, dist):
    response = client.get("/assets/index-abc.js")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == b"console.log(1)"
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/assets/../index.html").status_code == 404  # nothing outside web/dist/assets


def test_api_paths_still_reach_the_api(client, dist):
    assert client.get("/auth/csrf/").json()["csrfToken"]
    assert client.get("/graphql", HTTP_ACCEPT="text/html").status_code == 200  # GraphiQL, not the client
    assert b'id="root"' not in client.get("/graphql", HTTP_ACCEPT="text/html").content
    assert client.get("/jobs/999999/result/").status_code in (302, 403, 404)
    assert client.get("/files/child-photos/1/").status_code in (302, 403, 404)


def test_unbuilt_client_says_so_and_the_api_works(client, settings, tmp_path):
    settings.WEB_DIST_DIR = tmp_path / "nowhere"
    response = client.get("/")
    assert response.status_code == 503
    assert "make web" in response.content.decode()
    assert client.get("/auth/csrf/").status_code == 200


def test_unsafe_methods_are_refused_on_the_client_routes(client, dist):
    assert client.post("/children").status_code in (403, 405)


def test_precompressed_assets_are_sent_to_browsers_that_accept_them(client, dist):
    import gzip

    source = dist / "assets" / "index-abc.js"
    (dist / "assets" / "index-abc.js.gz").write_bytes(gzip.compress(source.read_bytes()))
    (dist / "assets" / "index-abc.js.br").write_bytes(b"brotli bytes")

    def get(accept):
        response = client.get("/assets/index-abc.js", HTTP_ACCEPT_ENCODING=accept)
        return response, b"".join(response.streaming_content)

    response, body = get("gzip, deflate, br")
    assert (response["Content-Encoding"], body) == ("br", b"brotli bytes")
    assert response["Content-Type"].startswith("text/javascript") and "Accept-Encoding" in response["Vary"]
    response, body = get("gzip, deflate")
    assert response["Content-Encoding"] == "gzip" and gzip.decompress(body) == b"console.log(1)"
    response, body = get("identity")
    assert "Content-Encoding" not in response and body == b"console.log(1)"
    (dist / "assets" / "index-abc.js.br").unlink()
    assert get("br, gzip")[0]["Content-Encoding"] == "gzip"  # the build may not have written every variant
