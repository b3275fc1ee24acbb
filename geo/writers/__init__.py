"""Writers: the only code (with geo.io) that writes files: COG, GeoPackage with styles, HTML, PNG."""
