"""User-facing errors: one base class with a message key, its parameters and ``message(lang)``."""

from __future__ import annotations

from pathlib import Path

from sxgeo.text import t

__all__ = ["AssetError", "InputError", "LayerReadError", "StoreError", "SxgeoError", "TargetError"]


class SxgeoError(Exception):
    """An error a user can act on.

    Parameters
    ----------
    key
        Key of the message in the text catalogue (:func:`sxgeo.text.t`).
    **params
        Values filled into the message.

    ``str(error)`` is the Chinese message; :meth:`message` gives it in any
    language, always on one line.
    """

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self._text())

    def _text(self) -> str:
        return self.message("zh")

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (``zh`` or ``en``) on one line."""
        return " ".join(t(self.key, lang, **self.localised_params(lang)).split())

    def localised_params(self, lang: str) -> dict[str, object]:
        """The parameters as shown in ``lang`` (subclasses translate codes into words)."""
        return dict(self.params)


class InputError(SxgeoError):
    """A bad option or input of a command (missing file, unknown area code, missing layer)."""

    def localised_params(self, lang: str) -> dict[str, object]:
        """The parameters as shown in ``lang``: a layer kind in words."""
        params = dict(self.params)
        layer = params.get("layer")
        if isinstance(layer, str):
            params["layer"] = t(f"kind.{layer}", lang) if t(f"kind.{layer}", lang) != f"kind.{layer}" else layer
        return params


class LayerReadError(SxgeoError):
    """A file cannot be read as a layer at all; the message names the file and the problem."""

    def __init__(self, file: str | Path, key: str, /, **params: object) -> None:
        self.file = str(file)
        super().__init__(key, **params)

    def _text(self) -> str:
        return self.message("zh") + " / " + self.message("en")

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` on one line, naming the file (without its folder) and the problem."""
        name = Path(self.file).name or self.file
        problem = t(self.key, lang, **self.params)
        return " ".join(t("err_read", lang, file=name, problem=problem).split())


class TargetError(SxgeoError, ValueError):
    """A targets file is malformed; the message names the file, the target and the field."""


class AssetError(SxgeoError, RuntimeError):
    """The offline map assets are missing and cannot be restored."""


class StoreError(SxgeoError):
    """A workspace cannot be read or written (bad name, missing, forbidden, corrupt file, unreachable database)."""
