"""HTTP clients of the running cluster (platform/cluster/cluster.py), with nothing but the standard library.

An app node is reached directly over plain HTTP as nginx reaches it (``X-Forwarded-Proto: https``: TLS ends at
nginx); the session cookie is Secure, so cookies are kept here and sent by hand, whatever the port.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CLUSTER_PY = ROOT / "platform" / "cluster" / "cluster.py"
NGINX, WEB1, WEB2 = 18000, 18001, 18002
PG = {"a": 15432, "b": 15433}
PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
LOGIN = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { user { username } errors { code } } }"


def cluster(*args: str) -> str:
    """Runs platform/cluster/cluster.py (up, promote, kill web1, ...); its output."""
    done = subprocess.run([sys.executable, str(CLUSTER_PY), *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def cluster_state() -> dict:
    return json.loads((ROOT / "var" / "cluster" / "state.json").read_text())


def psql(port: int, sql: str, database: str = "platform") -> str:
    done = subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                           "-d", database, "-Atqc", sql], capture_output=True, text=True, check=True)
    return done.stdout.strip()


class Unavailable(Exception):
    """The request did not get an answer from the app (connection refused or reset, a 502/503 from nginx)."""


class Client:
    def __init__(self, port: int = NGINX):
        self.port = port
        self.cookies: dict[str, str] = {}

    def on(self, port: int) -> "Client":
        """The same session (same cookies) through another entrance."""
        other = Client(port)
        other.cookies = self.cookies
        return other

    def _connection(self):
        if self.port == NGINX:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60,
                                               context=ssl._create_unverified_context())
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        origin = f"https://127.0.0.1:{self.port}"
        headers = {"Host": f"127.0.0.1:{self.port}", "Origin": origin, "Referer": origin + "/", **(headers or {})}
        if self.port != NGINX:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise Unavailable(repr(error)) from error
        finally:
            connection.close()
        if response.status in (502, 503):
            raise Unavailable(f"HTTP {response.status}")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def post(self, query: str, variables: dict | None = None) -> dict:
        if "csrftoken" not in self.cookies:
            self.request("GET", "/auth/csrf/")
        status, content = self.request("POST", "/graphql", json.dumps({"query": query, "variables": variables or {}}).encode(),
                                       {"Content-Type": "application/json"})
        assert status == 200, (status, content[:500])
        return json.loads(content)

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        payload = self.post(query, variables)
        assert not payload.get("errors"), payload["errors"]
        return payload["data"]

    def login(self, username: str) -> "Client":
        result = self(LOGIN, {"u": username, "p": PASSWORD})["login"]
        assert result["user"] and not result["errors"], result
        return self

    def upload(self, query: str, variables: dict, file_variable: str, filename: str, content: bytes) -> dict:
        """A GraphQL multipart request (the upload spec the web client uses)."""
        if "csrftoken" not in self.cookies:
            self.request("GET", "/auth/csrf/")
        boundary = uuid.uuid4().hex
        operations = json.dumps({"query": query, "variables": {**variables, file_variable: None}})
        parts = [("operations", None, operations.encode()),
                 ("map", None, json.dumps({"0": [f"variables.{file_variable}"]}).encode()), ("0", filename, content)]
        body = b""
        for name, file, data in parts:
            disposition = f'form-data; name="{name}"' + (f'; filename="{file}"' if file else "")
            body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode("utf-8") + data + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        status, content = self.request("POST", "/graphql", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert status == 200, (status, content[:500])
        payload = json.loads(content)
        assert not payload.get("errors"), payload["errors"]
        return payload["data"]


def wait_for(condition, seconds: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = condition()
        except Unavailable:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(every)
