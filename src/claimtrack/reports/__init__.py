"""Report renderers: text (rich), Markdown, HTML (jinja2), JSON, and matplotlib charts.

Everything heavy (matplotlib, jinja2) is imported inside functions, so
importing this package costs nothing.  Entry point: :func:`.render.render`.
"""
