"""What sxgeo hands over: web and static maps, charts, tables and the files they are written to."""
