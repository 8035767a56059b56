#!/usr/bin/env python3
"""The scale-out test (issue #17, "Proof"): three release servers on one PostgreSQL behind nginx.

Run it with scripts/scale-out.sh (which provides PostgreSQL through scripts/with-postgres.sh).
Python 3 standard library only. It starts, each on its own loopback port:
  - three `signpost serve` release servers on one fresh PostgreSQL database,
  - nginx from Debian, round-robin in front of them, with deploy/nginx/http.conf and
    deploy/nginx/locations.conf as they are (only the upstream list and the listening address
    are written here: plain HTTP on loopback instead of TLS),
  - a real SMTP server (aiosmtpd, from end2end/.venv) filing every message in a Maildir,
then, talking to the proxy only (a server is addressed directly only to ask it a search), checks:
  1. a directory editor signs in (password + TOTP) and edits a listing; within 3 s a search on
     each server finds the new words (each server was asked before the edit, so a per-process
     results cache that is not invalidated fails this too);
  2. a request for support is sent page by page, each request served by a different server than
     the one before (read from nginx's log); the Hub sees it in its queue; exactly one triage
     email reaches the SMTP server;
  3. the public-form limit (10 an hour) holds for one visitor address across the three servers,
     and an X-Forwarded-For header the visitor writes does not reset it;
  4. under a bounded load (SCALE_LOAD_SECS, default 60 s) of searches and requests for support,
     one server is killed with SIGKILL (and started again) and another restarted (SIGTERM, start):
     no request is lost or duplicated, no email lost or sent twice; a server that was down finds
     an edit made while it was down; the proxy's error count is reported;
  5. prints `N passed, M failed` (exit status 1 if anything failed);
  and, for the production kit: the systemd unit passes `systemd-analyze verify` and
  `systemd-analyze security` (exposure at most 2.0), the production nginx site (with TLS)
  passes `nginx -t`, and a backup taken with pg_dump restores with pg_restore into a fresh
  database on which a new server answers /readyz 200 with the same number of services.

Visitors are told apart the way the servers see them: each simulated visitor connects to nginx
from its own loopback address (127.x.y.z), and nginx passes it in X-Forwarded-For.

Settings (environment): TEST_DATABASE_URL (required; a database on the server the test may
create databases on), SIGNPOST_BIN (default $CARGO_TARGET_DIR/release/signpost or
target/release/signpost), LEPTOS_SITE_ROOT (default target/site), SCALE_LOAD_SECS (60),
SCALE_SEARCH (embedded or meilisearch; meilisearch needs MEILI_URL), SCALE_KEEP=1 keeps the
temporary folder (logs) afterwards.
"""

import base64
import email
import email.policy
import glob
import hashlib
import hmac
import html
import html.parser
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "harbour lantern pebble"
PROXY_HOST = "127.0.0.1"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Results


class Results:
    def __init__(self):
        self.passed = []
        self.failed = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed.append(name)
            print(f"PASS  {name}" + (f" ({detail})" if detail else ""), flush=True)
        else:
            self.failed.append(name)
            print(f"FAIL  {name}: {detail}", flush=True)
        return ok


# ---------------------------------------------------------------------------------------------
# HTTP: one visitor = one source address and one cookie jar


class TransportError(Exception):
    pass


class Response:
    def __init__(self, status, headers, text, request_id):
        self.status = status
        self.headers = headers
        self.text = text
        self.request_id = request_id

    def location(self):
        return self.headers.get("Location", "")


class Visitor:
    """A browser without JavaScript: cookies, forms, no automatic redirects."""

    _counter = itertools.count(1)

    def __init__(self, proxy_port, source=None):
        self.proxy_port = proxy_port
        if source is None:
            n = next(Visitor._counter)
            source = f"127.{10 + n // 62500}.{(n // 250) % 250 + 1}.{n % 250 + 1}"
        self.source = source
        self.cookies = {}
        self.request_ids = []

    def request(self, method, path, fields=None, port=None, headers=None, timeout=20):
        conn = http.client.HTTPConnection(
            PROXY_HOST, port or self.proxy_port, timeout=timeout, source_address=(self.source, 0)
        )
        request_id = secrets.token_hex(12)
        sent = {"X-Request-Id": request_id, "User-Agent": "signpost-scale-out"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser says about a form posted from the site's own page.
            sent["Origin"] = f"http://{PROXY_HOST}:{self.proxy_port}"
            sent["Sec-Fetch-Site"] = "same-origin"
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            r = conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException) as e:
            raise TransportError(f"{method} {path}: {e!r}") from e
        finally:
            conn.close()
        for raw in r.headers.get_all("Set-Cookie") or []:
            first, *attrs = [p.strip() for p in raw.split(";")]
            name, _, value = first.partition("=")
            gone = any(a.lower() in ("max-age=0",) for a in attrs) or value == ""
            if gone:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if port is None:
            self.request_ids.append(request_id)
        return Response(r.status, r.headers, data.decode("utf-8", "replace"), request_id)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, **kw):
        return self.request("POST", path, fields=fields, **kw)


class Form:
    def __init__(self, attrs):
        self.attrs = attrs
        self.fields = []  # (name, value) in document order, as a browser would send them
        self.buttons = []  # (name, value, text)


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None
        self._select = None
        self._button = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind in ("submit", "button", "image", "reset", "file"):
                if kind == "submit":
                    self._form.buttons.append((name, a.get("value", ""), a.get("value", "")))
            else:
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif tag == "button":
            self._button = [a.get("name", ""), a.get("value", ""), "", a.get("type", "submit")]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, first, chosen = self._select
            value = chosen if chosen is not None else first
            if value is not None:
                self._form.fields.append((name, value))
            self._select = None
        elif tag == "button" and self._button is not None and self._form is not None:
            name, value, text, kind = self._button
            if kind == "submit":
                self._form.buttons.append((name, value, text.strip()))
            self._button = None


def forms_of(page):
    parser = FormParser()
    parser.feed(page)
    return parser.forms


def form_with(page, field=None, button=None):
    """The first form of `page` with an input named `field` or a button with value `button`."""
    for f in forms_of(page):
        if field is not None and any(n == field for n, _ in f.fields):
            return f
        if button is not None and any(v == button for _, v, _ in f.buttons):
            return f
    raise AssertionError(f"no form with field={field!r} button={button!r} in the page")


def set_field(fields, name, value):
    out = [(n, v) for n, v in fields if n != name]
    out.append((name, value))
    return out


def title(page):
    m = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""


# ---------------------------------------------------------------------------------------------
# TOTP (RFC 6238: SHA-1, 6 digits, 30 s), as an authenticator app computes it


def totp(secret, at):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{number:06d}"


# ---------------------------------------------------------------------------------------------
# The pieces: PostgreSQL (psql), the servers, nginx, the SMTP server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_tool(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
    return found[-1] if found else shutil.which(name) or name


class Database:
    def __init__(self, url):
        self.url = url

    def query(self, sql):
        """Rows of `sql` (each a list of strings). Only the test's own values go into `sql`."""
        args = [pg_tool("psql"), self.url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1"]
        out = subprocess.run(args, input=sql, capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def scalar(self, sql):
        rows = self.query(sql)
        return rows[0][0] if rows else None


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


class Server:
    def __init__(self, index, port, env, workdir):
        self.index = index
        self.port = port
        self.env = env
        self.workdir = workdir
        self.proc = None
        self.log_path = os.path.join(workdir, f"server-{index}.log")

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        env = dict(self.env)
        env["LEPTOS_SITE_ADDR"] = self.addr
        env["SIGNPOST_SEARCH_DIR"] = os.path.join(self.workdir, f"search-index-{self.index}")
        env["SIGNPOST_MAIL_DIR"] = os.path.join(self.workdir, f"mail-{self.index}")
        out = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.env["SIGNPOST_BIN"], "serve"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
        out.close()

    def ready(self, timeout=60):
        """Waits for /readyz 200; False if the process died or time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout=40):
        """SIGTERM: a graceful stop (requests in flight finish)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return False
        return True

    def search_finds(self, words, href):
        v = Visitor(None, source="127.0.0.1")
        r = v.get("/search?" + urllib.parse.urlencode({"q": words}), port=self.port, timeout=5)
        return r.status == 200 and f'href="{href}"' in r.text


class ProxyLog:
    """nginx's access log (deploy/nginx/http.conf's JSON format), looked up by request id."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.entries = {}
        self.ordered = []
        self.lock = threading.Lock()

    def _read(self):
        with self.lock:
            try:
                with open(self.path, "rb") as f:
                    f.seek(self.offset)
                    data = f.read()
            except FileNotFoundError:
                return
            end = data.rfind(b"\n") + 1
            self.offset += end
            for line in data[:end].decode("utf-8", "replace").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                self.entries[entry["request_id"]] = entry
                self.ordered.append(entry)

    def entry(self, request_id, wait=2.0):
        deadline = time.monotonic() + wait
        while True:
            self._read()
            if request_id in self.entries or time.monotonic() > deadline:
                return self.entries.get(request_id)
            time.sleep(0.02)

    def mark(self):
        self._read()
        return len(self.ordered)

    def since(self, mark):
        self._read()
        return self.ordered[mark:]


class Maildir:
    def __init__(self, path):
        self.path = path

    def messages(self):
        out = []
        for sub in ("new", "cur"):
            for name in sorted(os.listdir(os.path.join(self.path, sub)) if os.path.isdir(os.path.join(self.path, sub)) else []):
                with open(os.path.join(self.path, sub, name), "rb") as f:
                    m = email.message_from_bytes(f.read(), policy=email.policy.default)
                out.append(
                    {
                        "message_id": str(m.get("Message-ID", "")).strip(),
                        "subject": str(m.get("Subject", "")),
                        "to": str(m.get("X-RcptTo", "")),
                    }
                )
        return out

    def with_subject(self, text):
        return [m for m in self.messages() if text in m["subject"]]


# ---------------------------------------------------------------------------------------------
# Journeys through the proxy


def sign_in(proxy_port, email_address, secret=None):
    """Signs in (password, then the authenticator app's code). The first time the account has no
    app yet: it is set up (enrolment) and its key returned. Returns (visitor, secret)."""
    v = Visitor(proxy_port)
    page = v.get("/staff/sign-in")
    assert page.status == 200, f"sign-in page: {page.status}"
    f = form_with(page.text, field="password")
    fields = set_field(set_field(f.fields, "email", email_address), "password", PASSWORD)
    r = v.post(f.attrs.get("action", "/staff/sign-in"), fields)
    assert r.status == 303, f"password step: {r.status} {title(r.text)}"
    step = r.location()
    page = v.get(step)
    if secret is None:
        assert step.startswith("/staff/enrol"), f"first sign-in went to {step}"
        m = re.search(r'id="totp-secret"[^>]*>([^<]+)<', page.text)
        assert m, "no key on the enrolment page"
        secret = re.sub(r"\s", "", m.group(1))
        code = totp(secret, time.time())
    else:
        assert step.startswith("/staff/sign-in/code"), f"sign-in went to {step}"
        # The next step's code: the one used to enrol is accepted only once.
        code = totp(secret, time.time() + 30)
    f = form_with(page.text, field="code")
    r = v.post(f.attrs.get("action", step), set_field(f.fields, "code", code))
    assert r.status in (200, 303), f"code step: {r.status} {title(r.text)}"
    if r.status == 200:
        assert "set up" in title(r.text), f"code step: {title(r.text)}"
    return v, secret


def edit_listing(editor, service_id, words, port=None):
    """Adds `words` to a listing's description through the editor: preview, then save (through
    the proxy, or on the server listening on `port`)."""
    page = editor.get(f"/staff/directory/services/{service_id}/edit", port=port)
    assert page.status == 200, f"editor: {page.status} {title(page.text)}"
    f = form_with(page.text, button="preview")
    description = dict(f.fields).get("description", "")
    fields = set_field(f.fields, "description", f"{description.rstrip()} Also known as {words}.")
    action = f.attrs.get("action")
    r = editor.post(action, fields + [("action", "preview")], port=port)
    assert r.status == 200, f"preview: {r.status} {title(r.text)}"
    f = form_with(r.text, button="save")
    r = editor.post(f.attrs.get("action", action), f.fields + [("action", "save")], port=port)
    assert r.status == 303, f"save: {r.status} {title(r.text)}"
    done = editor.get(r.location(), port=port)
    assert "saved and published" in done.text, f"after save: {title(done.text)}"


def family_steps(marker, family_email):
    return [
        ("who", [("who", "parent")]),
        ("your-details", [("your_name", "Alex Scaleout"), ("your_relationship", "Mother"), ("your_phone", "01632 960001"), ("your_email", family_email)]),
        ("postcode", [("postcode", "bk1 4ab")]),
        ("agreement", [("family_agrees_support", "yes"), ("family_share_with", "school"), ("must_not_see", "")]),
        ("children/1", [("child_first_name", "Sam"), ("child_last_name", "Scaleout"), ("child_dob-day", "14"), ("child_dob-month", "3"), ("child_dob-year", "2019"), ("child_school", "Millbrook Primary"), ("child_send", "not-sure")]),
        ("children", [("add_another", "no")]),
        ("adults", [("add_another", "no")]),
        ("professionals", [("add_another", "no")]),
        ("support-in-place", [("team_around_family", "no"), ("social_worker_allocated", "not-sure")]),
        ("worries", [("worries", f"Worried about sleep {marker}")]),
        ("working-well", [("working_well", "Mornings")]),
        ("needs-to-happen", [("needs_to_happen", "Help with bedtimes")]),
        ("child-wants", [("child_wants", "More play")]),
        ("need-areas", [("need_areas", "housing")]),
        ("contact", [("contact_method", "phone"), ("safe_to_call", "yes"), ("safe_to_leave_message", "no"), ("safe_to_write", "yes")]),
        ("access-needs", [("interpreter", "no")]),
        ("check-answers", []),
    ]


RETRYABLE = (502, 503, 504)


def with_retries(call, attempts=12, pause=0.25, errors=None):
    """A person pressing the button again after an error page or a dropped connection."""
    last = None
    for _ in range(attempts):
        try:
            r = call()
        except TransportError as e:
            last = str(e)
            if errors is not None:
                errors.append(last)
            time.sleep(pause)
            continue
        if r.status in RETRYABLE:
            last = f"HTTP {r.status}"
            if errors is not None:
                errors.append(last)
            time.sleep(pause)
            continue
        return r
    raise AssertionError(f"gave up after {attempts} attempts: {last}")


def request_support(visitor, marker, family_email, with_pages=False, errors=None):
    """The whole request for support; returns its reference."""
    for slug, fields in family_steps(marker, family_email):
        path = f"/request-support/{slug}"
        if with_pages:
            page = with_retries(lambda: visitor.get(path), errors=errors)
            assert page.status == 200, f"GET {slug}: {page.status}"
        r = with_retries(lambda: visitor.post(path, fields), errors=errors)
        assert r.status == 303, f"POST {slug}: {r.status} {title(r.text)}"
    r = with_retries(lambda: visitor.get("/request-support/confirmation"), errors=errors)
    m = re.search(r'id="reference">(EH-[0-9A-Z]{4}-[0-9A-Z]{4})<', r.text)
    assert r.status == 200 and m, f"confirmation: {r.status} {title(r.text)}"
    return m.group(1)


# ---------------------------------------------------------------------------------------------
# The test


class ScaleOut:
    def __init__(self, results):
        self.results = results
        self.check = results.check
        self.procs = []
        self.servers = []
        self.tmp = tempfile.mkdtemp(prefix="signpost-scale.")
        os.chmod(self.tmp, 0o755)  # nginx's workers run as another user when started as root
        self.bin = os.path.abspath(
            os.environ.get("SIGNPOST_BIN")
            or os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "signpost")
        )
        self.site = os.path.abspath(os.environ.get("LEPTOS_SITE_ROOT", os.path.join(ROOT, "target", "site")))
        self.load_secs = float(os.environ.get("SCALE_LOAD_SECS", "60"))
        self.search = os.environ.get("SCALE_SEARCH", "embedded")

    # -- the kit, without servers

    def kit_checks(self):
        unit = os.path.join(ROOT, "deploy", "systemd", "signpost.service")
        if not shutil.which("systemd-analyze"):
            self.check("systemd unit: systemd-analyze verify", False, "systemd-analyze is not installed (scripts/setup.sh --test)")
        else:
            # The unit names the installed path; here the binary is the one just built.
            local = os.path.join(self.tmp, "signpost.service")
            with open(unit) as f, open(local, "w") as out:
                out.write(f.read().replace("/usr/local/bin/signpost", self.bin))
            v = subprocess.run(["systemd-analyze", "verify", local], capture_output=True, text=True)
            self.check("systemd unit: systemd-analyze verify", v.returncode == 0 and not v.stderr.strip(), (v.stderr or v.stdout).strip())
            s = subprocess.run(
                ["systemd-analyze", "security", "--offline=yes", "--threshold=20", "--no-pager", local],
                capture_output=True, text=True,
            )
            score = re.search(r"Overall exposure level for \S+: ([0-9.]+ \S+)", s.stdout)
            self.check(
                "systemd unit: systemd-analyze security (exposure at most 2.0)",
                s.returncode == 0,
                score.group(1) if score else (s.stderr or s.stdout).strip()[-300:],
            )
        # The production nginx site (TLS included) as written, with a throwaway certificate.
        conf = os.path.join(self.tmp, "nginx-production")
        os.makedirs(os.path.join(conf, "logs"))
        os.symlink(os.path.join(ROOT, "deploy", "nginx"), os.path.join(conf, "signpost"))
        cert, key = os.path.join(conf, "cert.pem"), os.path.join(conf, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=signpost.test", "-keyout", key, "-out", cert],
            capture_output=True, check=True,
        )
        with open(os.path.join(ROOT, "deploy", "nginx", "signpost.conf")) as f:
            site = f.read()
        site = (
            site.replace("/etc/ssl/signpost/fullchain.pem", cert)
            .replace("/etc/ssl/signpost/chain.pem", cert)
            .replace("/etc/ssl/signpost/privkey.pem", key)
            .replace("/var/log/nginx/", os.path.join(conf, "logs") + "/")
        )
        with open(os.path.join(conf, "site.conf"), "w") as f:
            f.write(site)
        with open(os.path.join(conf, "nginx.conf"), "w") as f:
            f.write(f"pid {conf}/nginx.pid;\nevents {{}}\nhttp {{\n  include site.conf;\n}}\n")
        t = subprocess.run(["nginx", "-t", "-q", "-p", conf, "-e", os.path.join(conf, "logs", "error.log"), "-c", os.path.join(conf, "nginx.conf")], capture_output=True, text=True)
        problems = [l for l in t.stderr.splitlines() if "[emerg]" in l or "[alert]" in l or "[crit]" in l]
        ok = t.returncode == 0 and not problems
        self.check("nginx: the production site with TLS passes nginx -t", ok, "" if ok else t.stderr.strip()[-500:])

    # -- start everything

    def start(self):
        admin = Database(os.environ["TEST_DATABASE_URL"])
        self.dbname = "signpost_scale_" + secrets.token_hex(4)
        admin.query(f'CREATE DATABASE "{self.dbname}"')
        self.admin = admin
        self.db = Database(with_database(os.environ["TEST_DATABASE_URL"], self.dbname))
        self.proxy_port = free_port()
        self.smtp_port = free_port()
        self.maildir = Maildir(os.path.join(self.tmp, "maildir"))
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "SIGNPOST_BIN": self.bin,
            "DATABASE_URL": self.db.url,
            "LEPTOS_SITE_ROOT": self.site,
            "SIGNPOST_ENV": "production",
            "RUST_LOG": "warn",
            "SIGNPOST_DEMO_DATA": "false",
            "SIGNPOST_SMTP_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "SIGNPOST_PUBLIC_URL": f"http://127.0.0.1:{self.proxy_port}",
            "SIGNPOST_TRUSTED_PROXIES": "127.0.0.1",
            "SIGNPOST_SEARCH": self.search,
            "SIGNPOST_DB_MAX_CONNECTIONS": "10",
            # Production refuses to start without the key staff authenticator secrets are
            # encrypted with; every server shares it.
            "SIGNPOST_TOTP_KEY": secrets.token_hex(32),
        }
        if self.search == "meilisearch":
            self.env["MEILI_URL"] = os.environ["MEILI_URL"]
            self.env["MEILI_INDEX"] = "signpost_scale_" + secrets.token_hex(4)
            if os.environ.get("MEILI_MASTER_KEY"):
                self.env["MEILI_MASTER_KEY"] = os.environ["MEILI_MASTER_KEY"]
        # As an operator would: migrate and load the directory once, then start the servers
        # (they would all try to load the demo county into an empty directory at once).
        for args in (["migrate"], ["import", "demo"]):
            subprocess.run([self.bin, *args], env=self.env, cwd=ROOT, check=True, capture_output=True)
        self.editor_email = f"editor-{secrets.token_hex(3)}@brackenshire.example"
        self.hub_email = f"hub-{secrets.token_hex(3)}@brackenshire.example"
        for address, role in ((self.editor_email, "directory"), (self.hub_email, "hub")):
            subprocess.run(
                [self.bin, "create-user", "--email", address, "--name", f"Scale {role}", "--role", role],
                env=self.env, cwd=ROOT, input=PASSWORD + "\n", text=True, check=True, capture_output=True,
            )
        smtp_python = os.path.join(ROOT, "end2end", ".venv", "bin", "python")
        self.smtp = subprocess.Popen(
            [smtp_python, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.smtp_port}", "-c", "aiosmtpd.handlers.Mailbox", self.maildir.path],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.tmp, "smtp.log"), "wb"),
        )
        self.procs.append(self.smtp)
        started = time.monotonic()
        # One after another, as an operator (or an orchestrator) starts them: servers started at
        # the same instant would run their periodic work in step, which would hide a server
        # missing a change another one consumed first.
        for i in range(3):
            s = Server(i + 1, free_port(), self.env, self.tmp)
            s.start()
            self.servers.append(s)
            if not s.ready(90):
                raise RuntimeError(f"server {s.index} did not become ready (log: {s.log_path})")
            time.sleep(0.2 + 0.6 * secrets.randbelow(1000) / 1000)
        log(f"three servers ready in {time.monotonic() - started:.1f} s ({self.search} search)")
        self.start_nginx()

    def start_nginx(self):
        conf = os.path.join(self.tmp, "nginx")
        os.makedirs(os.path.join(conf, "logs"))
        os.symlink(os.path.join(ROOT, "deploy", "nginx"), os.path.join(conf, "signpost"))
        upstreams = "\n".join(f"    server {s.addr} max_fails=1 fail_timeout=5s;" for s in self.servers)
        self.access_log = os.path.join(conf, "logs", "access.log")
        with open(os.path.join(conf, "nginx.conf"), "w") as f:
            f.write(
                f"""# Written by scripts/scale_out.py: the deployed http.conf and locations.conf as they
# are; only the upstream list and the listening address (plain HTTP on loopback) are the test's.
pid {conf}/nginx.pid;
worker_processes 2;
error_log {conf}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
  client_body_temp_path {conf}/body;
  proxy_temp_path {conf}/proxy;
  fastcgi_temp_path {conf}/fastcgi;
  uwsgi_temp_path {conf}/uwsgi;
  scgi_temp_path {conf}/scgi;
  include signpost/http.conf;
  upstream signpost {{
    zone signpost 64k;
{upstreams}
    keepalive 16;
  }}
  server {{
    listen {PROXY_HOST}:{self.proxy_port};
    access_log {self.access_log} signpost;
    include signpost/locations.conf;
  }}
}}
"""
            )
        self.nginx = subprocess.Popen(
            ["nginx", "-p", conf, "-e", os.path.join(conf, "logs", "error.log"), "-c", os.path.join(conf, "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(conf, "logs", "stderr.log"), "wb"),
        )
        self.procs.append(self.nginx)
        self.proxy_log = ProxyLog(self.access_log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if Visitor(self.proxy_port, source="127.0.0.1").get("/healthz").status == 200:
                    return
            except TransportError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not start (see its error log)")

    def metrics_check(self):
        name = "nginx: /metrics answers the monitoring address only (403 for a visitor)"
        try:
            visitor = Visitor(self.proxy_port).get("/metrics").status
            monitoring = Visitor(self.proxy_port, source="127.0.0.1").get("/metrics")
            ok = visitor == 403 and monitoring.status == 200 and "signpost_outbox_emails" in monitoring.text
            self.check(name, ok, f"visitor {visitor}, monitoring {monitoring.status}")
        except TransportError as e:
            self.check(name, False, str(e))

    def upstream(self, request_id):
        entry = self.proxy_log.entry(request_id)
        return entry["upstream"] if entry else None

    def listed_services(self, n):
        return [r[0] for r in self.db.query(f"SELECT id FROM service WHERE status = 'active' ORDER BY id LIMIT {n}")]

    # -- 1. a directory editor's change reaches every server's search within 3 s

    def item1_edit_reaches_every_server(self):
        name = "1. an editor (password + TOTP) edits a listing; each server's search finds it within 3 s"
        try:
            _, self.editor_secret = sign_in(self.proxy_port, self.editor_email)
            self.editor, _ = sign_in(self.proxy_port, self.editor_email, self.editor_secret)
            self.service_ids = self.listed_services(6)
            # Three edits, one after the other: a server may pick up one change by luck (say, a
            # shared queue read by every server before the first one empties it); not three.
            rounds, failures = [], []
            for n in range(3):
                words = "zorvane" + "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(6))
                href = f"/services/{self.service_ids[3 + n]}"
                # Asked first, so a server that keeps a stale results page fails too.
                before = [s.index for s in self.servers if s.search_finds(words, href)]
                edit_listing(self.editor, self.service_ids[3 + n], words)
                saved = time.monotonic()
                found = self.wait_found(self.servers, words, href, saved, 3.0)
                late = [i for i, t in found.items() if t is None]
                rounds.append("/".join(f"{t:.1f}" if t is not None else "-" for _, t in sorted(found.items())))
                if before or late:
                    failures.append(f"edit {n + 1}: not found within 3 s on servers {late}" + (f", found before the edit on {before}" if before else ""))
            self.check(name, not failures, f"seconds to be found on servers 1/2/3 per edit: {', '.join(rounds)}" + ("; " + "; ".join(failures) if failures else ""))
        except (AssertionError, TransportError) as e:
            self.check(name, False, str(e))
        self.item1b_stalled_server_catches_up()

    def item1b_stalled_server_catches_up(self):
        """A server that misses a change while it cannot run (stopped with SIGSTOP: a stalled
        machine, a long pause) must find it once it runs again, without a restart (a restart
        rebuilds the index and would hide the difference). The edit is made on server 1
        directly, so the proxy never waits on the stopped server."""
        name = "1b. a server stalled (SIGSTOP) while a listing is edited finds the edit within 3 s of resuming"
        stalled = self.servers[2]
        words = "morvance" + "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(6))
        href = f"/services/{self.service_ids[5]}"
        try:
            stalled.proc.send_signal(signal.SIGSTOP)
            try:
                edit_listing(self.editor, self.service_ids[5], words, port=self.servers[0].port)
                others = self.wait_found(self.servers[:2], words, href, time.monotonic(), 3.0)
                time.sleep(1.0)  # the running servers have applied the change: give them time to finish with it
            finally:
                stalled.proc.send_signal(signal.SIGCONT)
            resumed = time.monotonic()
            found = self.wait_found([stalled], words, href, resumed, 3.0).get(stalled.index)
            self.check(
                name,
                found is not None and all(t is not None for t in others.values()),
                f"servers 1 and 2: {[round(t, 1) if t is not None else None for t in others.values()]} s; "
                f"server {stalled.index}: " + (f"{found:.2f} s after resuming" if found is not None else "not found within 3 s of resuming"),
            )
        except (AssertionError, TransportError) as e:
            stalled.proc.send_signal(signal.SIGCONT)
            self.check(name, False, str(e))

    def wait_found(self, servers, words, href, since, limit, extra=1.0):
        """Seconds after `since` at which each server's search found `href` (None: not by limit+extra)."""
        found = {s.index: None for s in servers}
        while time.monotonic() - since < limit + extra and any(v is None for v in found.values()):
            for s in servers:
                if found[s.index] is None:
                    try:
                        if s.search_finds(words, href):
                            found[s.index] = time.monotonic() - since
                    except TransportError:
                        pass
            time.sleep(0.05)
        return {i: (t if t is not None and t <= limit else None) for i, t in found.items()}

    # -- 2. a request for support across the three servers, one triage email

    def item2_request_across_servers(self):
        name_pages = "2a. a request for support: each request served by a different server than the one before"
        name_queue = "2b. the Hub (password + TOTP) sees the request in its queue"
        name_mail = "2c. exactly one triage email (and one acknowledgement) at the SMTP server"
        try:
            family = Visitor(self.proxy_port)
            start = family.get("/request-support")
            assert start.status == 200, f"start page: {start.status}"
            reference = request_support(family, "SCALE-" + secrets.token_hex(4), f"family-{secrets.token_hex(3)}@family.example", with_pages=True)
            served = [self.upstream(rid) for rid in family.request_ids]
            same = sum(1 for a, b in zip(served, served[1:]) if a == b or a is None)
            self.check(
                name_pages,
                same == 0 and len(set(served)) == 3 and None not in served,
                f"{len(served)} requests over {len(set(served))} servers, {same} served by the same server as the one before",
            )
            _, hub_secret = sign_in(self.proxy_port, self.hub_email)
            hub, _ = sign_in(self.proxy_port, self.hub_email, hub_secret)
            queue = hub.get("/staff/queue")
            self.check(name_queue, queue.status == 200 and reference in queue.text, f"{queue.status}, {reference}")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not self.maildir.with_subject(reference):
                time.sleep(0.2)
            time.sleep(3)  # long enough for a second server to send it again, if it would
            triage = [m for m in self.maildir.with_subject(reference) if m["subject"].startswith("New early help request")]
            acks = [m for m in self.maildir.with_subject(reference) if m["subject"].startswith("We have received")]
            self.check(name_mail, len(triage) == 1 and len(acks) == 1, f"{len(triage)} triage, {len(acks)} acknowledgement")
        except (AssertionError, TransportError) as e:
            for n in (name_pages, name_queue, name_mail):
                if n not in self.results.passed and n not in self.results.failed:
                    self.check(n, False, str(e))

    # -- 3. the per-address limit on a public form holds across the servers

    def item3_limit_across_servers(self):
        name = "3. the public-form limit (10 an hour) holds for one address across the three servers"
        name_spoof = "3b. another visitor address is not affected by that limit"
        service = self.service_ids[1] if len(getattr(self, "service_ids", [])) > 1 else self.listed_services(2)[1]
        marker = "LIMIT-" + secrets.token_hex(4)
        visitor = Visitor(self.proxy_port)
        statuses, served = [], []
        try:
            for i in range(12):
                # The visitor writes X-Forwarded-For themselves: it must not count as their address.
                r = visitor.post(
                    f"/services/{service}/report",
                    [("problem", "times"), ("details", f"Not on Tuesdays {marker} {i}")],
                    headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
                )
                statuses.append(r.status)
                served.append(self.upstream(r.request_id))
            stored = int(self.db.scalar(f"SELECT count(*) FROM listing_report WHERE details LIKE '%{marker}%'"))
            ok = statuses[:10] == [303] * 10 and statuses[10:] == [429, 429] and stored == 10 and len(set(served)) == 3
            self.check(name, ok, f"answers {statuses}, {stored} stored, served by {len(set(served))} servers")
            other = Visitor(self.proxy_port).post(f"/services/{service}/report", [("problem", "times"), ("details", f"Other visitor {marker}")])
            self.check(name_spoof, other.status == 303, f"{other.status}")
        except TransportError as e:
            self.check(name, False, str(e))

    # -- 4. load, SIGKILL and a restart

    def item4_load_with_failures(self):
        duration = self.load_secs
        stop_at = time.monotonic() + duration
        journeys = []  # (marker, reference or None, error)
        searches = {"ok": 0, "other": 0, "errors": 0}
        client_errors = []
        lock = threading.Lock()
        mark = self.proxy_log.mark()
        t0 = time.monotonic()
        events = []

        def family_worker(n):
            while time.monotonic() < stop_at:
                marker = f"LOAD-{n}-{secrets.token_hex(5)}"
                v = Visitor(self.proxy_port)
                try:
                    ref = request_support(v, marker, f"load-{secrets.token_hex(4)}@family.example", errors=client_errors)
                    outcome = (marker, ref, None)
                except (AssertionError, TransportError) as e:
                    outcome = (marker, None, str(e))
                with lock:
                    journeys.append(outcome)

        words = ["toddler", "autism", "holiday club", "parenting", "speech", "young carers", "swimming", "food", "sleep", "send"]

        def search_worker(n):
            v = Visitor(self.proxy_port)
            i = n
            while time.monotonic() < stop_at:
                i += 1
                try:
                    r = v.get("/search?" + urllib.parse.urlencode({"q": words[i % len(words)]}))
                    key = "ok" if r.status == 200 else "other"
                except TransportError:
                    key = "errors"
                with lock:
                    searches[key] += 1

        threads = [threading.Thread(target=family_worker, args=(n,), daemon=True) for n in range(4)]
        threads += [threading.Thread(target=search_worker, args=(n,), daemon=True) for n in range(2)]
        for t in threads:
            t.start()

        def at(fraction):
            delay = t0 + duration * fraction - time.monotonic()
            if delay > 0:
                time.sleep(delay)

        killed, restarted = self.servers[0], self.servers[1]
        catch_up = None
        try:
            at(0.2)
            killed.kill()
            events.append(f"{time.monotonic() - t0:.0f} s: server {killed.index} SIGKILL")
            at(0.3)
            # While it is down, the directory changes.
            words2 = "quenlark" + "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(6))
            href2 = f"/services/{self.service_ids[2]}"
            edit_listing(self.editor, self.service_ids[2], words2)
            events.append(f"{time.monotonic() - t0:.0f} s: listing edited while server {killed.index} is down")
            at(0.4)
            killed.start()
            back = killed.ready(60)
            ready_at = time.monotonic()
            events.append(f"{time.monotonic() - t0:.0f} s: server {killed.index} started again" + ("" if back else " (NOT ready)"))
            catch_up = self.wait_found([killed], words2, href2, ready_at, 3.0).get(killed.index) if back else None
            at(0.6)
            graceful = restarted.stop()
            events.append(f"{time.monotonic() - t0:.0f} s: server {restarted.index} stopped (SIGTERM{'' if graceful else ', had to be killed'})")
            restarted.start()
            back2 = restarted.ready(60)
            events.append(f"{time.monotonic() - t0:.0f} s: server {restarted.index} started again" + ("" if back2 else " (NOT ready)"))
        except (AssertionError, TransportError) as e:
            events.append(f"the failure drill stopped: {e}")
        for t in threads:
            t.join(duration + 120)
        elapsed = time.monotonic() - t0
        for e in events:
            log(e)

        self.check(
            "4a. a server killed during the load finds, once back, the edit made while it was down (within 3 s)",
            catch_up is not None,
            f"{catch_up:.2f} s after it was ready" if catch_up is not None else "not found within 3 s",
        )
        done = [j for j in journeys if j[1]]
        broken = [j for j in journeys if not j[1]]
        self.check(
            "4b. every request for support started under load was sent (retrying after an error page, as a person would)",
            journeys and not broken,
            f"{len(done)} of {len(journeys)} sent in {elapsed:.0f} s" + (f"; first failure: {broken[0][2]}" if broken else ""),
        )
        # Every request the families were shown a reference for is stored exactly once, and
        # nothing else was stored.
        rows = self.db.query("SELECT reference, answers FROM early_help_request WHERE answers LIKE '%LOAD-%'")
        by_marker = {}
        for reference, answers in rows:
            m = re.search(r"LOAD-\d+-[0-9a-f]{10}", answers)
            by_marker.setdefault(m.group(0) if m else "?", []).append(reference)
        lost = [j for j in done if by_marker.get(j[0]) != [j[1]]]
        extra = [k for k in by_marker if k not in {j[0] for j in done}]
        dupes = [k for k, v in by_marker.items() if len(v) > 1]
        self.check(
            "4c. no request for support lost or duplicated",
            not lost and not extra and not dupes and len(rows) == len(done),
            f"{len(rows)} stored for {len(done)} sent; lost {len(lost)}, duplicated {len(dupes)}, unexpected {len(extra)}",
        )
        self.check_emails(done)
        entries = self.proxy_log.since(mark)
        proxy_errors = sum(1 for e in entries if e["status"] in (502, 504))
        app_errors = sum(1 for e in entries if e["status"] >= 500 and e["status"] not in (502, 504))
        # nginx lists every server it tried: "127.0.0.1:3001, 127.0.0.1:3002".
        rerouted = sum(1 for e in entries if "," in e["upstream"])
        summary = (
            f"{len(entries)} requests through the proxy in {elapsed:.0f} s; "
            f"{proxy_errors} proxy errors (502/504), {app_errors} server errors (5xx), "
            f"{rerouted} passed on to another server after a failure; "
            f"searches {searches['ok']} ok, {searches['other']} other status, {searches['errors']} dropped; "
            f"{len(client_errors)} error pages or dropped connections seen by families (each retried)"
        )
        print(f"INFO  4e. the proxy's error count under load: {summary}", flush=True)

    def check_emails(self, done):
        """Every email of the load's requests reaches the SMTP server once, or (for the one email
        a mail worker may have had in hand when it was SIGKILLed) is left in doubt for a person."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waiting = int(self.db.scalar("SELECT count(*) FROM outbox_email WHERE status = 'pending'"))
            if waiting == 0:
                break
            time.sleep(0.5)
        time.sleep(2)
        rows = self.db.query(
            # A sent email's subject is blanked (retention): its reference stays.
            "SELECT message_id, COALESCE(reference, subject, ''), status FROM outbox_email WHERE kind IN ('early_help_triage', 'early_help_acknowledgement')"
        )
        references = {j[1] for j in done}

        def reference(subject):
            m = re.search(r"EH-[0-9A-Z]{4}-[0-9A-Z]{4}", subject)
            return m.group(0) if m else None

        ours = [(r[0].strip("<>"), r[1], r[2]) for r in rows if reference(r[1]) in references]
        at_sink = {}
        for m in self.maildir.messages():
            mid = m["message_id"].strip("<>")
            at_sink[mid] = at_sink.get(mid, 0) + 1
        twice = [mid for mid, n in at_sink.items() if n > 1]
        sent_missing = [r for r in ours if r[2] == "sent" and at_sink.get(r[0], 0) != 1]
        unsettled = [r for r in ours if r[2] in ("sending", "in_doubt")]
        other = [r for r in ours if r[2] not in ("sent", "sending", "in_doubt")]
        expected = 2 * len(done)
        self.check(
            "4d. no email lost or sent twice (each at the SMTP server exactly once)",
            len(ours) == expected and not twice and not sent_missing and not other and len(unsettled) <= 1,
            f"{len(ours)} emails for {len(done)} requests (expected {expected}); "
            f"{sum(1 for r in ours if r[2] == 'sent')} sent, {len(twice)} received twice, "
            f"{len(sent_missing)} marked sent but not received, {len(other)} pending or failed, "
            f"{len(unsettled)} claimed by the SIGKILLed server when it died (left for a person: "
            f"at most 1 allowed, the one email a mail worker holds at a time)",
        )
        if unsettled:
            # Where the outbox records the hand-over (the change feed's branch), say whether the
            # message had been handed to the SMTP server: a claim never handed over is taken back
            # (pending again) when its lease runs out, after this test.
            handed = {}
            has_column = self.db.scalar(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'outbox_email' AND column_name = 'handed_at'"
            )
            if has_column == "1":
                handed = dict(self.db.query("SELECT message_id, COALESCE(handed_at, 'never') FROM outbox_email WHERE status IN ('sending', 'in_doubt')"))
            for mid, subject, status in unsettled:
                log(
                    f"LOUD: email in doubt after the SIGKILL: '{subject}' ({status}; at the SMTP server "
                    f"{at_sink.get(mid, 0)} time(s); handed over: {handed.get(mid, handed.get('<' + mid + '>', 'not recorded'))})"
                )

    # -- backup and a tested restore

    def restore_check(self):
        name = "6. backup (pg_dump) restored (pg_restore) into a fresh database: /readyz 200, same number of services"
        dump = os.path.join(self.tmp, "backup.dump")
        try:
            subprocess.run([pg_tool("pg_dump"), "--format=custom", "--file", dump, self.db.url], check=True, capture_output=True, text=True)
            restored = self.dbname + "_restore"
            self.admin.query(f'CREATE DATABASE "{restored}"')
            url = with_database(os.environ["TEST_DATABASE_URL"], restored)
            r = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", url, dump], capture_output=True, text=True)
            assert r.returncode == 0, f"pg_restore: {r.stderr.strip()[-300:]}"
            # Emails still pending in the backup must not reach the sink (the other checks count
            # what arrives there): this server's SMTP server is a port nobody listens on, so they
            # wait for a retry. (Production refuses to write emails to files instead.)
            env = dict(self.env)
            env["SIGNPOST_SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
            env["DATABASE_URL"] = url
            server = Server(9, free_port(), env, self.tmp)
            server.start()
            self.restore_server = server
            ready = server.ready(90)
            v = Visitor(None, source="127.0.0.1")

            def count(port):
                r = v.get("/api/oruk/services?per_page=1", port=port)
                return json.loads(r.text)["total_items"] if r.status == 200 else None

            live = count(self.servers[2].port)
            back = count(server.port) if ready else None
            requests_live = self.db.scalar("SELECT count(*) FROM early_help_request")
            requests_back = Database(url).scalar("SELECT count(*) FROM early_help_request")
            self.check(
                name,
                ready and live is not None and live == back and requests_live == requests_back,
                f"/readyz {'200' if ready else 'not ready'}; services {live} live, {back} restored; requests {requests_live} and {requests_back}",
            )
            server.stop()
        except (AssertionError, subprocess.CalledProcessError, TransportError, ValueError, RuntimeError) as e:
            self.check(name, False, getattr(e, "stderr", None) or str(e))

    # -- a rolling upgrade: the older release on a schema a newer one has expanded

    def upgrade_check(self):
        """What a rolling upgrade does to the servers still on the older release: the first new
        server applies its migrations at start-up, then older servers keep serving and may
        restart (a crash, a machine reboot, a rollback). Simulated here by applying an additive
        ("expand") migration with a version this binary does not know, recorded in sqlx's table
        as a newer binary would record it. It does not run a newer binary (there is none here)."""
        name = "7. rolling upgrade: after a newer release's additive migration the servers keep serving and one restarts ready"
        try:
            self.db.query(
                "BEGIN; ALTER TABLE service ADD COLUMN scale_test_expand TEXT; "
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) "
                "VALUES (20261207000499, 'scale-out test: a newer release''s additive migration', TRUE, '\\x00'::bytea, 0); COMMIT;"
            )
            family = Visitor(self.proxy_port)
            reference = request_support(family, "UPGRADE-" + secrets.token_hex(4), f"up-{secrets.token_hex(3)}@family.example")
            server = self.servers[2]
            server.stop()
            server.start()
            ready = server.ready(60)
            tail = ""
            if not ready:
                with open(server.log_path, "rb") as f:
                    tail = f.read()[-400:].decode("utf-8", "replace").strip().splitlines()[-1:]
            self.check(name, ready, f"{reference} sent on the expanded schema; server {server.index} restarted " + ("ready" if ready else f"NOT ready: {tail}"))
        except (AssertionError, TransportError, RuntimeError) as e:
            self.check(name, False, str(e))

    def drop_meili_indexes(self):
        url = urllib.parse.urlsplit(self.env["MEILI_URL"])
        headers = {"Authorization": f"Bearer {self.env['MEILI_MASTER_KEY']}"} if self.env.get("MEILI_MASTER_KEY") else {}
        for uid in (self.env["MEILI_INDEX"], self.env["MEILI_INDEX"] + "_state"):
            try:
                conn_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
                conn = conn_class(url.hostname, url.port or (443 if url.scheme == "https" else 80), timeout=10)
                conn.request("DELETE", f"{url.path.rstrip('/')}/indexes/{uid}", headers=headers)
                conn.getresponse().read()
            except OSError as e:
                log(f"could not delete the Meilisearch index {uid}: {e}")

    def stop(self):
        for s in self.servers + [getattr(self, "restore_server", None)]:
            if s is not None:
                s.stop(10)
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        if self.search == "meilisearch" and "MEILI_INDEX" in getattr(self, "env", {}):
            self.drop_meili_indexes()
        if hasattr(self, "admin"):
            for name in (self.dbname + "_restore", self.dbname):
                try:
                    self.admin.query(f'DROP DATABASE IF EXISTS "{name}"')
                except RuntimeError as e:
                    log(f"could not drop {name}: {e}")
        if os.environ.get("SCALE_KEEP"):
            log(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    results = Results()
    if "TEST_DATABASE_URL" not in os.environ:
        print("TEST_DATABASE_URL is not set: run this through scripts/scale-out.sh", file=sys.stderr)
        return 2
    test = ScaleOut(results)
    for path, what in ((test.bin, "the release binary (make release)"), (os.path.join(test.site, "pkg"), "the site (make release)")):
        if not os.path.exists(path):
            print(f"{path} is missing: {what}", file=sys.stderr)
            return 2
    log(f"scale-out test: {test.search} search, load {test.load_secs:.0f} s, binary {test.bin}")
    started = time.monotonic()
    try:
        test.kit_checks()
        test.start()
        test.metrics_check()
        test.item1_edit_reaches_every_server()
        test.item2_request_across_servers()
        test.item3_limit_across_servers()
        test.item4_load_with_failures()
        test.restore_check()
        test.upgrade_check()
    except Exception as e:  # noqa: BLE001 - any failure to set up is reported as one failed check
        results.check("the test ran to its end", False, f"{type(e).__name__}: {e} (logs in {test.tmp}; SCALE_KEEP=1 keeps them)")
        os.environ["SCALE_KEEP"] = "1"
    finally:
        test.stop()
    print(f"\nscale-out ({test.search} search) in {time.monotonic() - started:.0f} s: "
          f"{len(results.passed)} passed, {len(results.failed)} failed", flush=True)
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
