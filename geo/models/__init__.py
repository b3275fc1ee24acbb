"""Models: pure functions on arrays and GeoDataFrames; they never touch files."""
