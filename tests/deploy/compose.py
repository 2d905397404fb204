"""The compose files as the chart must mirror them: each role's command, environment names and
health endpoint, read from docker/compose.common.yml and docker-compose.yml (production)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.chart import ROOT

COMMON = ROOT / "docker" / "compose.common.yml"
PRODUCTION = ROOT / "docker-compose.yml"
REPLAY = ROOT / "docker" / "compose.replay.yml"
# ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME}; $$ is a literal $.
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?-)([^}]*)|:?\?[^}]*)?\}")
_HEALTH_URL = re.compile(r"http://127\.0\.0\.1:(\d+)(/[\w/.-]*)")


class _ComposeLoader(yaml.SafeLoader):
    """Reads Compose's merge tags (!reset, !override) as their plain value."""


_ComposeLoader.add_multi_constructor(
    "!",
    lambda loader, _tag, node: (
        loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else loader.construct_mapping(node)
        if isinstance(node, yaml.MappingNode)
        else loader.construct_scalar(node)
    ),
)


def _load(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_ComposeLoader)["services"]


def interpolate(value: str) -> str:
    """A compose value with every variable at its default (unset variables are empty)."""
    return _VARIABLE.sub(lambda m: m.group(3) or "", value).replace("$$", "$")


@dataclass(frozen=True)
class Role:
    command: list[str]
    env_names: frozenset[str]
    image: str | None
    health: tuple[int, str] | None  # port, path
    configs: list[dict[str, str]]  # compose `configs:` entries (source, target)


def role(name: str) -> Role:
    """A service of the production stack: compose.common.yml's definition, extended by
    docker-compose.yml. Secret files (NAME_FILE) count as the variable NAME they become."""
    common, production = _load(COMMON).get(name, {}), _load(PRODUCTION).get(name, {})
    command = production.get("command", common.get("command"))
    if isinstance(command, str):
        command = command.split()
    env = {**common.get("environment", {}), **production.get("environment", {})}
    names = frozenset(n.removesuffix("_FILE") for n in env)
    test = (production.get("healthcheck") or common.get("healthcheck") or {}).get("test", [])
    url = _HEALTH_URL.search(" ".join(test))
    return Role(
        command=[interpolate(str(part)) for part in command],
        env_names=names,
        image=production.get("image"),
        health=(int(url.group(1)), url.group(2)) if url else None,
        configs=production.get("configs", []),
    )


def config_file(name: str) -> Path:
    """The file behind a top-level compose config of the production stack."""
    configs = yaml.load(PRODUCTION.read_text(encoding="utf-8"), Loader=_ComposeLoader)["configs"]
    return ROOT / configs[name]["file"]


def all_env_names() -> frozenset[str]:
    names = set()
    for services in (_load(COMMON), _load(PRODUCTION)):
        for service in services.values():
            names |= {n.removesuffix("_FILE") for n in service.get("environment", {}) or {}}
    return frozenset(names)


def replay_command() -> list[str]:
    """The stats.nba.com replay's command in docker/compose.replay.yml, defaults interpolated."""
    return interpolate(_load(REPLAY)["stats-replay"]["command"]).split()
