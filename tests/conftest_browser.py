"""A tiny Chrome DevTools Protocol client over ``--remote-debugging-pipe``.

No third-party package: Chromium reads NUL-terminated JSON messages on fd 3
and writes them on fd 4. Used by ``tests/test_html_browser.py`` to load a page
headless, collect console errors and every network request, run JavaScript
and take screenshots.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)

LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "devtools:")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or None."""
    env = os.environ.get("CHROMIUM")
    if env and Path(env).is_file():
        return env
    for c in CHROMIUM_CANDIDATES:
        if Path(c).is_file():
            return c
    return shutil.which("chromium")


class CDPError(RuntimeError):
    """A DevTools command failed or timed out."""


class Browser:
    """Headless Chromium driven through the DevTools pipe.

    Parameters
    ----------
    exe : str
        Chromium executable.
    user_data_dir : Path
        A fresh profile folder.
    """

    def __init__(self, exe: str, user_data_dir: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child() -> None:  # runs in the child before exec
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 20)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 20)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child,  # single-threaded test process
            # dup2 clears close-on-exec on 3 and 4; every other pipe end is close-on-exec
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ transport
    def _read(self, timeout: float) -> list[dict[str, Any]]:
        ready, _, _ = select.select([self._from_chrome], [], [], timeout)
        if not ready:
            return []
        chunk = os.read(self._from_chrome, 1 << 20)
        if not chunk:
            raise CDPError("Chromium closed the DevTools pipe")
        self._buf += chunk
        out = []
        while b"\0" in self._buf:
            raw, self._buf = self._buf.split(b"\0", 1)
            out.append(json.loads(raw))
        return out

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Send a command and return its result (events arriving meanwhile are kept)."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self._read(0.2):
                if m.get("id") == self._next_id:
                    if "error" in m:
                        raise CDPError(f"{method}: {m['error']}")
                    return m.get("result", {})
                if "method" in m:
                    self.events.append(m)
        raise CDPError(f"{method}: no answer in {timeout} s")

    def wait_event(self, method: str, session: str | None, timeout: float = 30.0) -> dict[str, Any]:
        """Wait for an event (already received or coming)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for e in self.events[seen:]:
                if e["method"] == method and (session is None or e.get("sessionId") == session):
                    return e
            seen = len(self.events)
            if time.monotonic() > deadline:
                raise CDPError(f"no {method} event in {timeout} s")
            for m in self._read(0.2):
                if "method" in m:
                    self.events.append(m)

    def pump(self, seconds: float) -> None:
        """Collect events for *seconds*."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for m in self._read(0.05):
                if "method" in m:
                    self.events.append(m)

    # ------------------------------------------------------------------ pages
    def open(self, url: str, *, width: int = 1280, height: int = 820) -> Page:
        """Open *url* in a new tab and wait for its load event."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.send(m, session=sid)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=sid,
        )
        self.send("Page.navigate", {"url": url}, session=sid)
        self.wait_event("Page.loadEventFired", sid)
        self.pump(0.3)
        return Page(self, sid, target)

    def close(self) -> None:
        """Shut Chromium down."""
        with contextlib.suppress(CDPError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)


class Page:
    """One tab: evaluate JavaScript, read its errors and requests, take screenshots."""

    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.b = browser
        self.session = session
        self.target = target

    def eval(self, expression: str) -> Any:
        """Evaluate *expression* (promises awaited) and return its JSON value."""
        r = self.b.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        if "exceptionDetails" in r:
            raise CDPError(f"JS exception: {r['exceptionDetails']}")
        return r["result"].get("value")

    def _mine(self) -> list[dict[str, Any]]:
        return [e for e in self.b.events if e.get("sessionId") == self.session]

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries so far."""
        out = []
        for e in self._mine():
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                out.append(str(d.get("exception", {}).get("description") or d.get("text")))
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", []))
                )
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append(
                    f"{p['entry'].get('source')}: {p['entry'].get('text')} {p['entry'].get('url', '')}"
                )
        return out

    def requests(self) -> list[str]:
        """URLs of every request the page made."""
        return [
            e["params"]["request"]["url"]
            for e in self._mine()
            if e["method"] == "Network.requestWillBeSent"
        ]

    def remote_requests(self) -> list[str]:
        """Requests that would leave the machine (anything but file:, data:, about:...)."""
        return [u for u in self.requests() if not u.startswith(LOCAL_SCHEMES)]

    def screenshot(self, path: Path) -> Path:
        """Save a PNG screenshot of the viewport."""
        r = self.b.send("Page.captureScreenshot", {"format": "png"}, session=self.session)
        path.write_bytes(base64.b64decode(r["data"]))
        return path

    def close(self) -> None:
        """Close the tab."""
        self.b.send("Target.closeTarget", {"targetId": self.target})


# ---------------------------------------------------------------------------- test themes
# Small themes made in code, shared by test_html.py, test_html_browser.py and test_png.py.


@functools.cache
def real_base():
    """The real base map (catalog layers, hillshade), built once per test session."""
    from geo.catalog import Catalog
    from geo.themes.base import ThemeInputs
    from geo.themes.base_layers import base_result

    return base_result(ThemeInputs(Catalog()))


@functools.cache
def rendered_demo(xss: bool, lang: str) -> str:
    """The demo theme's HTML page on the real base, rendered once per session."""
    from geo.writers.html import render_theme_map

    return render_theme_map(make_theme(xss=xss), real_base(), lang=lang)


XSS_IMG = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_SVG = '<svg onload="window.__xss=1"><rect width="5" height="5"/></svg>'


def _t(en: str, kk: str, ru: str, payload: str = "") -> dict[str, str]:
    return {"en": en + payload, "kk": kk + payload, "ru": ru + payload}


def bar_chart_svg(values: list[float]) -> str:
    """A toolkit-style chart: bars from numbers only."""
    bars = "".join(
        f'<rect x="{4 + 14 * i}" y="{40 - 36 * v / 100:.1f}" width="10" height="{36 * v / 100:.1f}" fill="#3182bd"/>'
        for i, v in enumerate(values)
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{8 + 14 * len(values)}" height="44">{bars}</svg>'


def make_theme(*, xss: bool = False):
    """A theme with polygons (graduated, NaN), lines (categorised), points, a class raster and a ramp raster.

    Around Zhanatas, in UTM 42N. With ``xss=True`` every string a user sees
    that comes from data or a recipe carries a script payload.
    """
    import geopandas as gpd
    import numpy as np
    from affine import Affine
    from pyproj import CRS
    from shapely.geometry import LineString, Point, box

    from geo.raster import Raster
    from geo.results import RasterLayer, ThemeResult, VectorLayer
    from geo.symbology import (
        Categorized,
        Category,
        FieldSpec,
        Graduated,
        RasterClasses,
        RasterRamp,
        Single,
    )

    p = XSS_IMG if xss else ""
    s = XSS_SCRIPT if xss else ""
    utm = CRS.from_epsg(32642)
    x0, y0 = 576_000, 4_823_000  # Zhanatas
    polys = gpd.GeoDataFrame(
        {
            "name": [f"Zone A{p}", f"Zone B{s}", "Zone C"],
            "score": [12.5, 67.25, np.nan],
            "status": ["existing", "destroyed", f"odd{p}" if xss else "reconstruction"],
            "chart": [
                bar_chart_svg([20, 80, 55]),
                XSS_SVG if xss else bar_chart_svg([5, 10]),
                None,
            ],
            "synthetic": [True, True, True],
            "data_note": [f"generated{p}"] * 3,
        },
        geometry=[box(x0 + i * 2500, y0, x0 + i * 2500 + 2400, y0 + 2400) for i in range(3)],
        crs=utm,
    )
    lines = gpd.GeoDataFrame(
        {"kind": ["water", f"heat{s}"], "wear": [35.0, 90.0]},
        geometry=[
            LineString([(x0 - 1000, y0 - 500), (x0 + 8000, y0 + 3000)]),
            LineString([(x0, y0 + 3500), (x0 + 7000, y0 - 800)]),
        ],
        crs=utm,
    )
    points = gpd.GeoDataFrame(
        {"label": [f"Plant{p}", "Mine", f"Dump{s}"], "hazard": [1, 2, 3]},
        geometry=[
            Point(x0 + 1200, y0 - 1500),
            Point(x0 + 5000, y0 + 4200),
            Point(x0 + 8300, y0 + 1000),
        ],
        crs=utm,
    )
    arr = np.zeros((40, 60), dtype="float64")
    arr[:, :20], arr[:, 20:40], arr[:, 40:] = 1, 2, 3
    arr[15:25, 25:35] = np.nan
    transform = Affine(150.0, 0, x0 - 500, 0, -150.0, y0 + 5000)
    classes = Raster(arr, transform, utm)
    ramp = Raster(np.linspace(0, 100, 40 * 60).reshape(40, 60), transform, utm)
    vectors = [
        VectorLayer(
            name="zones",
            title=_t("Zones", "Аймақтар", "Зоны", p),
            data=polys,
            style=Graduated(
                "score", (0.0, 25.0, 50.0, 100.0), ("#fee08b", "#fc8d59", "#d73027"), unit="%"
            ),
            fields=(
                FieldSpec("name", _t("Name", "Атауы", "Название", s)),
                FieldSpec("score", _t("Score", "Балл", "Балл"), unit="%", digits=1),
                FieldSpec("status", _t("Status", "Мәртебесі", "Статус")),
            ),
            description=_t("Zones", "Аймақтар", "Зоны"),
            source=f"Synthetic test zones{p}",
            licence=f"CC0{s}",
            synthetic=True,
            label_field="name",
            popup_html="chart",
        ),
        VectorLayer(
            name="networks",
            title=_t("Networks", "Желілер", "Сети", s),
            data=lines,
            style=Categorized(
                "kind",
                (
                    Category("water", "#2b8cbe", _t("water", "су", "вода", p)),
                    Category("heat", "#e34a33", _t("heat", "жылу", "тепло")),
                ),
                width=3.0,
            ),
            fields=(FieldSpec("wear", _t("Wear", "Тозу", "Износ"), unit="%", digits=0),),
            source="Synthetic test lines",
            licence="CC0",
        ),
        VectorLayer(
            name="sources",
            title=_t("Sources", "Көздер", "Источники"),
            data=points,
            style=Single("#756bb1", radius=7.0, fill_opacity=0.9),
            fields=(
                FieldSpec("label", _t("Name", "Атауы", "Название")),
                FieldSpec("hazard", _t("Hazard class", "Қауіптілік класы", "Класс опасности")),
            ),
            source="Synthetic test points",
            licence="CC0",
            label_field="label",
        ),
    ]
    rasters = [
        RasterLayer(
            name="suitability",
            title=_t("Suitability", "Жарамдылық", "Пригодность", p),
            raster=classes,
            style=RasterClasses(
                (1, 2, 3),
                ("#1a9850", "#fee08b", "#d73027"),
                (
                    _t("high", "жоғары", "высокая", s),
                    _t("medium", "орташа", "средняя"),
                    _t("low", "төмен", "низкая"),
                ),
            ),
            source="Synthetic raster",
            synthetic=True,
        ),
        RasterLayer(
            name="index",
            title=_t("Index", "Индекс", "Индекс"),
            raster=ramp,
            style=RasterRamp((0.0, 50.0, 100.0), ("#ffffb2", "#fd8d3c", "#bd0026"), unit="µg/m³"),
            source="Synthetic raster",
            show=False,
        ),
    ]
    return ThemeResult(
        theme="demo",
        title=_t("Demo theme", "Сынақ тақырыбы", "Тестовая тема", p),
        vectors=vectors,
        rasters=rasters,
        notes=[_t("Test data only.", "Тек сынақ деректері.", "Только тестовые данные.", s)],
    )


def start_browser(tmp_path_factory: Any, what: str) -> Browser:
    """A headless Chromium for *what*; skip where it is missing, but fail on CI (``CI=true``)."""
    import os

    import pytest

    exe = find_chromium()
    if exe is None:
        reason = (
            f"Chromium is not installed (apt install chromium); {what} are not checked in a browser"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must not skip the browser tests: {reason}")
        pytest.skip(reason)
    return Browser(exe, tmp_path_factory.mktemp("chromium-profile"))
