"""Open an atlas GeoPackage in real QGIS and report what QGIS sees, as JSON on stdout.

Run by ``tests/test_qgis.py`` with Debian's ``/usr/bin/python3`` (``python3-qgis``)
and ``QT_QPA_PLATFORM=offscreen``::

    python3 check_atlas.py PNG_DIR ATLAS.gpkg [OTHER.gpkg ...]

For every vector table listed in ``layer_styles``: validity, the renderer
QGIS applied from the default style (type, colours, classes), labels,
aliases and layer metadata. For every raster table: validity, band count, no
data. Then the embedded project: read status, layer validity, the layer tree
and the raster renderers. Finally each top-level group of the project is
rendered to ``PNG_DIR/<k>_<n>.png`` (``k``: index of the file on the command
line) and the pixel statistics are reported. ``ATLAS_LOCALE=ru_RU`` shows values as a
user of that locale sees them. One QGIS start serves every
file; the output maps each path to its report.
"""

import json
import os
import sqlite3
import sys

from qgis.core import (
    QgsApplication,
    QgsLayerTreeGroup,
    QgsLayerTreeLayer,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QLocale, QSize
from qgis.PyQt.QtGui import QColor


def renderer_info(layer):
    r = layer.renderer()
    info = {"type": r.type()}
    if r.type() == "singleSymbol":
        info["colors"] = [r.symbol().color().name()]
    elif r.type() == "categorizedSymbol":
        info["field"] = r.classAttribute()
        info["values"] = [str(c.value()) for c in r.categories()]
        info["labels"] = [c.label() for c in r.categories()]
        info["colors"] = [c.symbol().color().name() for c in r.categories()]
    elif r.type() == "graduatedSymbol":
        info["field"] = r.classAttribute()
        info["breaks"] = [[x.lowerValue(), x.upperValue()] for x in r.ranges()]
        info["labels"] = [x.label() for x in r.ranges()]
        info["colors"] = [x.symbol().color().name() for x in r.ranges()]
    elif r.type() == "RuleRenderer":
        rules = r.rootRule().children()
        info["filters"] = [x.filterExpression() for x in rules]
        info["labels"] = [x.label() for x in rules]
        info["colors"] = [x.symbol().color().name() for x in rules]
    return info


def raster_info(layer):
    r = layer.renderer()
    info = {"type": r.type(), "opacity": r.opacity()}
    if r.type() == "paletted":
        info["values"] = [c.value for c in r.classes()]
        info["colors"] = [c.color.name() for c in r.classes()]
        info["labels"] = [c.label for c in r.classes()]
    elif r.type() == "singlebandpseudocolor":
        fn = r.shader().rasterShaderFunction()
        items = fn.colorRampItemList()
        info["values"] = [i.value for i in items]
        info["colors"] = [i.color.name() for i in items]
        info["alphas"] = [i.color.alpha() for i in items]
    return info


def metadata_info(layer):
    m = layer.metadata()
    spatial = m.extent().spatialExtents()
    return {
        "title": m.title(),
        "abstract": m.abstract(),
        "licenses": list(m.licenses()),
        "rights": list(m.rights()),
        "history": list(m.history()),
        "keywords": {k: list(v) for k, v in m.keywords().items()},
        "crs": m.crs().authid() if m.crs().isValid() else None,
        "extent": [
            [
                e.extentCrs.authid(),
                e.bounds.xMinimum(),
                e.bounds.yMinimum(),
                e.bounds.xMaximum(),
                e.bounds.yMaximum(),
            ]
            for e in spatial
        ],
    }


def fields_info(layer, samples=6):
    """Each field: alias, editor widget, and how QGIS shows the first distinct values."""
    reg = QgsApplication.fieldFormatterRegistry()
    out = {}
    values = {f.name(): [] for f in layer.fields()}
    for feat in layer.getFeatures():
        for name, seen in values.items():
            v = feat[name]
            if len(seen) < samples and v is not None and v not in seen and str(v) != "NULL":
                seen.append(v)
    for i, f in enumerate(layer.fields()):
        setup = layer.editorWidgetSetup(i)
        fmt = reg.fieldFormatter(setup.type())
        info = {"alias": f.alias(), "widget": setup.type(), "type": f.typeName()}
        if setup.type() == "ValueMap":
            info["map"] = {
                str(code): label
                for item in setup.config().get("map", [])
                for label, code in item.items()
            }
        info["shown"] = [
            [str(v), fmt.representValue(layer, i, setup.config(), None, v)]
            for v in values[f.name()]
        ]
        out[f.name()] = info
    return out


def alpha_info(layer):
    """How see-through *layer* is when drawn alone over its extent (200 × 200 pixels).

    ``clear``: share of fully transparent pixels; ``faint``: share under a quarter
    of full opacity (the base map shows through); ``mean``: mean alpha (0-255).
    """
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(200, 200))
    settings.setBackgroundColor(QColor(0, 0, 0, 0))
    settings.setExtent(layer.extent())
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    alphas = [
        QColor.fromRgba(img.pixel(x, y)).alpha()
        for y in range(img.height())
        for x in range(img.width())
    ]
    n = len(alphas)
    return {
        "clear": sum(a == 0 for a in alphas) / n,
        "faint": sum(a < 64 for a in alphas) / n,
        "mean": sum(alphas) / n,
    }


def render(layers, crs, path):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(crs)
    settings.setOutputSize(QSize(480, 360))
    settings.setBackgroundColor(QColor(255, 255, 255))
    extent = QgsRectangle()
    extent.setMinimal()
    for lyr in layers:
        extent.combineExtentWith(settings.layerExtentToOutputExtent(lyr, lyr.extent()))
    extent.scale(1.05)
    settings.setExtent(extent)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    img.save(path)
    grey = []
    colours = set()
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = QColor(img.pixel(x, y))
            colours.add(c.name())
            grey.append(0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue())
    mean = sum(grey) / len(grey)
    var = sum((g - mean) ** 2 for g in grey) / len(grey)
    non_white = sum(1 for g in grey if g < 250) / len(grey)
    return {
        "variance": var,
        "colours": len(colours),
        "non_white": non_white,
        "errors": [e.message for e in job.errors()],
    }


def check(gpkg, png_prefix):
    out = {"vectors": {}, "rasters": {}, "project": {}}
    db = sqlite3.connect(gpkg)
    styled = [
        r[0]
        for r in db.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault ORDER BY id")
    ]
    rasters = [
        r[0]
        for r in db.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type IN ('2d-gridded-coverage', 'tiles') ORDER BY table_name"
        )
    ]
    db.close()
    for table in styled:
        lyr = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")
        info = {"valid": lyr.isValid()}
        if lyr.isValid():
            info["renderer"] = renderer_info(lyr)
            info["labels"] = bool(lyr.labelsEnabled())
            info["label_field"] = lyr.labeling().settings().fieldName if lyr.labeling() else None
            info["aliases"] = {f.name(): f.alias() for f in lyr.fields() if f.alias()}
            info["metadata"] = metadata_info(lyr)
            info["fields"] = fields_info(lyr)
            info["wkb"] = lyr.wkbType()
            info["features"] = lyr.featureCount()
        out["vectors"][table] = info
    for table in rasters:
        lyr = QgsRasterLayer(f"GPKG:{gpkg}:{table}", table, "gdal")
        info = {"valid": lyr.isValid()}
        if lyr.isValid():
            dp = lyr.dataProvider()
            info["bands"] = lyr.bandCount()
            info["nodata"] = dp.sourceNoDataValue(1) if dp.sourceHasNoDataValue(1) else None
            info["metadata"] = metadata_info(lyr)
            info["renderer"] = raster_info(lyr)
        out["rasters"][table] = info

    project = QgsProject.instance()
    project.clear()
    ok = project.read(f"geopackage:{gpkg}?projectName=atlas")
    p = out["project"]
    p["read"] = bool(ok)
    p["crs"] = project.crs().authid() or project.crs().toWkt()[:40]
    p["crs_valid"] = project.crs().isValid()
    p["title"] = project.title()
    view = project.viewSettings().defaultViewExtent()
    p["default_view"] = [view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum()]
    p["layers"] = {}
    for lid, lyr in sorted(project.mapLayers().items()):
        info = {"valid": lyr.isValid(), "name": lyr.name(), "source": lyr.source()}
        if lyr.isValid():
            if isinstance(lyr, QgsRasterLayer):
                info["renderer"] = raster_info(lyr)
                info["alpha"] = alpha_info(lyr)
            else:
                info["renderer"] = renderer_info(lyr)
                info["labels"] = bool(lyr.labelsEnabled())
                info["fields"] = fields_info(lyr)
            info["metadata"] = metadata_info(lyr)
        p["layers"][lid] = info
    p["groups"] = []
    root = project.layerTreeRoot()
    for i, node in enumerate(root.children()):
        if not isinstance(node, QgsLayerTreeGroup):
            continue
        ids = [c.layerId() for c in node.children() if isinstance(c, QgsLayerTreeLayer)]
        group = {"name": node.name(), "checked": node.isVisible(), "layers": ids}
        layers = [project.mapLayer(x) for x in ids]
        layers = [x for x in layers if x is not None and x.isValid()]
        if layers:
            group["render"] = render(layers, project.crs(), f"{png_prefix}{i}.png")
        p["groups"].append(group)
    project.clear()
    return out


def main(png_dir, paths):
    report = {path: check(path, f"{png_dir}/{k}_") for k, path in enumerate(paths)}
    print(json.dumps(report))


if __name__ == "__main__":
    # numbers as a user of that locale with "Show group separator" on sees them ("1 968")
    if os.environ.get("ATLAS_LOCALE"):
        QLocale.setDefault(QLocale(os.environ["ATLAS_LOCALE"]))
    app = QgsApplication([], False)
    app.initQgis()
    try:
        main(sys.argv[1], sys.argv[2:])
    finally:
        app.exitQgis()
