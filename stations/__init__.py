"""The streaming stack's lowest layer: Icecast config, Liquidsoap script, and their control.

- ``stations.model``: frozen value objects (``StreamFormat``, ``StationStream``,
  ``IcecastConfig``, ``LiquidsoapConfig``, ``RunAs``) and ``slug(code)``, the id stem of a
  station inside Liquidsoap.
- ``stations.render``: ``render_icecast_xml``, ``render_liquidsoap`` (Jinja2 templates in
  ``stations/templates``), ``write_atomic``; its docstring documents the script's signal chain,
  server commands and the JSON track/dead-air events it POSTs.
- ``stations.client``: ``LiquidsoapClient`` for the server protocol, ``LiquidsoapError``.
- ``stations.process``: daemon command lines, ``check_script``, readiness waits, ``stop_process``.

Imports only ``media``; takes everything as arguments, reads no settings or environment.
"""

from stations.client import LiquidsoapClient, LiquidsoapError, annotated_uri
from stations.model import (
    IcecastConfig,
    LiquidsoapConfig,
    RunAs,
    StationStream,
    StreamFormat,
    slug,
)
from stations.process import (
    check_script,
    icecast_command,
    icecast_mounts,
    liquidsoap_command,
    stop_process,
    wait_icecast_ready,
    wait_mounts,
    wait_socket_ready,
)
from stations.render import render_icecast_xml, render_liquidsoap, write_atomic

__all__ = [
    "IcecastConfig",
    "LiquidsoapClient",
    "LiquidsoapConfig",
    "LiquidsoapError",
    "RunAs",
    "StationStream",
    "StreamFormat",
    "annotated_uri",
    "check_script",
    "icecast_command",
    "icecast_mounts",
    "liquidsoap_command",
    "render_icecast_xml",
    "render_liquidsoap",
    "slug",
    "stop_process",
    "wait_icecast_ready",
    "wait_mounts",
    "wait_socket_ready",
    "write_atomic",
]
