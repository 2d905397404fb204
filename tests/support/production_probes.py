"""What the production end-to-end test does to the stack as an attacker or a careless operator
would: planting a model, flooding the proxy, guessing passwords, restoring a damaged archive.
The tests live in test_production_stack.py (they share its stack); the moves live here."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import ssl
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

UPLOAD_BYTES = 200 * 2**20
PLANTED_MARKER = "/app/data/PLANTED-CODE-RAN"

# Run in the dashboard's container as the reader: a pyfunc whose loading writes a marker where
# the pipeline would (its data volume), logged in an experiment of the reader's own (any
# logged-in user may create one). Prints where its artifacts are, for the forged version.
PLANT_MODEL = f"""
import json, os, mlflow

os.environ["MLFLOW_TRACKING_PASSWORD"] = open("/run/secrets/mlflow_reader_password").read().strip()


class Planted(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        open({PLANTED_MARKER!r}, "w").write("planted code ran")

    def predict(self, context, model_input, params=None):
        return model_input


mlflow.set_experiment("planted")
with mlflow.start_run() as run:
    logged = mlflow.pyfunc.log_model(name="model", python_model=Planted(), pip_requirements=[])
model = mlflow.get_logged_model(logged.model_id)
print(json.dumps({{"source": logged.model_uri, "run_id": run.info.run_id,
                  "storage_location": model.artifact_location}}))
"""


def forge_version_sql(model_name: str, champion: str, planted: dict) -> str:
    """A new version of our model pointing at the planted artifacts, and `champion` moved to
    it, written straight into the tracking database (what a stolen writer login or a database
    intruder could do): a copy of the champion's row with the planted artifacts, no tags."""
    return f"""
        CREATE TEMP TABLE forged AS SELECT * FROM model_versions
            WHERE name = '{model_name}' AND version = {champion};
        UPDATE forged SET
            version = (SELECT max(version) + 1 FROM model_versions WHERE name = '{model_name}'),
            source = '{planted["source"]}', run_id = '{planted["run_id"]}',
            storage_location = '{planted["storage_location"]}';
        INSERT INTO model_versions SELECT * FROM forged;
        UPDATE registered_model_aliases SET version = (SELECT version FROM forged)
            WHERE name = '{model_name}' AND alias = 'champion';
        SELECT version FROM forged;
    """


def _zeros(total: int) -> Iterator[bytes]:
    chunk = bytes(2**20)
    for _ in range(total // len(chunk)):
        yield chunk


def anonymous_upload(port: int, host: str, tls: ssl.SSLContext) -> int | str:
    """One 200 MB POST without credentials; the status, or how the connection ended."""
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=120)
    try:
        connection.putrequest(
            "POST", "/ajax-api/2.0/mlflow-artifacts/artifacts/x/model.pkl", skip_host=True
        )
        connection.putheader("Host", f"{host}:{port}")
        connection.putheader("Content-Length", str(UPLOAD_BYTES))
        connection.endheaders()
        try:
            for chunk in _zeros(UPLOAD_BYTES):
                connection.send(chunk)
        except OSError:
            pass  # refused mid-body: the answer is already there
        return connection.getresponse().status
    except OSError as error:
        return type(error).__name__
    finally:
        connection.close()


def flood(port: int, host: str, tls: ssl.SSLContext, requests: int, clients: int) -> list:
    """``requests`` anonymous GETs from ``clients`` threads, each over one kept-alive
    connection (as fast as one address can send); every status."""
    statuses: list = []

    def client(count: int) -> None:
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=30)
        try:
            for _ in range(count):
                connection.request("GET", "/", headers={"Host": f"{host}:{port}"})
                response = connection.getresponse()
                response.read()
                statuses.append(response.status)
                if response.will_close:
                    connection.close()
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(requests // clients,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


class Poller(threading.Thread):
    """Calls ``probe`` every ``interval`` seconds until stopped; keeps every answer."""

    def __init__(self, probe, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.probe, self.interval, self.answers = probe, interval, []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.answers.append(self.probe())
            except Exception as error:
                self.answers.append(repr(error))
            self._stop_event.wait(self.interval)

    def stop(self) -> list:
        self._stop_event.set()
        self.join(timeout=30)
        return self.answers


def damaged_archive(archive: Path, destination: Path, damage: str) -> Path:
    """A copy of a backup whose tracking dump is damaged, with checksums that match it (as a
    full disk or a bug while dumping would leave it): ``sql`` puts a failing statement before
    the first table's data; ``truncated`` cuts the dump at 60 %."""
    with tarfile.open(archive, "r:gz") as outer:
        members = [m for m in outer.getmembers() if m.isfile()]
        files = {m.name: outer.extractfile(m).read() for m in members}
    dump = files["tracking.sql"]
    if damage == "sql":
        cut = dump.index(b"\nCOPY ")
        files["tracking.sql"] = dump[:cut] + b"\nSELECT no_such_function();\n" + dump[cut:]
    else:
        files["tracking.sql"] = dump[: int(len(dump) * 0.6)]
    header = files["MANIFEST"].decode().splitlines()[:2]
    checked = [name for name in files if name != "MANIFEST"]
    sums = [f"{hashlib.sha256(files[name]).hexdigest()}  {name}" for name in checked]
    files["MANIFEST"] = ("\n".join(header + sums) + "\n").encode()
    with tarfile.open(destination, "w:gz") as outer:
        for name in ["MANIFEST", *checked]:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(files[name]), 0o600
            outer.addfile(info, io.BytesIO(files[name]))
    return destination


def telemetry_report() -> str:
    """Python run in a container of the image: whether MLflow and Kedro would send telemetry."""
    return (
        "import json, pathlib; "
        "from mlflow.telemetry.utils import is_telemetry_disabled; "
        "from kedro_telemetry.plugin import _check_for_telemetry_consent; "
        "print(json.dumps({'mlflow_disabled': is_telemetry_disabled(), "
        "'kedro_consent': _check_for_telemetry_consent(pathlib.Path('/app'))}))"
    )


def parse_last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])
