"""The settings, one module per integration; `icmec.settings.base` gathers them (see its
docstring for which module holds what)."""
