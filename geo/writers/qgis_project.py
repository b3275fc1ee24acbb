"""A QGIS project stored inside the GeoPackage, written without QGIS.

QGIS (≥ 3.8) keeps projects in a GeoPackage table
``qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)``:
``content`` is the hex text of a zipped ``.qgz`` holding one ``.qgs`` XML
file, ``metadata`` a small JSON object (see QGIS
``src/core/providers/ogr/qgsgeopackageprojectstorage.cpp``). The project opens
from the Browser panel (GeoPackage → Projects) or by the URI
``geopackage:/path/atlas.gpkg?projectName=atlas``.

Layer sources are written **relative to the GeoPackage**
(``./atlas.gpkg|layername=rivers``, ``GPKG:./atlas.gpkg:dem``): for a project
stored in a GeoPackage, QGIS resolves ``./`` against the folder of the
GeoPackage itself, so the file keeps working when it is copied or moved to
another folder (QGIS #30387). QGIS resolves the *file name* literally, so a
renamed GeoPackage cannot find its own layers (QGIS #37440, #39796: there is
no "this container" path in QGIS). After a rename, the layers added from the
file by hand (Browser or drag and drop) still come styled from
``layer_styles``.

The XML holds what the atlas needs (project CRS and default view, layer tree
grouped by theme, each layer's source, CRS, metadata, style or raster pipe);
QGIS fills the rest with its defaults. Layer ids are the table names, so the
output is deterministic.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyproj import CRS, Transformer

from geo.writers.framing import union_bounds
from geo.writers.qml import QGIS_VERSION, subelement, to_xml

__all__ = [
    "LayerMeta",
    "ProjectGroup",
    "ProjectLayer",
    "layer_id",
    "layer_metadata_element",
    "project_xml",
    "qgz_bytes",
    "srs_element",
    "store_project",
]

#: Name of the ``.qgs`` member inside the ``.qgz`` archive.
QGS_MEMBER = "atlas.qgs"
#: Fixed zip timestamp (determinism: same inputs, same bytes).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class LayerMeta:
    """Metadata of one layer, shown by QGIS in Layer Properties → Metadata.

    Parameters
    ----------
    identifier : str
        Table name.
    title, abstract : str
        In the build's language.
    language : str
        ``en``, ``kk`` or ``ru``.
    keywords : dict
        Vocabulary → keywords (theme, synthetic flag...).
    history : tuple of str
        Source, method and parameters, one line each.
    licenses, rights : tuple of str
        Licence of the data and attribution.
    crs : pyproj.CRS, optional
        The layer's CRS (written in full, with its authority id).
    bounds : (xmin, ymin, xmax, ymax), optional
        Spatial extent in *crs*.
    created : str, optional
        Creation date (ISO 8601, the build's fixed timestamp): a ``Created`` date
        for QGIS ≥ 3.30 (3.22 has no such field and reads it from *history*).
    """

    identifier: str
    title: str
    abstract: str
    language: str
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    licenses: tuple[str, ...] = ()
    rights: tuple[str, ...] = ()
    crs: CRS | None = None
    bounds: tuple[float, float, float, float] | None = None
    created: str = ""


@dataclass
class ProjectLayer:
    """A layer of the embedded project.

    ``kind`` is ``"vector"`` or ``"raster"``; ``style`` the QML children
    (vector) or the ``<pipe>`` element (raster); ``geometry`` the QGIS geometry
    name (``Point``, ``Line``, ``Polygon``) and ``wkb_type`` the table's type.
    ``bounds`` are in ``crs``.
    """

    table: str
    kind: str
    title: str
    crs: CRS
    style: list[ET.Element]
    meta: LayerMeta
    bounds: tuple[float, float, float, float] | None = None
    geometry: str | None = None
    wkb_type: str | None = None
    visible: bool = True
    labels: bool = False


@dataclass
class ProjectGroup:
    """A theme's group in the layer tree (layers drawn top to bottom)."""

    name: str
    layers: list[ProjectLayer]
    checked: bool = True
    expanded: bool = True


def srs_element(crs: CRS) -> ET.Element:
    """QGIS ``<spatialrefsys>`` for *crs* (authority id when there is one, else WKT)."""
    srs = ET.Element("spatialrefsys")
    auth = crs.to_authority(min_confidence=90)
    subelement(srs, "wkt", txt=crs.to_wkt())
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", UserWarning
        )  # "lose projection information": informative only
        with warnings.catch_warnings():  # PROJ.4 strings are lossy; QGIS only shows this one
            warnings.simplefilter("ignore", UserWarning)
            proj4 = crs.to_proj4() or ""
    subelement(srs, "proj4", txt=proj4)
    subelement(srs, "srsid", txt="0")
    subelement(srs, "srid", txt=auth[1] if auth and auth[0] == "EPSG" else "0")
    subelement(srs, "authid", txt=f"{auth[0]}:{auth[1]}" if auth else "")
    subelement(srs, "description", txt=crs.name)
    subelement(srs, "projectionacronym", txt="")
    subelement(srs, "ellipsoidacronym", txt="")
    subelement(srs, "geographicflag", txt="true" if crs.is_geographic else "false")
    return srs


def layer_metadata_element(meta: LayerMeta, tag: str = "resourceMetadata") -> ET.Element:
    """QGIS layer metadata (``QgsLayerMetadata`` XML) as element *tag*.

    ``tag="qgis"`` gives the document QGIS stores in ``gpkg_metadata``;
    ``"resourceMetadata"`` the element inside a project's ``<maplayer>``.
    """
    el = ET.Element(tag)
    if tag == "qgis":
        el.set("version", QGIS_VERSION)
    subelement(el, "identifier", txt=meta.identifier)
    subelement(el, "parentidentifier", txt="")
    subelement(el, "language", txt=meta.language)
    subelement(el, "type", txt="dataset")
    subelement(el, "title", txt=meta.title)
    subelement(el, "abstract", txt=meta.abstract)
    for vocab in sorted(meta.keywords):
        kw = subelement(el, "keywords", {"vocabulary": vocab})
        for word in meta.keywords[vocab]:
            subelement(kw, "keyword", txt=word)
    subelement(el, "links")
    for line in meta.history:
        subelement(el, "history", txt=line)
    subelement(el, "fees", txt="")
    for r in meta.rights:
        subelement(el, "rights", txt=r)
    for lic in meta.licenses:
        subelement(el, "license", txt=lic)
    subelement(el, "encoding", txt="")
    crs = subelement(el, "crs")
    crs.append(srs_element(meta.crs) if meta.crs is not None else ET.Element("spatialrefsys"))
    extent = subelement(el, "extent")
    if meta.bounds is not None and all(map(_finite, meta.bounds)):
        auth = meta.crs.to_authority(min_confidence=90) if meta.crs is not None else None
        xmin, ymin, xmax, ymax = (repr(float(v)) for v in meta.bounds)
        subelement(
            extent,
            "spatial",
            {
                "crs": f"{auth[0]}:{auth[1]}" if auth else "",
                "dimensions": "2",
                "minx": xmin,
                "miny": ymin,
                "maxx": xmax,
                "maxy": ymax,
                "minz": "0",
                "maxz": "0",
            },
        )
    if meta.created:
        dates = subelement(el, "dates")
        subelement(dates, "date", {"type": "Created", "value": meta.created})
    return el


def layer_id(table: str) -> str:
    """Deterministic QGIS layer id of *table*.

    QGIS ignores (and replaces by a random id) any id of 10 characters or
    fewer, so the table name gets a short hash suffix.

    Examples
    --------
    >>> layer_id("towns")
    'towns_00f2c07b'
    """
    return f"{table}_{hashlib.sha256(table.encode()).hexdigest()[:8]}"


def _source(layer: ProjectLayer, gpkg_name: str) -> tuple[str, str]:
    """(provider, relative data source) of *layer* in the GeoPackage *gpkg_name*."""
    if layer.kind == "raster":
        return "gdal", f"GPKG:./{gpkg_name}:{layer.table}"
    return "ogr", f"./{gpkg_name}|layername={layer.table}"


def _extent(parent: ET.Element, tag: str, bounds: tuple[float, float, float, float]) -> ET.Element:
    ext = subelement(parent, tag)
    for k, v in zip(("xmin", "ymin", "xmax", "ymax"), bounds, strict=True):
        subelement(ext, k, txt=repr(float(v)))
    return ext


def _maplayer(layer: ProjectLayer, gpkg_name: str) -> ET.Element:
    provider, source = _source(layer, gpkg_name)
    attrs = {
        "type": layer.kind,
        "hasScaleBasedVisibilityFlag": "0",
        "minScale": "100000000",
        "maxScale": "0",
        "styleCategories": "AllStyleCategories",
        "autoRefreshEnabled": "0",
        "autoRefreshTime": "0",
        "refreshOnNotifyEnabled": "0",
        "refreshOnNotifyMessage": "",
    }
    if layer.kind == "vector":
        attrs.update(
            {
                "geometry": layer.geometry or "Polygon",
                "wkbType": layer.wkb_type or "Unknown",
                "labelsEnabled": "1" if layer.labels else "0",
                "readOnly": "0",
                "simplifyDrawingHints": "1",
                "simplifyDrawingTol": "1",
                "simplifyLocal": "1",
                "simplifyMaxScale": "1",
                "simplifyAlgorithm": "0",
            }
        )
    ml = ET.Element("maplayer", attrs)
    if layer.bounds is not None:
        _extent(ml, "extent", layer.bounds)
    subelement(ml, "id", txt=layer_id(layer.table))
    subelement(ml, "datasource", txt=source)
    kw = subelement(ml, "keywordList")
    subelement(kw, "value", txt="")
    subelement(ml, "layername", txt=layer.title)
    srs = subelement(ml, "srs")
    srs.append(srs_element(layer.crs))
    ml.append(layer_metadata_element(layer.meta))
    prov = subelement(ml, "provider", txt=provider)
    if provider == "ogr":
        prov.set("encoding", "UTF-8")
    if layer.kind == "raster":
        nd = subelement(ml, "noData")
        subelement(nd, "noDataList", {"bandNo": "1", "useSrcNoData": "1"})
    sm = subelement(ml, "map-layer-style-manager", {"current": "default"})
    subelement(sm, "map-layer-style", {"name": "default"})
    flags = subelement(ml, "flags")
    for k, v in (("Identifiable", "1"), ("Removable", "1"), ("Searchable", "1"), ("Private", "0")):
        subelement(flags, k, txt=v)
    ml.extend(layer.style)
    if layer.kind == "raster":
        subelement(ml, "blendMode", txt="0")
    return ml


def _to_project(
    bounds: tuple[float, float, float, float], src: CRS, dst: CRS
) -> tuple[float, float, float, float]:
    if src == dst:
        return bounds
    t = Transformer.from_crs(src, dst, always_xy=True)
    return t.transform_bounds(*bounds, densify_pts=21)


def project_extent(
    groups: Sequence[ProjectGroup], crs: CRS
) -> tuple[float, float, float, float] | None:
    """Union of the layers' bounds in *crs* (None when no layer has bounds)."""
    boxes = [
        _to_project(lyr.bounds, lyr.crs, crs)
        for g in groups
        for lyr in g.layers
        if lyr.bounds is not None
    ]
    return union_bounds(b for b in boxes if all(map(_finite, b)))


def _finite(v: float) -> bool:
    return v == v and abs(v) != float("inf")


def project_xml(
    groups: Sequence[ProjectGroup],
    *,
    gpkg_name: str,
    title: str,
    abstract: str,
    crs: CRS,
    lang: str,
) -> str:
    """The ``.qgs`` XML of the atlas project.

    Long (about 90 lines) because it writes the project document element by
    element in the order QGIS 3.22 reads it; each map layer is built by
    :func:`_maplayer`.

    Parameters
    ----------
    groups : sequence of ProjectGroup
        Layer tree, top group drawn on top.
    gpkg_name : str
        File name of the GeoPackage the layers are read from (relative source).
    title, abstract : str
        Project title and description in the build's language.
    crs : pyproj.CRS
        Project (map) CRS.
    lang : str
        Language of the project metadata.

    Returns
    -------
    str
        XML document.
    """
    root = ET.Element("qgis", {"projectname": title, "version": QGIS_VERSION})
    subelement(root, "homePath", {"path": ""})
    subelement(root, "title", txt=title)
    subelement(root, "autotransaction", {"active": "0"})
    subelement(root, "evaluateDefaultValues", {"active": "0"})
    subelement(root, "trust", {"active": "0"})
    pc = subelement(root, "projectCrs")
    pc.append(srs_element(crs))

    tree = subelement(root, "layer-tree-group")
    subelement(tree, "customproperties")
    order: list[str] = []
    for g in groups:
        ge = subelement(
            tree,
            "layer-tree-group",
            {
                "name": g.name,
                "checked": "Qt::Checked" if g.checked else "Qt::Unchecked",
                "expanded": "1" if g.expanded else "0",
            },
        )
        subelement(ge, "customproperties")
        for lyr in g.layers:
            provider, source = _source(lyr, gpkg_name)
            subelement(
                ge,
                "layer-tree-layer",
                {
                    "id": layer_id(lyr.table),
                    "name": lyr.title,
                    "providerKey": provider,
                    "source": source,
                    "checked": "Qt::Checked" if lyr.visible else "Qt::Unchecked",
                    "expanded": "0",
                },
            )
            order.append(layer_id(lyr.table))
    co = subelement(tree, "custom-order", {"enabled": "0"})
    for lid in order:
        subelement(co, "item", txt=lid)

    layers = subelement(root, "projectlayers")
    for g in groups:
        for lyr in g.layers:
            layers.append(_maplayer(lyr, gpkg_name))
    lo = subelement(root, "layerorder")
    for lid in order:
        subelement(lo, "layer", {"id": lid})

    extent = project_extent(groups, crs)
    if extent is not None:
        canvas = subelement(root, "mapcanvas", {"name": "theMapCanvas", "annotationsVisible": "1"})
        subelement(canvas, "units", txt="degrees" if crs.is_geographic else "meters")
        _extent(canvas, "extent", extent)
        subelement(canvas, "rotation", txt="0")
        dst = subelement(canvas, "destinationsrs")
        dst.append(srs_element(crs))
        subelement(canvas, "rendermaptile", txt="0")
        view = subelement(root, "ProjectViewSettings", {"UseProjectScales": "0", "rotation": "0"})
        subelement(view, "Scales")
        dve = subelement(
            view,
            "DefaultViewExtent",
            {
                k: repr(float(v))
                for k, v in zip(("xmin", "ymin", "xmax", "ymax"), extent, strict=True)
            },
        )
        dve.append(srs_element(crs))

    props = subelement(root, "properties")
    paths = subelement(props, "Paths")
    subelement(paths, "Absolute", {"type": "bool"}, "false")
    # without ProjectionsEnabled QGIS 3.22 ignores <projectCrs> and leaves the project CRS unset
    srs_props = subelement(props, "SpatialRefSys")
    subelement(srs_props, "ProjectionsEnabled", {"type": "int"}, "1")
    md = subelement(root, "projectMetadata")
    subelement(md, "identifier", txt="shutalas-atlas")
    subelement(md, "parentidentifier", txt="")
    subelement(md, "language", txt=lang)
    subelement(md, "type", txt="")
    subelement(md, "title", txt=title)
    subelement(md, "abstract", txt=abstract)
    subelement(md, "links")
    subelement(md, "author", txt="")
    subelement(md, "creation", txt="")
    return to_xml(root)


def qgz_bytes(xml: str, member: str = QGS_MEMBER) -> bytes:
    """Zip the project XML as a ``.qgz`` (deflated, fixed timestamp, deterministic)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(member, date_time=ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        z.writestr(info, xml.encode("utf-8"))
    return buf.getvalue()


def store_project(db: sqlite3.Connection, name: str, qgz: bytes, *, timestamp: str) -> None:
    """Insert the project into ``qgis_projects`` of the open sqlite3 connection *db*.

    Parameters
    ----------
    db : sqlite3.Connection
        Open connection to the GeoPackage.
    name : str
        Project name (``projectName=`` in the QGIS URI).
    qgz : bytes
        Zipped project (:func:`qgz_bytes`).
    timestamp : str
        ``last_modified_time`` written into the metadata (fixed for reproducible builds).
    """
    import sqlite3

    assert isinstance(db, sqlite3.Connection)
    db.execute(
        "CREATE TABLE IF NOT EXISTS qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)"
    )
    meta = json.dumps({"last_modified_time": timestamp, "last_modified_user": "shutalas-atlas"})
    db.execute(
        "INSERT OR REPLACE INTO qgis_projects(name, metadata, content) VALUES (?, ?, ?)",
        (name, meta, qgz.hex()),
    )
