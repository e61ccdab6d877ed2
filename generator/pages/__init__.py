"""Page kinds: each turns the `Site` into output pages (path, template, context). Pure."""

from generator.core.deferred import defer

# xml.sax.saxutils (feedgenerator's XML writer; `escape` for the sitemaps) imports urllib.request, and with
# it http.client, ssl and email (~15 ms, most of unpickling a stored feed page in a text edit), for the
# XML parsers' sake: pages are only written.
defer("urllib.request")
# feedgenerator formats RSS dates with `email.utils` (importing only `email`): with it socket, selectors,
# calendar and more, ~5 ms of a text edit that renders a term's Atom feed, which has no RSS date.
defer("email.utils")
