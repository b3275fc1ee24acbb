"""A corpus of bad inputs across every command: exit 2, one line on stderr, nothing in --out.

Each case makes its inputs in code (empty files, wrong formats, truncated GeoPackages and
zips, wrong CRSs, nonsense recipe values, unknown layers, paths with spaces and Cyrillic)
and runs the ``geo`` command in-process as the console script does (warnings printed, not
raised). Every case must exit with code 2, print exactly one non-empty line on stderr at
default verbosity (``geo validate`` lists problems on stdout: there stderr stays quiet),
without a traceback, name what is wrong, and leave no output folder, lock or staging folder.
Most cases fail before any heavy work, so the corpus runs in seconds.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from geo.recipe import default_maps_dir
from tests.cli import run_cli
from tests.recipes import edited_recipe

MAPS = default_maps_dir()
ODD = "папка с пробелами"
"""A folder name with spaces and Cyrillic: every case's inputs live in it."""

Make = Callable[[Path], list[str]]
"""A case: makes its inputs in the folder given and returns the command's arguments
(``{out}`` stands for the output folder)."""


# -- inputs ------------------------------------------------------------------------------------


def _catalog_layer(layer_id: str):
    from geo.catalog import Catalog

    return Catalog().read(layer_id)


def _file(d: Path, name: str, data: bytes | str = b"") -> Path:
    p = d / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def _gpkg(d: Path, layer_id: str = "districts", name: str = "слой.gpkg", **kw) -> Path:
    p = d / name
    _catalog_layer(layer_id).to_file(p, engine="pyogrio", layer=layer_id, **kw)
    return p


def _zipped_shapefile(d: Path) -> Path:
    _catalog_layer("districts").to_file(d / "d.shp", engine="pyogrio")
    z = d / "районы.zip"
    with zipfile.ZipFile(z, "w") as f:
        for ext in ("shp", "shx", "dbf", "prj"):
            f.write(d / f"d.{ext}", f"d.{ext}")
            (d / f"d.{ext}").unlink()
    (d / "d.cpg").unlink(missing_ok=True)
    return z


def _raster(d: Path, array: np.ndarray, name: str = "рельеф.tif", **kw) -> Path:
    import rasterio
    from rasterio.transform import from_origin

    p = d / name
    profile = {"crs": "EPSG:4326", "transform": from_origin(69.0, 44.0, 0.01, 0.01), **kw}
    with rasterio.open(
        p, "w", driver="GTiff", width=array.shape[1], height=array.shape[0], count=1,
        dtype=array.dtype, **profile,
    ) as ds:  # fmt: skip
        ds.write(array, 1)
    return p


def _table(d: Path, layer_id: str, change: Callable[..., object], name: str = "т.csv") -> Path:
    import pandas as pd

    from geo.catalog import Catalog

    spec = Catalog().spec(layer_id)
    df = pd.read_csv(Catalog().layers_dir / str(spec.path))
    df = change(df)
    p = d / name
    df.to_csv(p, index=False)
    return p


def _frame(d: Path, layer_id: str, change: Callable[..., object], name: str = "слой.gpkg") -> Path:
    gdf = change(_catalog_layer(layer_id).copy())
    p = d / name
    gdf.to_file(p, engine="pyogrio", layer=layer_id)
    return p


def _recipe(d: Path, recipe: str, *edits: tuple[str, str]) -> Path:
    return edited_recipe(MAPS / recipe, d / f"рецепт {recipe}", edits)


def _suffix(df, col: str, text: str):
    df[col] = [f"{v}{text}" for v in df[col]]
    return df


def _set(df, col: str, value: object, row: int = 0):
    df[col] = df[col].astype(object)
    df.loc[row, col] = value
    return df


# -- the corpus --------------------------------------------------------------------------------


def build_with(layer: str, make: Callable[[Path], Path]) -> Make:
    return lambda d: ["build", "--out", "{out}", "--layer", f"{layer}={make(d)}"]


def map_with(recipe: str, layer: str, make: Callable[[Path], Path]) -> Make:
    return lambda d: ["map", str(MAPS / recipe), "--out", "{out}", "--layer", f"{layer}={make(d)}"]


def map_of(recipe: str, *edits: tuple[str, str]) -> Make:
    return lambda d: ["map", str(_recipe(d, recipe, *edits)), "--out", "{out}"]


def recipe_text(text: str) -> Make:
    return lambda d: ["map", str(_file(d, "рецепт.toml", text)), "--out", "{out}"]


POLLUTION_CELLS = "cell_size_m = 150"
SUIT_CELLS = "cell_size_m = 100"

CASES: dict[str, tuple[Make, str]] = {
    # --layer files: empty, wrong format, truncated
    "empty gpkg": (build_with("districts", lambda d: _file(d, "пусто.gpkg")), "пусто.gpkg"),
    "empty geojson": (
        build_with("districts", lambda d: _file(d, "пусто.geojson")),
        "пусто.geojson",
    ),
    "empty shapefile": (build_with("districts", lambda d: _file(d, "пусто.shp")), "пусто.shp"),
    "empty csv table": (build_with("survey_2023", lambda d: _file(d, "пусто.csv")), "пусто.csv"),
    "empty tif": (build_with("dem", lambda d: _file(d, "пусто.tif")), "пусто.tif"),
    "empty zip": (build_with("districts", lambda d: _file(d, "пусто.zip")), "пусто.zip"),
    "truncated gpkg": (
        build_with("districts", lambda d: _file(d, "обрыв.gpkg", _gpkg(d).read_bytes()[:4096])),
        "(SQLite: database disk image is malformed)",
    ),
    "truncated zip": (
        build_with(
            "districts", lambda d: _file(d, "обрыв.zip", _zipped_shapefile(d).read_bytes()[:600])
        ),
        "обрыв.zip: not a readable zip archive",
    ),
    "text named zip": (
        build_with("districts", lambda d: _file(d, "т.zip", "not a zip")),
        "т.zip: not a readable zip archive (not a zip, or truncated)",
    ),
    "zip of a text file": (
        build_with("districts", lambda d: _zip_of(d, {"readme.txt": "hello"})),
        "архив.zip: holds no layer GDAL can read (it holds readme.txt)",
    ),
    "png as a vector layer": (
        build_with(
            "districts", lambda d: _file(d, "карта.gpkg", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        ),
        "карта.gpkg",
    ),
    "csv as a vector layer": (
        build_with("districts", lambda d: _file(d, "районы.csv", "district,name_kk\nA,Б\n")),
        "районы.csv",
    ),
    "geojson as the dem": (
        build_with("dem", lambda d: _gpkg(d, "districts", "рельеф.geojson", driver="GeoJSON")),
        "рельеф.geojson",
    ),
    "tif as a table": (
        build_with("survey_2023", lambda d: _raster(d, np.ones((4, 4), "float32"))),
        "рельеф.tif",
    ),
    "a folder as a layer": (
        build_with("districts", lambda d: _dir(d, "каталог")),
        "каталог: is a folder GDAL cannot read as a layer",
    ),
    "missing file": (build_with("districts", lambda d: d / "нет такого.gpkg"), "нет такого.gpkg"),
    "binary garbage geojson": (
        build_with("districts", lambda d: _file(d, "мусор.geojson", bytes(range(256)) * 4)),
        "мусор.geojson",
    ),
    "gpkg with a wrong layer": (
        build_with("districts", lambda d: _gpkg(d, "rivers")),
        "слой.gpkg",
    ),
    # wrong CRS and geometry
    "metres declared as degrees": (
        build_with(
            "districts",
            lambda d: _frame(
                d, "districts", lambda g: g.to_crs(32642).set_crs(4326, allow_override=True)
            ),
        ),
        "are not degrees",
    ),
    "districts in Australia": (
        build_with(
            "districts",
            lambda d: _frame(d, "districts", lambda g: g.set_geometry(g.translate(70.0, -70.0))),
        ),
        "слой.gpkg",
    ),
    "a dem of NaN": (
        build_with("dem", lambda d: _raster(d, np.full((8, 8), np.nan, "float32"), nodata=np.nan)),
        "рельеф.tif",
    ),
    "a dem without a CRS": (
        build_with("dem", lambda d: _raster(d, np.ones((8, 8), "float32"), crs=None)),
        "no CRS",
    ),
    # tables
    "a table without a required column": (
        build_with(
            "survey_2023", lambda d: _table(d, "survey_2023", lambda t: t.drop(columns="n"))
        ),
        "'n'",
    ),
    "words for numbers in a table": (
        build_with(
            "survey_2023", lambda d: _table(d, "survey_2023", lambda t: _set(t, "percent", "many"))
        ),
        "'percent'",
    ),
    "NaN in a table": (
        build_with(
            "survey_2023",
            lambda d: _table(d, "survey_2023", lambda t: _set(t, "percent", float("nan"))),
        ),
        "'percent'",
    ),
    "a table in Windows-1251": (
        build_with(
            "survey_2023",
            lambda d: _file(d, "опрос.csv", "question_id,answer_id\nгород,Шу\n".encode("cp1251")),
        ),
        "опрос.csv",
    ),
    "huge value in a layer": (
        map_with(
            "infrastructure_wear.toml",
            "utility_networks",
            lambda d: _frame(d, "utility_networks", lambda g: _set(g, "diameter_mm", 1e300)),
        ),
        "'diameter_mm'",
    ),
    # --layer and area options
    "unknown layer for towns": (lambda d: ["towns", "--layer", "roads=x.gpkg"], "unknown layer"),
    "unknown layer for layers": (lambda d: ["layers", "--layer", "roads=x.gpkg"], "unknown layer"),
    "empty layer path": (
        lambda d: ["build", "--out", "{out}", "--layer", "districts="],
        "--layer expects ID=PATH",
    ),
    "towns from junk": (
        lambda d: ["towns", "--layer", f"towns={_file(d, 'города.geojson', '{')}"],
        "города.geojson",
    ),
    "layers from junk": (
        lambda d: ["layers", "--layer", f"districts={_file(d, 'р.gpkg', 'x')}"],
        "р.gpkg",
    ),
    "unknown town": (lambda d: ["build", "--out", "{out}", "--town", "Атлантида"], "Атлантида"),
    "bbox of words": (lambda d: ["build", "--out", "{out}", "--bbox", "a,b,c,d"], "--bbox"),
    "bbox of NaN": (lambda d: ["build", "--out", "{out}", "--bbox", "nan,43,70,44"], "--bbox"),
    "area file missing": (
        lambda d: ["build", "--out", "{out}", "--area", str(d / "нет.gpkg")],
        "нет.gpkg",
    ),
    "area file of junk": (
        lambda d: ["build", "--out", "{out}", "--area", str(_file(d, "зона.gpkg", "junk"))],
        "зона.gpkg",
    ),
    "unknown language": (lambda d: ["build", "--out", "{out}", "--lang", "fr"], "--lang"),
    "out is a file": (
        lambda d: ["build", "--out", str(_file(d, "файл.txt", "x"))],
        "файл.txt",
    ),
    "out name too long": (
        lambda d: ["map", str(MAPS / "pollution.toml"), "--out", str(d / ("я" * 200))],
        "too long",
    ),
    "out with a newline": (
        lambda d: ["map", str(MAPS / "pollution.toml"), "--out", str(d / "атлас\nдва")],
        "control character",
    ),
    "a newline in the town names": (
        map_with(
            "pollution.toml",
            "town_boundaries",
            lambda d: _frame(d, "town_boundaries", lambda g: _suffix(g, "town", "\nstray line")),
        ),
        "town_boundaries",
    ),
    "a newline in the district names": (
        map_with(
            "sustainability.toml",
            "districts",
            lambda d: _frame(d, "districts", lambda g: _suffix(g, "district", "\nstray line")),
        ),
        "districts",
    ),
    # recipes: not a recipe
    "empty recipe": (recipe_text(""), "рецепт.toml"),
    "recipe of binary": (
        lambda d: ["map", str(_file(d, "рецепт.toml", bytes(range(256)))), "--out", "{out}"],
        "рецепт.toml",
    ),
    "recipe not TOML": (recipe_text('theme = "pollution"\n[area\n'), "at line 2"),
    "recipe missing": (
        lambda d: ["map", str(d / "нет рецепта.toml"), "--out", "{out}"],
        "нет рецепта",
    ),
    "recipe is a folder": (lambda d: ["map", str(_dir(d, "рецепт")), "--out", "{out}"], "рецепт"),
    "recipe duplicate key": (
        recipe_text('theme = "pollution"\ntheme = "pollution"\n'),
        "рецепт.toml",
    ),
    "recipe unknown theme": (recipe_text('theme = "floods"\n'), "floods"),
    "recipe unknown key": (map_of("pollution.toml", ("[method]", "[methods]")), "methods"),
    # recipes: nonsense values
    "negative cell size": (
        map_of("pollution.toml", (POLLUTION_CELLS, "cell_size_m = -150")),
        "cell_size_m",
    ),
    "zero cell size": (
        map_of("pollution.toml", (POLLUTION_CELLS, "cell_size_m = 0")),
        "cell_size_m",
    ),
    "string cell size": (
        map_of("pollution.toml", (POLLUTION_CELLS, 'cell_size_m = "150"')),
        "cell_size_m",
    ),
    "NaN cell size": (
        map_of("pollution.toml", (POLLUTION_CELLS, "cell_size_m = nan")),
        "cell_size_m",
    ),
    "infinite cell size": (
        map_of("pollution.toml", (POLLUTION_CELLS, "cell_size_m = inf")),
        "cell_size_m",
    ),
    "huge cell size": (
        map_of("pollution.toml", (POLLUTION_CELLS, "cell_size_m = 1e308")),
        "cell_size_m",
    ),
    "tiny cell size": (
        map_of("land_suitability.toml", (SUIT_CELLS, "cell_size_m = 0.01")),
        "cell_size_m",
    ),
    "negative buffer": (
        map_of("pollution.toml", ("buffer_m = 15000", "buffer_m = -1")),
        "buffer_m",
    ),
    "infinite buffer": (
        map_of("pollution.toml", ("buffer_m = 15000", "buffer_m = inf")),
        "buffer_m",
    ),
    "no towns": (
        map_of("pollution.toml", ('towns = ["Zhanatas", "Karatau"]', "towns = []")),
        "towns",
    ),
    "bbox of three": (
        map_of("pollution.toml", ('towns = ["Zhanatas", "Karatau"]', "bbox = [69, 43, 70]")),
        "bbox",
    ),
    "area file in the recipe missing": (
        map_of("pollution.toml", ('towns = ["Zhanatas", "Karatau"]', 'file = "нет.gpkg"')),
        "нет.gpkg",
    ),
    "A as words": (map_of("pollution.toml", ("\nA = 200", '\nA = "two hundred"')), "method.A"),
    "A negative": (map_of("pollution.toml", ("\nA = 200", "\nA = -200")), "method.A"),
    "eta NaN": (map_of("pollution.toml", ("eta = 1.0", "eta = nan")), "eta"),
    "air temperature huge": (
        map_of("pollution.toml", ("air_temp_c = 31.9", "air_temp_c = 1e9")),
        "air temperature 1e+09 °C",
    ),
    "wind frequencies short": (
        map_of("pollution.toml", ("frequencies = [0.0625, ", "frequencies = [")),
        "frequencies",
    ),
    "negative wind speed": (
        map_of("pollution.toml", ("speeds = [0.5, 1.0, 2.0, 4.0]", "speeds = [-1.0, 1.0]")),
        "speeds",
    ),
    "unknown pollutant": (
        map_of(
            "pollution.toml",
            ('ids = ["so2", "co", "dust", "hf", "nh3"]', 'ids = ["so2", "unobtainium"]'),
        ),
        "unobtainium",
    ),
    "unknown dispersion method": (
        map_of("pollution.toml", ('name = "ond86"', 'name = "gauss"')),
        "gauss",
    ),
    "sub-sources zero": (
        map_of("pollution.toml", ("area_source_points = 4", "area_source_points = 0")),
        "area_source_points",
    ),
    "weights matrix not square": (
        map_of("land_suitability.toml", ('  ["1/5", "1/3", "1/2", "1/3", "1/2", 1, 1],\n]', "]")),
        "matrix",
    ),
    "weights matrix of words": (
        map_of(
            "land_suitability.toml",
            ("[1,     2,     2,     2,     3,     5, 5]", '["a", 2, 2, 2, 3, 5, 5]'),
        ),
        "matrix",
    ),
    "max_cr negative": (
        map_of("land_suitability.toml", ("max_cr = 0.10", "max_cr = -1")),
        "max_cr",
    ),
    "max_cr as words": (
        map_of("land_suitability.toml", ("max_cr = 0.10", 'max_cr = "low"')),
        "max_cr",
    ),
    "breaks unsorted": (
        map_of(
            "land_suitability.toml", ("breaks = [0.25, 0.50, 0.75]", "breaks = [0.75, 0.5, 0.25]")
        ),
        "breaks",
    ),
    "membership of NaN": (
        map_of("land_suitability.toml", ("a = 8.0, b = 2.0", "a = nan, b = 2.0")),
        "membership",
    ),
    "unknown membership kind": (
        map_of("land_suitability.toml", ('kind = "linear", a = 8.0', 'kind = "wiggly", a = 8.0')),
        "wiggly",
    ),
    "weight spread negative": (
        map_of("land_suitability.toml", ("weight_spread = 0.2", "weight_spread = -0.2")),
        "weight_spread",
    ),
    "seed fractional": (map_of("land_suitability.toml", ("seed = 20231", "seed = 1.5")), "seed"),
    "wear method unknown": (
        map_of("infrastructure_wear.toml", ('method = "linear"', 'method = "quadratic"')),
        "quadratic",
    ),
    "wear year as words": (
        map_of("infrastructure_wear.toml", ("reference_year = 2023", 'reference_year = "2023"')),
        "reference_year",
    ),
    "wear year far future": (
        map_of("infrastructure_wear.toml", ("reference_year = 2023", "reference_year = 30000")),
        "reference_year",
    ),
    "wear threshold over 100": (
        map_of("infrastructure_wear.toml", ("replace_at_pct = 75", "replace_at_pct = 750")),
        "replace_at_pct",
    ),
    "wear table missing": (
        map_of(
            "infrastructure_wear.toml",
            ('normative_life = "tables/normative_life.csv"', 'normative_life = "нет.csv"'),
        ),
        "нет.csv",
    ),
    "sustainability runs negative": (
        map_of("sustainability.toml", ("runs = 2000", "runs = -5")),
        "runs",
    ),
    "sustainability normalisation unknown": (
        map_of("sustainability.toml", ('normalisation = "minmax"', 'normalisation = "softmax"')),
        "softmax",
    ),
    "sustainability k huge": (map_of("sustainability.toml", ("k = 3", "k = 1e9")), "k"),
    "sustainability interval reversed": (
        map_of("sustainability.toml", ("interval = [5, 95]", "interval = [95, 5]")),
        "interval",
    ),
    # geo dispersion
    "negative stack height": (lambda d: ["dispersion", *STACK, "--height", "-5"], "--height"),
    "zero diameter": (
        lambda d: [
            "dispersion",
            "--height",
            "35",
            "--diameter",
            "0",
            "--velocity",
            "7",
            "--gas-temp",
            "125",
            "--air-temp",
            "25",
        ],
        "diameter",
    ),
    "rate negative": (lambda d: ["dispersion", *STACK, "--height", "35", "--rate", "-1"], "rate"),
    "A zero": (lambda d: ["dispersion", *STACK, "--height", "35", "--A", "0"], "A"),
    "F NaN": (lambda d: ["dispersion", *STACK, "--height", "35", "--F", "nan"], "--F"),
    "eta negative": (lambda d: ["dispersion", *STACK, "--height", "35", "--eta", "-1"], "eta"),
    "velocity as words": (
        lambda d: [
            "dispersion",
            "--height",
            "35",
            "--diameter",
            "1.4",
            "--velocity",
            "fast",
            "--gas-temp",
            "125",
            "--air-temp",
            "25",
        ],
        "--velocity",
    ),
    "height missing": (lambda d: ["dispersion", *STACK], "--height"),
}

STACK = ["--diameter", "1.4", "--velocity", "7", "--gas-temp", "125", "--air-temp", "25"]

VALIDATE: dict[str, tuple[Make, str]] = {
    "validate a missing file": (
        lambda d: ["validate", str(d / "нет.gpkg"), "--as", "districts"],
        "нет.gpkg",
    ),
    "validate an empty file": (
        lambda d: ["validate", str(_file(d, "пусто.gpkg")), "--as", "districts"],
        "пусто.gpkg",
    ),
    "validate as an unknown layer": (
        lambda d: ["validate", str(_gpkg(d)), "--as", "roads"],
        "roads",
    ),
    "validate a name that is no layer": (
        lambda d: ["validate", str(_gpkg(d, name="что-то.gpkg"))],
        "unknown layer 'что-то'",
    ),
    "validate a missing layer name": (
        lambda d: ["validate", str(_gpkg(d)), "--as", "districts", "--layer-name", "нет"],
        "has no layer 'нет'",
    ),
    "validate chunk size negative": (
        lambda d: ["validate", str(_gpkg(d)), "--as", "districts", "--chunk-size", "-1"],
        "chunk",
    ),
    "validate a folder": (
        lambda d: ["validate", str(_dir(d, "каталог")), "--as", "districts"],
        "каталог",
    ),
    "validate a truncated zip": (
        lambda d: [
            "validate",
            str(_file(d, "обрыв.zip", _zipped_shapefile(d).read_bytes()[:600])),
            "--as",
            "districts",
        ],
        "обрыв.zip",
    ),
    "validate a table of words": (
        lambda d: [
            "validate",
            str(_table(d, "survey_2023", lambda t: _set(t, "n", "many"))),
            "--as",
            "survey_2023",
        ],
        "'n'",
    ),
}


def _dir(d: Path, name: str) -> Path:
    (d / name).mkdir()
    return d / name


def _zip_of(d: Path, files: dict[str, str]) -> Path:
    z = d / "архив.zip"
    with zipfile.ZipFile(z, "w") as f:
        for name, text in files.items():
            f.writestr(name, text)
    return z


def _params(cases: dict[str, tuple[Make, str]]) -> list[object]:
    return list(cases)


def _as_outside_pytest() -> None:
    """Python's default warning filters (the corpus runs the command as a user runs it)."""
    warnings.resetwarnings()
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", category)


def _run(make: Make, tmp_path: Path, capsys) -> tuple[int, str, str, Path, set[str]]:
    inputs = tmp_path / ODD
    inputs.mkdir()
    out = tmp_path / "вывод атласа"
    argv = [a.replace("{out}", str(out)) for a in make(inputs)]
    before = {p.name for p in tmp_path.iterdir()}
    with warnings.catch_warnings():
        _as_outside_pytest()  # the CLI prints warnings; pytest would raise them
        code, stdout, stderr = run_cli(argv, capsys)
    left = {p.name for p in tmp_path.iterdir()} - before
    return code, stdout, stderr, out, left


@pytest.mark.parametrize("case", _params(CASES))
def test_bad_input_is_one_line_and_leaves_nothing(tmp_path: Path, capsys, case: str) -> None:
    make, needle = CASES[case]
    code, stdout, stderr, out, left = _run(make, tmp_path, capsys)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == 2, (case, code, stderr[-2000:])
    assert len(lines) == 1 and "Traceback" not in stderr, stderr[-2000:]
    assert needle in lines[0], lines[0]
    assert lines[0].startswith("error: ") and len(lines[0]) < 600, lines[0]
    assert "It might help" not in lines[0]  # GDAL's driver advice is not the user's fix
    assert stdout == ""
    assert not out.exists() and left == set(), left  # no atlas, lock or staging folder


@pytest.mark.parametrize("case", _params(VALIDATE))
def test_validate_refuses_bad_input_without_a_traceback(tmp_path: Path, capsys, case: str) -> None:
    make, needle = VALIDATE[case]
    code, stdout, stderr, _out, left = _run(make, tmp_path, capsys)
    assert code == 2, (case, code, stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert len([line for line in stderr.splitlines() if line.strip()]) <= 1, stderr
    assert needle in stdout + stderr, stdout + stderr
    assert left == set()
