"""Working on a site: the live server, the file watcher, the site checker."""
