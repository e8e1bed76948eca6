"""The public interface (公众端) under ``/api/v1/public/``: open, no token.

Later issues add the published catalog (监管事项目录) and complaint submission here. Whatever
is mounted on this router is reachable by anyone on the internet, so it may only return what
is published anyway; never mount a work endpoint here.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["public"])
