"""One-shot preparation of the reverse proxy (the proxy-init service), before nginx starts.

- TLS: the certificate and key given as secrets (tls_certificate, tls_private_key) when they
  are not empty; otherwise a self-signed certificate for PUBLIC_HOST and *.PUBLIC_HOST,
  generated on the first start and kept in the volume (browsers ask once, not on every start).
  A given certificate always wins over a generated one.
- nginx-site.conf.template rendered with the public host name and HTTPS port (the redirect
  from HTTP needs the port the browser sees).

Writes into OUTPUT_DIR (the proxy-runtime volume, read-only in the proxy): the key is readable
by the proxy's group only.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import string
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

OUTPUT_DIR = Path(os.environ.get("OUTPUT_DIR", "/app/data"))
TEMPLATE = Path(os.environ.get("SITE_TEMPLATE", "/opt/nba-cluster/nginx-site.conf.template"))
GIVEN_CERTIFICATE = Path("/run/secrets/tls_certificate")
GIVEN_KEY = Path("/run/secrets/tls_private_key")
SELF_SIGNED_MARKER = "self-signed-for"
SELF_SIGNED_DAYS = 825  # the longest validity Apple platforms accept for a server certificate


def write(path: Path, content: bytes, mode: int) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(content)
    temporary.chmod(mode)
    temporary.replace(path)


def self_signed(host: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    try:
        alt_names = [x509.IPAddress(ipaddress.ip_address(host))]
    except ValueError:
        alt_names = [x509.DNSName(host), x509.DNSName(f"*.{host}")]
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SELF_SIGNED_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def install_certificate(host: str) -> str:
    certificate, key = OUTPUT_DIR / "tls.crt", OUTPUT_DIR / "tls.key"
    marker = OUTPUT_DIR / SELF_SIGNED_MARKER
    given = [path.read_bytes() if path.exists() else b"" for path in (GIVEN_CERTIFICATE, GIVEN_KEY)]
    if all(content.strip() for content in given):
        write(certificate, given[0], 0o644)
        write(key, given[1], 0o640)
        marker.unlink(missing_ok=True)
        return "the certificate given in the tls_certificate secret"
    if any(content.strip() for content in given):
        sys.exit("proxy-init: give both tls_certificate and tls_private_key, or neither")
    if certificate.exists() and marker.exists() and marker.read_text() == host:
        return f"the self-signed certificate for {host} made on the first start"
    certificate_pem, key_pem = self_signed(host)
    write(key, key_pem, 0o640)
    write(certificate, certificate_pem, 0o644)
    marker.write_text(host)
    return f"a new self-signed certificate for {host} and *.{host}"


def render_site(host: str, https_port: str) -> None:
    suffix = "" if https_port == "443" else f":{https_port}"
    # safe_substitute: nginx's own $variables are left alone; only ours are filled in.
    site = string.Template(TEMPLATE.read_text()).safe_substitute(
        PUBLIC_HOST=host, PUBLIC_HTTPS_PORT_SUFFIX=suffix
    )
    write(OUTPUT_DIR / "site.conf", site.encode(), 0o644)


def main() -> None:
    host = os.environ.get("PUBLIC_HOST", "localhost")
    https_port = os.environ.get("HTTPS_PORT", "443")
    print(f"proxy-init: TLS with {install_certificate(host)}")
    render_site(host, https_port)
    print(
        f"proxy-init: https://{host}, https://mlflow.{host}, https://viz.{host} (port {https_port})"
    )


if __name__ == "__main__":
    main()
