"""Workspaces: named sets of layers (with versions), a targets file and scenarios, kept on disk or in PostGIS."""

from sxgeo.io.store.workspace import StoredLayer, WorkspaceInfo, WorkspaceStore, open_store

__all__ = ["StoredLayer", "WorkspaceInfo", "WorkspaceStore", "open_store"]
