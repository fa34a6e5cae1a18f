"""Build small teacher files (PDF, PPTX, DOCX, HTML, Markdown, text) for tests and benchmarks.

Each builder takes sections as (heading, text) pairs (slides may add notes) and writes a file the
way a teacher's program would: fpdf2 for PDF pages, python-pptx for slides with notes,
python-docx for a document with headings, plain markup for HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

Page = tuple[str, str] | tuple[str, str, str]  # heading, text[, speaker notes]

_LATIN1 = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})


def _latin1(text: str) -> str:
    """Return text the PDF core fonts can draw (æøå and «» are Latin-1; dashes are not)."""
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def make_pdf(path: Path, pages: Sequence[Page], title: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    for page in pages:
        pdf.add_page()
        if page[0]:
            pdf.set_font("Helvetica", "B", 16)
            pdf.multi_cell(0, 10, _latin1(page[0]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        for paragraph in page[1].strip().split("\n"):
            if paragraph.strip():
                pdf.multi_cell(0, 6, _latin1(paragraph.strip()), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
    pdf.output(str(path))
    return path


def make_pptx(path: Path, slides: Sequence[Page], title: str | None = None) -> Path:
    from pptx import Presentation

    deck = Presentation()
    if title:
        deck.core_properties.title = title
    layout = deck.slide_layouts[1]  # title and content
    for slide_data in slides:
        slide = deck.slides.add_slide(layout)
        slide.shapes.title.text = slide_data[0]
        body = slide.placeholders[1].text_frame
        lines = [x.strip().lstrip("- ").strip() for x in slide_data[1].strip().split("\n")]
        body.text = lines[0] if lines else ""
        for line in lines[1:]:
            if line:
                body.add_paragraph().text = line
        if len(slide_data) > 2 and slide_data[2]:  # type: ignore[misc]
            slide.notes_slide.notes_text_frame.text = slide_data[2]  # type: ignore[misc]
    deck.save(str(path))
    return path


def make_docx(path: Path, sections: Sequence[Page], title: str | None = None) -> Path:
    import docx

    document = docx.Document()
    if title:
        document.add_heading(title, level=0)
    for section in sections:
        document.add_heading(section[0], level=1)
        for paragraph in section[1].strip().split("\n"):
            if paragraph.strip():
                document.add_paragraph(paragraph.strip().lstrip("- "))
    document.save(str(path))
    return path


def make_html(path: Path, sections: Sequence[Page], title: str | None = None) -> Path:
    parts = ["<!doctype html><html><head><meta charset='utf-8'>"]
    parts.append(f"<title>{html.escape(title or path.stem)}</title></head><body>")
    parts.append("<nav><a href='/'>Hjem</a> <a href='/kurs'>Kurs</a></nav><main>")
    for section in sections:
        parts.append(f"<h2>{html.escape(section[0])}</h2>")
        for paragraph in section[1].strip().split("\n"):
            if paragraph.strip():
                parts.append(f"<p>{html.escape(paragraph.strip().lstrip('- '))}</p>")
    parts.append("</main><footer>© Høgskolen</footer><script>var x = 1;</script></body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def make_markdown(path: Path, sections: Sequence[Page], title: str | None = None) -> Path:
    lines = [f"# {title or path.stem}", ""]
    for section in sections:
        lines += [f"## {section[0]}", "", section[1].strip(), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def make_text(path: Path, sections: Sequence[Page], title: str | None = None) -> Path:
    path.write_text("\n\n".join(f"{s[0]}\n{s[1].strip()}" for s in sections), encoding="utf-8")
    return path


BUILDERS = {
    ".pdf": make_pdf,
    ".pptx": make_pptx,
    ".docx": make_docx,
    ".html": make_html,
    ".htm": make_html,
    ".md": make_markdown,
    ".txt": make_text,
}


def make_file(path: Path, sections: Sequence[Page], title: str | None = None) -> Path:
    """Build a file of the kind its suffix names."""
    return BUILDERS[path.suffix.lower()](path, sections, title)
