"""Pages with pictures: render.py's document model plus a figure block, written as one HTML
page (its PNGs beside it, linked by relative names) or as Markdown.

The forecast summary and the debrief use it. render.py's CSS is reused as is, with a few rules
for figures, a contents list and long tables; the page refers to nothing outside its folder
(no scripts, no web fonts, no external style sheets), so it can be projected offline, mailed
as a folder or printed."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from sim.teach import render
from sim.teach.render import Doc, Section, _html_block, _inline, _md_block, slug

EXTRA_CSS = """
figure { margin: 2mm 0 4mm; page-break-inside: avoid; break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; border: 0.5pt solid #bbb; }
figcaption { font-size: 9pt; color: #333; margin-top: 1mm; }
nav ol { columns: 2; font-size: 10pt; }
nav a { color: #111; }
section.long { page-break-inside: auto; break-inside: auto; }
td:first-child { white-space: nowrap; }
@media screen { body { max-width: 240mm; } }
@media print { figure img { max-height: 120mm; width: auto; } nav { display: none; } }
""".strip()


@dataclass
class Figure:
    """A PNG beside the page: `src` is its file name (relative), `alt` says what it shows."""

    src: str
    alt: str
    caption: str = ""
    width: int = 0  # pixels, read from the PNG when written (lets the page lay out before it loads)
    height: int = 0


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG file; (0, 0) if it is not one."""
    try:
        head = Path(path).read_bytes()[:24]
    except OSError:
        return 0, 0
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return 0, 0
    return struct.unpack(">II", head[16:24])


def to_html(doc: Doc, *, contents: bool = False, long_sections: tuple[str, ...] = ()) -> str:
    """The document as one HTML page with its pictures (see render.to_html)."""
    return render.to_html(doc, contents=contents, long_sections=long_sections, extra_css=EXTRA_CSS,
                          block=_block_html)


def _block_html(b) -> list[str]:
    if isinstance(b, Figure):
        size = f' width="{b.width}" height="{b.height}"' if b.width and b.height else ""
        alt = _inline(b.alt).replace('"', "&quot;")
        lines = ["<figure>", f'<img src="{_attr(b.src)}" alt="{alt}"{size}>']
        if b.caption:
            lines.append(f"<figcaption>{_inline(b.caption)}</figcaption>")
        return lines + ["</figure>"]
    return _html_block(b)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def to_markdown(doc: Doc) -> str:
    out = [f"# {doc.title}", ""]
    if doc.subtitle:
        out += [f"*{doc.subtitle}*", ""]
    for sec in doc.sections:
        out += [f"## {sec.title}", ""]
        for b in sec.blocks:
            if isinstance(b, Figure):
                out += [f"![{b.alt}]({b.src})"] + ([f"*{b.caption}*"] if b.caption else []) + [""]
            else:
                out += _md_block(b) + [""]
    if doc.footer:
        out += ["---", ""]
        for text in doc.footer:
            out += [text, ""]
    return "\n".join(out).rstrip() + "\n"


def sized(fig: Figure, folder: Path) -> Figure:
    """The figure with its pixel size read from the file written in `folder`."""
    w, h = png_size(folder / fig.src)
    return Figure(fig.src, fig.alt, fig.caption, w, h)


def write_text(path: Path, text: str) -> None:
    """Write a file whole (a temporary name, then renamed): never half a page."""
    from sim import files
    from sim.teach.common import TeachError

    try:
        files.write_text(path, text)
    except OSError as exc:
        raise TeachError(f"{path}: cannot write ({exc.strerror or exc})") from None


__all__ = ["Doc", "Figure", "Section", "png_size", "sized", "slug", "to_html", "to_markdown", "write_text"]
