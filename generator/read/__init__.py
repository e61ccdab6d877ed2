"""Reading inputs: seeds and their import, content files, Markdown, entities, search words."""
