"""The theme (Jinja environment, assets, maps) and rendering pages to bytes. Never writes."""
