"""Assembly: parsed files become a `Site` (order, taxonomies, neighbours, groupings). Pure."""
