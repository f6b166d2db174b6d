"""What the author wrote, read from disk: the walk of the site folder, the essays and pages it finds, front matter, site.yml, and the languages the site speaks."""
