"""The base map: relief, boundaries, water and towns with provenance and names in every language."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.catalog import Catalog
from geo.themes.base import ThemeInputs
from geo.themes.base_layers import base_result, localized_place_names


def test_place_names_prefer_the_current_name_and_kazakh_letters() -> None:
    places = gpd.GeoDataFrame(
        {
            "name": ["Shu", "Korday", "Zhangatas", "Nowhere"],
            "alternatenames": ["Чу|Шу", "Георгиевка|Кордай|Қордай", "Жанатас|Жаңатас", "Somewhere"],
        },
        geometry=[Point(0, 0)] * 4,
        crs=4326,
    )
    out = localized_place_names(places)
    assert list(out["name_ru"]) == ["Шу", "Кордай", "Жанатас", "Nowhere"]
    assert list(out["name_kk"]) == ["Шу", "Қордай", "Жаңатас", "Nowhere"]


def test_base_result_layers_carry_provenance_and_localized_labels() -> None:
    base = base_result(ThemeInputs(Catalog(), lang="kk"))
    names = [v.name for v in base.vectors]
    assert names[0] == "oblast" and "towns" in names and "micro_districts" in names
    by_name = {v.name: v for v in base.vectors}
    assert by_name["micro_districts"].synthetic and not by_name["rivers"].synthetic
    assert "GeoNames" in by_name["towns"].source
    towns = by_name["towns"].data
    assert "Жаңатас" in set(towns["name_kk"]) and "Кордай" in set(towns["name_ru"])
    # the layer's own names win (layers/scripts/derive_places.py); where its strict rule leaves
    # one empty (Taraz: Тараз and Тораз, no Kazakh name) the label rule fills it for display
    taraz = towns[towns["geonameid"] == 1516905].iloc[0]
    assert taraz["name_ru"] == "Тараз" and taraz["name_kk"] == "Тараз"
    raw = Catalog().read("towns").set_index("geonameid")
    assert pd.isna(raw.loc[1516905, "name_ru"])  # the data say nothing they do not know
    districts = by_name["districts"].data
    assert {"name", "name_kk", "name_ru"} <= set(districts.columns)
    shade = base.rasters[0].raster
    assert shade.array.dtype == np.uint8 and shade.array.max() > 200
    assert "Albers" in shade.crs.name
