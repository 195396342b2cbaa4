"""site_builder: a static open-data site generator for Nordic municipal governance."""

__version__ = "0.1.0"
