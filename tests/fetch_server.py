"""A loopback HTTP server standing in for Overpass and the raster tile hosts in the fetch tests.

``/api/status`` and ``/api/interpreter`` answer like the Overpass API: the features of a
made-up town ("Testtown") placed around the centre of the polygon each query names, so
the same server answers a query around any town. Files (rasters) are served with HTTP
range requests, as GDAL's ``/vsicurl/`` reads them. ``mode`` makes the interpreter fail
the ways real servers do.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
from rasterio.io import MemoryFile
from rasterio.shutil import copy as rio_copy
from rasterio.transform import from_origin

STATUS = (
    "Connected as: 1\nCurrent time: 2026-01-01T00:00:00Z\nAnnounced endpoint: none\n"
    "Rate limit: 2\n2 slots available now.\nCurrently running queries (pid, space limit, time limit, start time):\n"
)


def _square(cx: float, cy: float, half: float) -> list[tuple[float, float]]:
    return [(cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half),
            (cx - half, cy + half), (cx - half, cy - half)]  # fmt: skip


class Town:
    """The OSM elements of Testtown around (cx, cy), with ids that do not depend on the centre."""

    def __init__(self, cx: float, cy: float) -> None:
        self.cx, self.cy = cx, cy
        self.nodes: list[dict[str, Any]] = []
        self.ways: list[dict[str, Any]] = []
        self.relations: list[dict[str, Any]] = []
        self.base = (round(cx * 100) * 10_000 + round(cy * 100)) * 100_000  # ids unique per town
        self._next = self.base + 1000

    def node(self, x: float, y: float, tags: dict[str, str] | None = None) -> int:
        self._next += 1
        n = {
            "type": "node",
            "id": self._next,
            "lat": round(self.cy + y, 7),
            "lon": round(self.cx + x, 7),
        }
        if tags:
            n["tags"] = tags
        self.nodes.append(n)
        return self._next

    def way(self, wid: int, coords: list[tuple[float, float]], tags: dict[str, str] | None) -> int:
        refs = (
            [self.node(x, y) for x, y in coords[:-1]]
            if coords[0] == coords[-1]
            else [self.node(x, y) for x, y in coords]
        )
        if coords[0] == coords[-1]:
            refs.append(refs[0])
        w: dict[str, Any] = {"type": "way", "id": self.base + wid, "nodes": refs}
        if tags:
            w["tags"] = tags
        self.ways.append(w)
        return self.base + wid

    def elements(self) -> list[dict[str, Any]]:
        return [*self.nodes, *self.ways, *self.relations]


def testtown(cx: float, cy: float, *, place: bool = True) -> list[dict[str, Any]]:
    """Testtown: a place polygon, two neighbourhoods, buildings, works, chimneys, lines, pipes.

    Without *place*, no place polygon: the town's administrative relation is its outline.
    """
    t = Town(cx, cy)
    outer = t.way(1, _square(0, 0, 0.05), None)
    t.relations.append({"type": "relation", "id": t.base + 7, "members": [{"type": "way", "ref": outer, "role": "outer"}],
                        "tags": {"type": "boundary", "boundary": "administrative", "admin_level": "8", "name": "Testtown district"}})  # fmt: skip
    if place:
        t.way(2, _square(0, 0, 0.03), {"place": "town", "name": "Testtown"})
    t.way(3, _square(-0.015, 0.01, 0.01), {"place": "neighbourhood", "name": "Mkr 1"})
    t.way(4, _square(0.015, 0.01, 0.01), {"place": "neighbourhood", "name": "Mkr 2"})
    t.way(5, _square(0, 0.01, 0.028), {"landuse": "residential"})
    for wid, (x, y) in ((11, (-0.018, 0.012)), (12, (-0.012, 0.008)), (13, (0.015, 0.01))):
        t.way(wid, _square(x, y, 0.001), {"building": "apartments"})
    t.way(
        20, _square(0.02, -0.02, 0.006), {"man_made": "works", "name": "Testtown Phosphate Works"}
    )
    t.node(0.02, -0.02, {"man_made": "chimney", "height": "45 m", "name": "Works stack"})
    t.node(-0.01, -0.015, {"man_made": "chimney"})
    t.way(21, _square(-0.035, -0.035, 0.004), {"landuse": "landfill"})
    t.way(22, _square(0.035, 0.035, 0.003), {"power": "plant", "plant:source": "solar"})
    t.way(
        30,
        [(-0.06, -0.04), (0.0, -0.04), (0.06, -0.04)],
        {"power": "line", "voltage": "110000", "start_date": "1975"},
    )
    t.way(
        31,
        [(-0.02, 0.0), (0.0, 0.002), (0.02, 0.0)],
        {"man_made": "pipeline", "substance": "water", "material": "cast_iron", "diameter": "300"},
    )
    t.way(32, [(-0.02, -0.005), (0.02, -0.005)], {"man_made": "pipeline", "substance": "gas"})
    t.way(33, [(-0.02, -0.008), (0.02, -0.008)], {"man_made": "pipeline", "substance": "hot_water"})
    return t.elements()


def _centre(query: str) -> tuple[float, float]:
    m = re.search(r"poly:'([^']+)'", query)
    assert m, query
    vals = [float(v) for v in m.group(1).split()]
    lats, lons = vals[0::2], vals[1::2]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def geotiff(bounds: tuple[float, float, float, float], res: float, values: Any, dtype: str = "float32",
            crs: str = "EPSG:4326", nodata: float | None = None) -> bytes:  # fmt: skip
    """A cloud-optimised GeoTIFF over *bounds* whose cell values are ``values(x, y)`` (centres).

    Written by GDAL's COG driver: 64-pixel tiles, overviews, header first, as the real tiles.
    """
    w, s, e, n = bounds
    width, height = round((e - w) / res), round((n - s) / res)
    xs = w + (np.arange(width) + 0.5) * res
    ys = n - (np.arange(height) + 0.5) * res
    arr = np.asarray(values(*np.meshgrid(xs, ys)), dtype=dtype)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": dtype,
               "crs": crs, "transform": from_origin(w, n, res, res), "nodata": nodata}  # fmt: skip
    with MemoryFile() as mem, MemoryFile() as cog:
        with mem.open(**profile) as dst:
            dst.write(arr, 1)
        with mem.open() as src:
            rio_copy(src, cog.name, driver="COG", BLOCKSIZE=64, COMPRESS="DEFLATE")
        return bytes(cog.read())


def _failure(handler: Any, mode: str, hang_s: float) -> bool:
    """Answer an interpreter request the way a failing server does; False in mode "ok"."""
    remark = 'runtime error: Query timed out in "query" at line 1 after 26 seconds.'
    answers = {
        "error500": (500, b"<html>Internal Server Error</html>", "text/html"),
        "garbage": (200, b"<html><body>Welcome to the captive portal</body></html>", "text/html"),
        "remark": (200, json.dumps({"version": 0.6, "elements": [], "remark": remark}).encode(), "application/json"),
        "empty": (200, json.dumps({"version": 0.6, "elements": []}).encode(), "application/json"),
    }  # fmt: skip
    if mode == "hang":
        time.sleep(hang_s)
        handler._send(200, b"{}")
        return True
    if mode in answers:
        handler._send(*answers[mode])
        return True
    if mode == "broken":  # a body cut off in the middle: promised 100000 bytes, sent 40
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        handler.wfile.write(b'{"version": 0.6, "elements": [{"type": "node", ')
        handler.wfile.flush()
        handler.close_connection = True
        return True
    return False


class FetchServer:
    """The server: ``url`` is its root; ``files`` maps paths to bytes; ``mode`` the Overpass behaviour."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.mode = "ok"
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()  # bytes of files served, by path
        self.place = True  # Testtown has a place polygon
        self.break_files = False  # cut every range request past the header off in the middle
        self.hang_s = 3.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def _send(
                self,
                code: int,
                body: bytes,
                ctype: str = "application/json",
                extra: dict[str, str] | None = None,
            ) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self) -> None:
                path = urllib.parse.urlparse(self.path).path
                server.hits[path] += 1
                if path == "/api/status":
                    return self._send(200, STATUS.encode(), "text/plain")
                body = server.files.get(path)
                if body is None:
                    return self._send(404, b"not found", "text/plain")
                rng = self.headers.get("Range")
                if rng:
                    a, _, b = rng.removeprefix("bytes=").partition("-")
                    start, end = int(a), min(int(b) if b else len(body) - 1, len(body) - 1)
                    if server.break_files and start > 0:
                        self.send_response(206)
                        self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
                        self.send_header("Content-Length", str(end + 1 - start))
                        self.end_headers()
                        self.wfile.write(body[start : start + (end - start) // 2])
                        self.close_connection = True
                        return None
                    server.sent[path] += end + 1 - start
                    return self._send(206, body[start : end + 1], "image/tiff",
                                      {"Content-Range": f"bytes {start}-{end}/{len(body)}", "Accept-Ranges": "bytes"})  # fmt: skip
                server.sent[path] += len(body) if self.command == "GET" else 0
                return self._send(200, body, "image/tiff", {"Accept-Ranges": "bytes"})

            do_HEAD = do_GET

            def do_POST(self) -> None:
                path = urllib.parse.urlparse(self.path).path
                server.hits[path] += 1
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                query = form.get("data", [""])[0]
                if _failure(self, server.mode, server.hang_s):
                    return None
                cx, cy = _centre(query)
                body = {
                    "version": 0.6,
                    "generator": "loopback test server",
                    "elements": testtown(cx, cy, place=server.place),
                }
                return self._send(200, json.dumps(body).encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def urls(self) -> dict[str, str]:
        return {
            "osm": f"{self.url}/api",
            "dem": f"{self.url}/dem",
            "landcover": f"{self.url}/wc",
            "soil": f"{self.url}/soil",
        }
