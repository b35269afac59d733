"""How a push goes over the wire: keep-alive connections from urllib3 pools.

pywebpush encrypts and signs; it was written to post through requests, whose
per-request layers (cookies, hooks, merging settings, reading the environment)
cost more CPU in the evening burst than encrypting the push. It gets this
instead: a `post` that answers what it reads (status, headers, text).

A push service answers a POST itself; a redirect is given up, never followed
(a 302 once led the sender to GET an internal address), and nothing is retried
here (the dispatcher decides). The environment's proxy (with NO_PROXY) is read
once per push service; the CA bundle as requests would find it, once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3


@dataclass(frozen=True)
class PushAnswer:
    status_code: int
    headers: Mapping[str, str]
    text: str


def is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, urllib3.exceptions.TimeoutError)


class PushTransport:
    def __init__(self, *, connections: int) -> None:
        ca_bundle = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or requests.certs.where()
        )
        # Connections kept per push service: as many as can send at once.
        self._options: dict[str, Any] = {"num_pools": 16, "maxsize": connections, "ca_certs": ca_bundle}
        self._direct = urllib3.PoolManager(**self._options)
        self._by_service: dict[str, urllib3.PoolManager] = {}
        self._by_proxy: dict[str, urllib3.ProxyManager] = {}
        self._lock = threading.Lock()

    def _pools_for(self, url: str) -> urllib3.PoolManager:
        parts = urlsplit(url)
        service = f"{parts.scheme}://{parts.netloc}"
        pools = self._by_service.get(service)
        if pools is not None:
            return pools
        proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
        with self._lock:
            if proxy is None:
                pools = self._direct
            else:
                if proxy not in self._by_proxy:
                    self._by_proxy[proxy] = urllib3.ProxyManager(proxy, **self._options)
                pools = self._by_proxy[proxy]
            self._by_service[service] = pools
        return pools

    def post(self, url: str, *, data: bytes, headers: Mapping[str, str], timeout: float) -> PushAnswer:
        """The push service's answer; a timeout or a refused connection raises."""
        answer = self._pools_for(url).request(
            "POST",
            url,
            body=data,
            headers=dict(headers),
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=False,
            redirect=False,
        )
        return PushAnswer(answer.status, answer.headers, answer.data.decode("utf-8", "replace"))
