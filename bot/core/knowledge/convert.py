"""A teacher's file turned into text by sections: pages of a PDF, slides, a document's headings.

`convert(name, data)` reads `.md`, `.txt`, `.pdf` (its text layer), `.docx`, `.pptx` (slide text
and speaker notes) and `.html` (its main content) with small converters that need no model and
no network (pypdf, python-docx, python-pptx, beautifulsoup4). Every problem a member can cause
raises ConversionError with a code and the values its message needs; nothing is written here.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Literal

Kind = Literal["page", "slide"]
SUFFIXES = (".md", ".txt", ".pdf", ".docx", ".pptx", ".html", ".htm")

_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:side|page|s\.)\s*)?\d{1,4}(?:\s*(?:/|av|of)\s*\d{1,4})?\s*$", re.I
)
_BULLET = re.compile(r"^\s*(?:[-•▪◦●*–]\s+|\d{1,2}[.)]\s+)")


class ConversionError(Exception):
    """A file that cannot become knowledge: `code` names why (a key of its message)."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True, slots=True)
class Section:
    """One page, slide or headed part: its heading (may be empty) and its paragraphs."""

    heading: str
    paragraphs: tuple[str, ...]
    number: int | None = None  # the page or slide number, when the format has them


@dataclass(frozen=True, slots=True)
class Document:
    """A converted file: a title, whether its sections are pages or slides, and the sections."""

    title: str
    kind: Kind | None
    sections: tuple[Section, ...] = field(default=())

    @property
    def words(self) -> int:
        return sum(len(p.split()) for s in self.sections for p in s.paragraphs)


def convert(name: str, data: bytes) -> Document:
    """Convert a file's bytes by its name's suffix; raise ConversionError for a bad file."""
    suffix = PurePath(name).suffix.lower()
    readers = {
        ".md": _markdown,
        ".txt": _plain_text,
        ".pdf": _pdf,
        ".docx": _docx,
        ".pptx": _pptx,
        ".html": _html,
        ".htm": _html,
    }
    reader = readers.get(suffix)
    if reader is None:
        raise ConversionError("unsupported" if suffix else "no_suffix", suffix=suffix)
    document = reader(data, PurePath(name).stem)
    sections = tuple(s for s in document.sections if s.paragraphs)
    if not sections:
        raise ConversionError("empty")
    return Document(document.title or PurePath(name).stem, document.kind, sections)


# -- plain text and Markdown ----------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _plain_text(data: bytes, stem: str) -> Document:
    return Document(stem, None, tuple(_blocks(_decode(data).split("\n"), markdown=False)))


def _markdown(data: bytes, stem: str) -> Document:
    text = _decode(data).replace("\r\n", "\n")
    title = ""
    if text.startswith("---\n") and (end := text.find("\n---\n", 3)) != -1:
        found = re.search(r"^title:\s*['\"]?(.+?)['\"]?\s*$", text[4:end], re.M)
        title = found.group(1) if found else ""
        text = text[end + 5 :]
    return Document(title, None, tuple(_blocks(text.split("\n"), markdown=True)))


def _blocks(lines: list[str], markdown: bool) -> list[Section]:
    """Split lines into sections at Markdown headings; paragraphs are runs of lines."""
    sections: list[Section] = []
    heading = ""
    paragraphs: list[str] = []
    for line in [*lines, ""]:
        stripped = line.strip()
        if markdown and re.match(r"^#{1,6}\s", stripped):
            sections.append(Section(heading, tuple(_reflow(paragraphs))))
            heading, paragraphs = stripped.lstrip("#").strip(), []
            continue
        paragraphs.append(stripped)
    sections.append(Section(heading, tuple(_reflow(paragraphs))))
    return sections


def _reflow(lines: list[str]) -> list[str]:
    """Join wrapped lines into paragraphs: a blank line, a bullet or a short ended line breaks."""
    paragraphs: list[str] = []
    current: list[str] = []
    width = max((len(x) for x in lines), default=0)
    for line in lines:
        text = " ".join(line.split())
        if not text:
            if current:
                paragraphs.append(" ".join(current))
            current = []
            continue
        # A wrapped line fills the width: a shorter one ends its paragraph (or is a heading).
        if current and (_BULLET.match(text) or len(current[-1]) < 0.7 * width):
            paragraphs.append(" ".join(current))
            current = []
        if current and current[-1].endswith("-") and text[:1].islower():
            current[-1] += text  # a word broken at the line's end
        else:
            current.append(text)
    if current:
        paragraphs.append(" ".join(current))
    return [_BULLET.sub("", p, count=1) if _BULLET.match(p) else p for p in paragraphs]


# -- PDF -------------------------------------------------------------------------------------


def _pdf(data: bytes, stem: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ConversionError("encrypted")
        pages = list(reader.pages)
        texts = [page.extract_text() or "" for page in pages]
        meta = reader.metadata
        title = str(meta.title).strip() if meta is not None and meta.title else ""
    except ConversionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise ConversionError("encrypted") from exc
        raise ConversionError("corrupt", detail=type(exc).__name__) from exc
    except Exception as exc:  # pypdf raises many kinds on a broken file
        raise ConversionError("corrupt", detail=type(exc).__name__) from exc
    if not pages:
        raise ConversionError("empty")
    if not any(t.strip() for t in texts):
        raise ConversionError("no_text")
    sections = [_page(text, i) for i, text in enumerate(texts, start=1)]
    if not title or title.lower() == "untitled":
        title = stem
    return Document(title, "page", tuple(sections))


def _page(text: str, number: int) -> Section:
    """Return a PDF page: its first short unended line as the heading, page numbers left out."""
    lines = [x for x in text.replace("\r", "\n").split("\n") if not _PAGE_NUMBER.match(x)]
    filled = [i for i, x in enumerate(lines) if x.strip()]
    heading = ""
    if len(filled) > 1:
        first = " ".join(lines[filled[0]].split())
        if len(first) <= 90 and len(first.split()) <= 12 and not re.search(r"[.!?,;]$", first):
            heading = first
            lines = lines[filled[0] + 1 :]
    return Section(heading, tuple(_reflow(lines)), number=number)


# -- Word and PowerPoint -----------------------------------------------------------------------


def _office(data: bytes) -> None:
    """Refuse bytes that are no Office file (an encrypted one is an OLE file, not a zip)."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ConversionError("encrypted")  # a password-protected .docx/.pptx, or an old .doc
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ConversionError("corrupt", detail="not a zip package")


def _docx(data: bytes, stem: str) -> Document:
    import docx

    _office(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors, ...
        raise ConversionError("corrupt", detail=type(exc).__name__) from exc
    title = (document.core_properties.title or "").strip()
    sections: list[Section] = []
    heading = ""
    paragraphs: list[str] = []
    for paragraph in document.paragraphs:
        text = " ".join(paragraph.text.split())
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if not text:
            continue
        if style == "Title" and not title:
            title = text
            continue
        if style.startswith("Heading") or style == "Title":
            sections.append(Section(heading, tuple(paragraphs)))
            heading, paragraphs = text, []
            continue
        paragraphs.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [" ".join(c.text.split()) for c in row.cells]
            line = " – ".join(dict.fromkeys(c for c in cells if c))
            if line:
                paragraphs.append(line)
    sections.append(Section(heading, tuple(paragraphs)))
    return Document(title or stem, None, tuple(sections))


def _pptx(data: bytes, stem: str) -> Document:
    from pptx import Presentation

    _office(data)
    try:
        deck = Presentation(io.BytesIO(data))
    except Exception as exc:
        raise ConversionError("corrupt", detail=type(exc).__name__) from exc
    title = (deck.core_properties.title or "").strip()
    sections: list[Section] = []
    for number, slide in enumerate(deck.slides, start=1):
        heading = ""
        title_shape = slide.shapes.title
        if title_shape is not None and title_shape.has_text_frame:
            heading = " ".join(title_shape.text_frame.text.split())
        lines: list[str] = []
        for shape in _shapes(slide.shapes):
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            lines.extend(_shape_lines(shape))
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None:
                lines.extend(" ".join(x.split()) for x in notes.text.split("\n"))
        paragraphs = tuple(x for x in lines if x)
        if not paragraphs and heading:
            paragraphs = (heading,)
        sections.append(Section(heading, paragraphs, number=number))
    return Document(title or stem, "slide", tuple(sections))


def _shapes(shapes: Any) -> list[Any]:
    """Return the shapes of a slide, those inside groups included, in reading order."""
    out: list[Any] = []
    for shape in shapes:
        inner = getattr(shape, "shapes", None)
        out.extend(_shapes(inner) if inner is not None else [shape])
    return out


def _shape_lines(shape: Any) -> list[str]:
    if getattr(shape, "has_text_frame", False):
        frame = shape.text_frame
        return [" ".join(p.text.split()) for p in frame.paragraphs]
    if getattr(shape, "has_table", False):
        rows = shape.table.rows
        cells = (" – ".join(c.text.strip() for c in row.cells if c.text.strip()) for row in rows)
        return [" ".join(c.split()) for c in cells]
    return []


# -- HTML --------------------------------------------------------------------------------------

_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template")
_BLOCKS = ("p", "li", "blockquote", "pre", "td", "th", "dd", "dt", "figcaption")


def _html(data: bytes, stem: str) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(list(_DROP)):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    sections: list[Section] = []
    heading = ""
    paragraphs: list[str] = []
    for tag in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", *_BLOCKS]):
        if tag.name in _BLOCKS and tag.find_parent(list(_BLOCKS)) is not None:
            continue  # a <p> inside an <li>: its text is read with the item
        text = " ".join(tag.get_text(" ", strip=True).split())
        if not text:
            continue
        if tag.name.startswith("h") and tag.name[1:].isdigit():
            if tag.name == "h1" and not title:
                title = text
            sections.append(Section(heading, tuple(paragraphs)))
            heading, paragraphs = text, []
            continue
        paragraphs.append(text)
    if not sections and not paragraphs:
        loose = root.get_text("\n", strip=True)
        paragraphs = [" ".join(x.split()) for x in loose.split("\n") if x.strip()]
    sections.append(Section(heading, tuple(paragraphs)))
    return Document(title or stem, None, tuple(sections))


__all__ = ["SUFFIXES", "ConversionError", "Document", "Section", "convert"]
