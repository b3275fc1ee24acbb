"""Deterministic generators for the layers no real open source provides.

Each generator takes the :class:`~geo.catalog.Catalog` (to anchor on real
layers) and returns a GeoDataFrame. Nothing here is measured: the catalog
stamps every feature ``synthetic = True`` with a ``data_note``, and each
module's docstring says how its features are made.
"""
