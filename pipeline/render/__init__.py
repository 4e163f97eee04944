"""Rendering: pages as data (``page``), inline Markdown made safe (``inline``), fonts
and their coverage (``fonts``), PDF through Typst (``pdf``) and HTML through jinja2 (``web``).

Translations are untrusted input: they reach Typst only as JSON data and HTML only
through escaping renderers, never as markup that could run.
"""
