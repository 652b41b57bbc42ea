"""The HTTP session pushes are sent with.

It never follows a redirect (a push service answers; it does not send careobs elsewhere), ignores
proxy and credential settings from the environment, and, for endpoints not on an allowed origin,
connects only to an address it has just checked is public: the name is resolved once, checked,
and the connection goes to that address, so DNS cannot be switched to an internal address
between the check and the connection. The host name still goes into the TLS handshake and its
certificate check.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError

from careobs.push.endpoints import public_addresses


class _PublicAddressesOnly:
    """Mixed into urllib3's connections: resolve, check, then connect to a checked address."""

    def _new_conn(self):
        name = self._dns_host
        addresses = public_addresses(name, self.port)  # raises RefusedEndpoint
        error = None
        try:
            for address in addresses:
                self._dns_host = address  # what urllib3 connects to (self.host follows it)
                try:
                    return super()._new_conn()
                except ConnectTimeoutError as exc:  # NewConnectionError too: try the next one
                    error = exc
        finally:
            self._dns_host = name
        raise error


class _PublicHTTPConnection(_PublicAddressesOnly, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicAddressesOnly, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicAddressAdapter(HTTPAdapter):
    """A requests adapter whose connections only ever reach public addresses."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PublicHTTPPool,
            "https": _PublicHTTPSPool,
        }


class PushSession(requests.Session):
    """A session for one push: no redirects, no proxies or .netrc from the environment, and
    (with ``public_only``) connections to checked public addresses only."""

    def __init__(self, *, public_only: bool = True) -> None:
        super().__init__()
        self.trust_env = False
        if public_only:
            adapter = PublicAddressAdapter()
            self.mount("https://", adapter)
            self.mount("http://", adapter)

    def send(self, request, **kwargs):
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)
