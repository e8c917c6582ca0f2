"""A small document model (title, sections of paragraphs, lists and tables) written out as
Markdown or as one self-contained HTML page that prints cleanly on A4 and on Letter.

Text may carry two inline marks, ``**bold**`` and ```code```, which both outputs render.
The HTML has its CSS inline and refers to nothing outside itself: it can be mailed, opened
offline and printed as is."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


@dataclass
class Para:
    text: str
    cls: str = ""  # "note" (a boxed aside) or "small"


@dataclass
class Bullets:
    items: list[str]
    ordered: bool = False


@dataclass
class Table:
    head: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Doc:
    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)  # small print: the statement, the stamp


# --- Markdown ---------------------------------------------------------------------------------


def to_markdown(doc: Doc) -> str:
    out = [f"# {doc.title}", ""]
    if doc.subtitle:
        out += [f"*{doc.subtitle}*", ""]
    for sec in doc.sections:
        out += [f"## {sec.title}", ""]
        for b in sec.blocks:
            out += _md_block(b) + [""]
    if doc.footer:
        out += ["---", ""]
        for text in doc.footer:
            out += [text, ""]
    return "\n".join(out).rstrip() + "\n"


def _md_block(b) -> list[str]:
    if isinstance(b, Para):
        return [f"> {b.text}"] if b.cls == "note" else [b.text]
    if isinstance(b, Bullets):
        return [f"{i}. {t}" if b.ordered else f"- {t}" for i, t in enumerate(b.items, 1)]
    if isinstance(b, Table):
        cell = lambda t: str(t).replace("|", "\\|").replace("\n", " ")  # noqa: E731
        rows = ["| " + " | ".join(cell(h) for h in b.head) + " |",
                "| " + " | ".join("---" for _ in b.head) + " |"]
        rows += ["| " + " | ".join(cell(c) for c in r) + " |" for r in b.rows]
        return rows
    raise TypeError(f"unknown block {type(b).__name__}")


# --- HTML -------------------------------------------------------------------------------------

# Margins that fit A4 (210 x 297 mm) and Letter (216 x 279 mm): 20 mm at the sides leaves
# 170 mm of text on A4 and 176 mm on Letter, so nothing is ever wider than 170 mm.
CSS = """
@page { size: auto; margin: 16mm 20mm 18mm 20mm; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: Georgia, "Times New Roman", serif; font-size: 11pt; line-height: 1.4;
       color: #111; background: #fff; max-width: 170mm; margin: 0 auto; }
h1 { font-size: 19pt; margin: 0 0 1mm; }
h2 { font-size: 13pt; margin: 5mm 0 2mm; padding-bottom: 0.5mm; border-bottom: 1.2pt solid #333;
     page-break-after: avoid; break-after: avoid; }
p { margin: 0 0 2mm; }
.subtitle { font-style: italic; color: #333; margin-bottom: 4mm; }
section { page-break-inside: avoid; break-inside: avoid; margin: 0 0 4mm; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; font-size: 10pt; }
th, td { border: 0.5pt solid #777; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
th { background: #e6e6e6; }
tr { page-break-inside: avoid; break-inside: avoid; }
ul, ol { margin: 0 0 2mm; padding-left: 7mm; }
li { margin-bottom: 1mm; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 9pt; }
.note { border-left: 3pt solid #555; background: #f1f1f1; padding: 1.5mm 3mm; }
.small, footer { font-size: 8.5pt; color: #333; }
footer { margin-top: 6mm; border-top: 0.8pt solid #777; padding-top: 2mm;
         page-break-inside: avoid; break-inside: avoid; }
@media screen { body { margin: 8mm auto; padding: 0 4mm; } }
@media print { a { color: #111; text-decoration: none; } }
""".strip()


def _inline(text: str) -> str:
    t = html.escape(str(text), quote=False)
    t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", t)


def to_html(doc: Doc, *, contents: bool = False, long_sections: tuple[str, ...] = (), extra_css: str = "",
            block=None) -> str:
    """The document as one self-contained HTML page. `contents` adds a list of links to the
    sections; sections named in `long_sections` may break across printed pages; `block`
    renders blocks this module does not know (pictures), falling back to its own."""
    block = block or _html_block
    out = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_inline(doc.title)}</title>", "<style>", CSS] + ([extra_css] if extra_css else []) + [
        "</style>", "</head>", "<body>", "<header>", f"<h1>{_inline(doc.title)}</h1>"]
    if doc.subtitle:
        out.append(f'<p class="subtitle">{_inline(doc.subtitle)}</p>')
    out.append("</header>")
    if contents and doc.sections:
        out += ['<nav aria-label="Contents">', "<ol>"]
        out += [f'<li><a href="#{slug(s.title)}">{_inline(s.title)}</a></li>' for s in doc.sections]
        out += ["</ol>", "</nav>"]
    for sec in doc.sections:
        cls = ' class="long"' if sec.title in long_sections else ""
        out += [f'<section id="{slug(sec.title)}"{cls}>', f"<h2>{_inline(sec.title)}</h2>"]
        for b in sec.blocks:
            out += block(b)
        out.append("</section>")
    if doc.footer:
        out += ["<footer>"] + [f"<p>{_inline(t)}</p>" for t in doc.footer] + ["</footer>"]
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _html_block(b) -> list[str]:
    if isinstance(b, Para):
        cls = f' class="{b.cls}"' if b.cls else ""
        return [f"<p{cls}>{_inline(b.text)}</p>"]
    if isinstance(b, Bullets):
        tag = "ol" if b.ordered else "ul"
        return [f"<{tag}>"] + [f"<li>{_inline(t)}</li>" for t in b.items] + [f"</{tag}>"]
    if isinstance(b, Table):
        rows = ["<table>", "<thead><tr>" + "".join(f"<th>{_inline(h)}</th>" for h in b.head) + "</tr></thead>",
                "<tbody>"]
        rows += ["<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in b.rows]
        return rows + ["</tbody>", "</table>"]
    raise TypeError(f"unknown block {type(b).__name__}")
