"""The Markdown export through a real `pandoc` to .docx: claims keep their ids as bookmarks
and every citation becomes a Word footnote with its source's title and quote."""

import html
import re
import shutil
import subprocess
import zipfile

import pytest

from conftest import ERRORS, EXAMPLE, REPO, render


def pandoc(md, docx):
    exe = shutil.which("pandoc")
    assert exe, "pandoc is not installed (apt-get install pandoc)"
    r = subprocess.run([exe, str(md), "-o", str(docx)], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr
    return zipfile.ZipFile(docx)


def footnotes(z):
    xml = z.read("word/footnotes.xml").decode()
    notes = re.findall(r'<w:footnote (?![^>]*w:type=)[^>]*>(.*?)</w:footnote>', xml, re.S)
    return [html.unescape("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", n))) for n in notes]


def test_example_brief_to_docx_has_every_footnote_and_anchor(out_dir, example_json):
    md = render(EXAMPLE, "markdown", out_dir / "example.md", 0)
    z = pandoc(md, out_dir / "example.docx")
    notes = footnotes(z)
    citations = [cit for c in example_json["claims"] for cit in c["citations"]]
    assert len(notes) == len(citations) > 80
    sources = {s["id"]: s for s in example_json["sources"]}
    for text, cit in zip(notes, citations):
        assert sources[cit["source"]]["title"].replace("\u2019", "’")[:20] in text, text
        assert f"line {cit['line']}" in text or f"lines {cit['line']}" in text, text
        if cit["quote"]:
            # Pandoc sets an elision's "..." as an ellipsis; every other character is as written.
            assert "“" + cit["quote"].replace("...", "…") + "”" in text, text
        assert "reliability" in text
    doc = z.read("word/document.xml").decode()
    for c in example_json["claims"]:
        assert f'w:name="{c["anchor"]}"' in doc, c["anchor"]
    assert "Made in China 2025 at Ten" in z.read("docProps/core.xml").decode()


def test_brief_with_errors_to_docx_flags_the_missing_quote(out_dir):
    md = render(ERRORS, "markdown", out_dir / "errors.md", 1)
    z = pandoc(md, out_dir / "errors.docx")
    notes = footnotes(z)
    assert "Quote not found in the source." in notes[0]
    assert "<script>alert('quote')</script>" in notes[1]
    doc = z.read("word/document.xml").decode()
    assert "did not pass the check" in doc
