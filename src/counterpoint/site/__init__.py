"""The site-wide pages: listings, tag pages, feeds and the plain pages."""
