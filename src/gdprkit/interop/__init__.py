"""Interoperability with the privacy ecosystem: Fides (fideslang) data maps, IAB TCF consent
strings. Each submodule is imported on its own (``from gdprkit.interop import fides``); none is
imported by ``import gdprkit``, and each imports its optional library only when used."""
