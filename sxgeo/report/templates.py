"""Jinja2 templates of the HTML reports (see :mod:`sxgeo.report.builder`).

The pages are self-contained: inline CSS, images as ``data:`` URIs, no
script, no web font, no external link other than relative links between the
report files themselves.
"""

from __future__ import annotations

import math

import jinja2

__all__ = ["TEMPLATES", "cell", "environment"]

_CSS = """
:root { --ok:#1a7f37; --bad:#c0392b; --na:#8a8a8a; --line:#d0d7de; }
body { font-family: "Noto Sans SC","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",
       "WenQuanYi Micro Hei",sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.2em 1.5em 3em;
       color:#1f2328; line-height:1.5; }
h1 { font-size: 1.6em; margin: .2em 0 .4em; } h2 { font-size: 1.25em; border-bottom: 1px solid var(--line);
     padding-bottom: .2em; margin-top: 1.6em; } h3 { font-size: 1.05em; margin-top: 1.2em; }
.notice { background:#fff4ce; border:1px solid #e5c100; padding:.6em .9em; border-radius:4px; margin:.8em 0; }
.meta { color:#57606a; font-size:.9em; } .meta td { padding:0 1em .1em 0; border:0; }
table { border-collapse: collapse; font-size: .88em; margin:.4em 0 .8em; }
th, td { border: 1px solid var(--line); padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.met { color: var(--ok); font-weight: 600; } .not_met { color: var(--bad); font-weight: 600; }
.no_data { color: var(--na); }
.no_network { color: #4a6fa5; }
.not_applicable { color: var(--na); font-style: italic; }
sup { font-size: .75em; color:#57606a; margin-left:.15em; }
.footnotes p { margin:.2em 0; }
.badges span { display:inline-block; margin-right:.8em; padding:.15em .6em; border-radius:3px; background:#f6f8fa; }
img.figure, img.chart { max-width: 100%; height: auto; border: 1px solid var(--line); }
.scroll { max-height: 28em; overflow: auto; }
td a { white-space: nowrap; }
.failed { color: var(--bad); }
footer { margin-top: 2em; color:#57606a; font-size:.85em; }
"""

_BASE = """<!DOCTYPE html>
<html lang="{{ html_lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>""" + _CSS + """</style>
</head>
<body>
{% block body %}{% endblock %}
<footer>{{ text.footer }}</footer>
</body>
</html>
"""

# the row of cells is one line of the template, written as two string literals
_TABLE = (
    """{% macro table(t) -%}
{% if t.rows %}
<div class="scroll"><table>
<thead><tr>{% for h in t.header %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in t.rows %}<tr>{% for c in row %}<td{% if c.cls %} class="{{ c.cls }}"{% endif %}>"""
    """{% if c.href %}<a href="{{ c.href }}">{{ c.text }}</a>{% else %}{{ c.text }}{% endif %}"""
    """{% if c.sup %}<sup>{{ c.sup }}</sup>{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div>
{% if t.note %}<p class="meta">{{ t.note }}</p>{% endif %}
{% else %}<p>{{ t.empty }}</p>{% endif %}
{%- endmacro %}
"""
)

_COUNTY = """{% extends "base.html" %}{% from "table.html" import table %}
{% block body %}
{% if back %}<p><a href="{{ back }}">{{ text.back }}</a></p>{% endif %}
<h1>{{ title }}</h1>
{% for n in notices %}<div class="notice">{{ n }}</div>{% endfor %}
<table class="meta">{% for k, v in meta %}<tr><td>{{ k }}</td><td>{{ v }}</td></tr>{% endfor %}</table>
<p class="badges">{% for b in badges %}<span class="{{ b.cls }}">{{ b.text }}</span>{% endfor %}</p>
<p><a href="{{ xlsx }}">{{ text.download }}</a></p>

<h2>{{ text.map }}</h2>
<img class="figure" alt="{{ text.map }}" src="data:image/png;base64,{{ map_png }}">

<h2>{{ text.targets }}</h2>
{% for g in target_groups %}<h3>{{ g.title }}</h3>
{{ table(g.table) }}{% endfor %}
{% if target_notes %}<div class="footnotes">{% for n in target_notes %}<p class="meta">{{ n }}</p>{% endfor %}</div>{% endif %}

<h2>{{ text.charts }}</h2>
{% for c in charts %}<p class="figure"><img class="chart" alt="{{ text.charts }}" src="{{ c }}"></p>{% endfor %}

<h2>{{ text.gaps }}</h2>
{% for g in gaps %}<h3>{{ g.title }}（{{ g.count }}）</h3>{{ table(g.table) }}{% endfor %}

{% for s in sections %}<h2>{{ s.title }}</h2>
{% for p in s.paragraphs %}<p>{{ p }}</p>{% endfor %}
{% if s.bullets %}<ul>{% for b in s.bullets %}<li>{{ b }}</li>{% endfor %}</ul>{% endif %}
{% for c in s.charts %}<p class="figure"><img class="chart" alt="{{ s.title }}" src="{{ c }}"></p>{% endfor %}
{% for tb in s.tables %}{% if tb.title %}<h3>{{ tb.title }}</h3>{% endif %}{% for p in tb.paragraphs %}<p>{{ p }}</p>{% endfor %}
{{ table(tb.table) }}{% endfor %}
{% endfor %}

{% if warnings %}<h2>{{ text.warnings }}</h2><ul>{% for w in warnings %}<li>{{ w }}</li>{% endfor %}</ul>{% endif %}
{% endblock %}
"""

_SUMMARY = """{% extends "base.html" %}{% from "table.html" import table %}
{% block body %}
<h1>{{ title }}</h1>
{% for n in notices %}<div class="notice">{{ n }}</div>{% endfor %}
<table class="meta">{% for k, v in meta %}<tr><td>{{ k }}</td><td>{{ v }}</td></tr>{% endfor %}</table>
<p><a href="{{ xlsx }}">{{ text.download }}</a></p>
{% if failures %}<h2 class="failed">{{ text.failed }}</h2>
<ul>{% for f in failures %}<li class="failed">{{ f }}</li>{% endfor %}</ul>{% endif %}
<h2>{{ text.ranking }}</h2>
{{ table(ranking) }}
{% if chart %}<p class="figure"><img class="chart" alt="{{ text.chart_met }}" src="{{ chart }}"></p>{% endif %}
{% for t in upper %}<h2>{{ t.title }}</h2>{{ table(t.table) }}{% endfor %}
{% if regional %}{{ regional }}
{% endif %}
{% for s in sections %}<h2>{{ s.title }}</h2>
{% for p in s.paragraphs %}<p>{{ p }}</p>{% endfor %}
{% if s.bullets %}<ul>{% for b in s.bullets %}<li>{{ b }}</li>{% endfor %}</ul>{% endif %}
{% for c in s.charts %}<p class="figure"><img class="chart" alt="{{ s.title }}" src="{{ c }}"></p>{% endfor %}
{% for tb in s.tables %}{% if tb.title %}<h3>{{ tb.title }}</h3>{% endif %}{% for p in tb.paragraphs %}<p>{{ p }}</p>{% endfor %}
{{ table(tb.table) }}{% endfor %}
{% endfor %}
{% endblock %}
"""

#: Template name -> source, for a ``jinja2.DictLoader``.
TEMPLATES = {"base.html": _BASE, "table.html": _TABLE, "county.html": _COUNTY, "summary.html": _SUMMARY}


def environment() -> jinja2.Environment:
    """The Jinja2 environment holding :data:`TEMPLATES` (HTML autoescaped)."""
    return jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)


def cell(text: object, cls: str | None = None, href: str | None = None, sup: str | None = None) -> dict:
    """One table cell for the templates: its text (empty for None/NaN), CSS class, link and superscript (a note mark)."""
    empty = text is None or (isinstance(text, float) and math.isnan(text))
    return {"text": "" if empty else text, "cls": cls, "href": href, "sup": sup}
