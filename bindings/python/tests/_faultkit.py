"""Network fixtures the fault tests share: a port whose connects never complete, a free port where
nothing listens, and a small CONNECT proxy. (Imported by test_faults.py and test_fault_secrets.py;
pytest puts this directory on sys.path.)"""

import socket
import socketserver
import threading

# The sandbox's TLS certificate names this host too (besides localhost and the loopback
# addresses, which never go through a proxy); the proxy below sends it to 127.0.0.1.
TLS_TEST_HOST = "cloud-elements-sandbox.test"


def free_port():
    """A loopback port where nothing listens (connects are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Blackhole:
    """A loopback port where a TCP connect never completes: a listener with a backlog of 0 whose
    queue is already full, so the kernel drops further SYNs."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers = []
        # Fill the accept queue; the connects that no longer fit time out here, as they should.
        for _ in range(4):
            filler = socket.socket()
            filler.settimeout(0.1)
            try:
                filler.connect(("127.0.0.1", self.port))
                self.fillers.append(filler)
            except OSError:
                filler.close()

    def close(self):
        for s in [*self.fillers, self.listener]:
            s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ConnectProxy(socketserver.ThreadingTCPServer):
    """An HTTP CONNECT proxy on loopback, serving in a thread of its own: it tunnels to
    TLS_TEST_HOST as 127.0.0.1 (anything else as named; 502 when that fails) and records each
    CONNECT target (`targets`) and `Proxy-Authorization` header (`authorizations`)."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Tunnel)
        self.lock = threading.Lock()
        self.targets = []
        self.authorizations = []
        self.port = self.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class _Tunnel(socketserver.StreamRequestHandler):
    rbufsize = 0  # the head is read byte by byte: nothing of the tunnelled stream is buffered here

    def handle(self):
        request_line = self.rfile.readline().decode("latin-1")
        authorization = None
        while True:
            line = self.rfile.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "proxy-authorization":
                authorization = value.strip()
        method, _, rest = request_line.partition(" ")
        target = rest.split(" ")[0]
        with self.server.lock:
            self.server.targets.append(target)
            self.server.authorizations.append(authorization)
        host, _, port = target.rpartition(":")
        if method != "CONNECT" or not port.isdigit():
            self.wfile.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            upstream = socket.create_connection(("127.0.0.1" if host == TLS_TEST_HOST else host, int(port)), 5)
        except OSError:
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            up = threading.Thread(target=_pump, args=(self.connection, upstream), daemon=True)
            up.start()
            _pump(upstream, self.connection)
            up.join(5)


def _pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
