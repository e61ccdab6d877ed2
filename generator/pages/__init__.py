"""Page kinds: each turns the `Site` into output pages (path, template, context). Pure."""
