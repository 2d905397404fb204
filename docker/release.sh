#!/usr/bin/env bash
# Build, label, document and publish the nba-cluster image: the image docker-compose.yml runs.
#
#   REGISTRY=ghcr.io/<owner> docker/release.sh
#
# - version: nba_cluster.__version__ (VERSION, if set, must match it: the image's label and
#   the package's metadata never disagree); revision: the git commit (with -dirty
#   when the work tree has uncommitted changes: such a build says so in its label and tag);
# - SBOM: `uv export --format cyclonedx1.5` of the locked runtime dependencies, beside the
#   image in dist/ and inside it at /app/sbom.cdx.json;
# - tags ${REGISTRY}/nba-cluster:${VERSION} (what docker-compose.yml pulls as TAG) and
#   ${REGISTRY}/nba-cluster:sha-<revision>, both pushed;
# - dist/release.env: the REGISTRY and TAG lines for the production .env.
#
# Env: REGISTRY (required), VERSION, SOURCE (repository URL for the OCI label), PUSH=0 to
# build and tag without pushing, DIST (default ./dist).
set -euo pipefail
cd "$(dirname "$0")/.."

LOG_TAG=release
# shellcheck source=docker/lib.sh
source docker/lib.sh

: "${REGISTRY:?set REGISTRY, e.g. ghcr.io/<owner> or 127.0.0.1:5000}"
REGISTRY="${REGISTRY%/}"
PUSH="${PUSH:-1}"
DIST="${DIST:-dist}"
SOURCE="${SOURCE:-}"
command -v uv >/dev/null || die "needs uv (https://docs.astral.sh/uv/)"

# The version's one home (pyproject.toml reads it as a dynamic version); read without importing
# the package's dependencies.
project_version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' src/nba_cluster/__init__.py)"
[ -n "$project_version" ] || die "no __version__ in src/nba_cluster/__init__.py"
VERSION="${VERSION:-$project_version}"
VERSION="${VERSION#v}"  # a git tag v0.1.0 names version 0.1.0
[ "$VERSION" = "$project_version" ] ||
  die "VERSION $VERSION is not nba_cluster.__version__ $project_version; bump it there first"

revision="$(git rev-parse HEAD)"
short="$(git rev-parse --short=12 HEAD)"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  revision="$revision-dirty"
  short="$short-dirty"
  log "the work tree has uncommitted changes: revision $short"
fi
image="$REGISTRY/nba-cluster"
mkdir -p "$DIST"
sbom="$DIST/nba-cluster-$VERSION.cdx.json"

log "SBOM (CycloneDX 1.5) of the locked runtime dependencies -> $sbom"
uv export --format cyclonedx1.5 --locked --no-dev --quiet --output-file "$sbom"

log "building $image:$VERSION (revision $short)"
build_tag="nba-cluster:release-$short"
docker build --quiet --tag "$build_tag" \
  --build-arg "VERSION=$VERSION" --build-arg "REVISION=$revision" --build-arg "SOURCE=$SOURCE" \
  . >/dev/null

# The SBOM goes in as a last small layer, so the Dockerfile stays the one for every build
# (the local stack builds without an SBOM) and the context of this step is the SBOM alone.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$sbom" "$context/sbom.cdx.json"
printf 'FROM %s\nCOPY sbom.cdx.json /app/sbom.cdx.json\n' "$build_tag" >"$context/Dockerfile"
docker build --quiet \
  --label "org.opencontainers.image.version=$VERSION" \
  --label "org.opencontainers.image.revision=$revision" \
  --tag "$image:$VERSION" --tag "$image:sha-$short" "$context" >/dev/null
docker image rm "$build_tag" >/dev/null

cat >"$DIST/release.env" <<ENV
# nba-cluster $VERSION, revision $revision: for the production .env (docker-compose.yml)
REGISTRY=$REGISTRY
TAG=$VERSION
ENV

if [ "$PUSH" = 1 ]; then
  for tag in "$VERSION" "sha-$short"; do
    log "pushing $image:$tag"
    docker push --quiet "$image:$tag" >/dev/null
  done
  digest="$(docker image inspect --format '{{join .RepoDigests "\n"}}' "$image:$VERSION" | grep -F "$image@" | head -n 1)"
  log "published $image:$VERSION ($digest)"
  echo "# digest: $digest" >>"$DIST/release.env"
fi
echo "$image:$VERSION"
