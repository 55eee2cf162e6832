"""The HTML report in a real browser: headless Chromium (Debian's) driven by Selenium.

Checks, on the DOM Chromium built from the rendered example brief: every claim's anchor, every
note and its <mark>, the SVG argument map, and that a claim's note link lands on the note and
the note's back link lands on the claim. The brief with errors must show its findings and run
none of the markup its brief and sources hold.
"""

import pytest
from selenium.common.exceptions import UnexpectedAlertPresentException
from selenium.webdriver.common.by import By

from browser import chromium
from conftest import ERRORS, EXAMPLE, render


@pytest.fixture(scope="module")
def driver():
    with chromium(1280, 900) as d:
        yield d


@pytest.fixture(scope="module")
def example_page(out_dir):
    return render(EXAMPLE, "html", out_dir / "example.html", 0).as_uri()


@pytest.fixture(scope="module")
def errors_page(out_dir):
    return render(ERRORS, "html", out_dir / "errors.html", 1).as_uri()


def alnum(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def in_view(driver, el) -> bool:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.top >= -1 && r.top < window.innerHeight && r.height > 0;", el)


def test_every_claim_has_its_anchor(driver, example_page, example_json):
    driver.get(example_page)
    claims = example_json["claims"]
    assert len(claims) == 61
    for c in claims:
        found = driver.find_elements(By.ID, c["anchor"])
        assert len(found) == 1, c["anchor"]
        el = found[0]
        assert "claim" in el.get_attribute("class").split()
        assert el.is_displayed()
        # The claim's text is what the page shows (Markdown emphasis aside).
        assert c["text"].split()[0].strip("*_\"") in el.text


def test_every_note_shows_its_source_and_marks_the_quote(driver, example_page, example_json):
    driver.get(example_page)
    sources = {s["id"]: s for s in example_json["sources"]}
    notes = 0
    for c in example_json["claims"]:
        for cit in c["citations"]:
            notes += 1
            note = driver.find_element(By.ID, f"note-{cit['note']}")
            assert note.tag_name == "li"
            title = sources[cit["source"]]["title"]
            assert title in note.text, (cit["note"], title)
            assert f":{cit['line']}" in note.text
            marks = note.find_elements(By.TAG_NAME, "mark")
            assert marks, f"note {cit['note']} has no <mark>"
            if cit["quote"] is None:
                # A citation of whole lines marks them.
                assert len(marks) == 1 and marks[0].text, cit["note"]
                continue
            # The marks hold exactly the quoted words (punctuation and spacing aside: quotes
            # match after normalisation).
            marked = "".join(alnum(m.text) for m in marks)
            assert marked == "".join(alnum(p) for p in cit["quote"].split("...")), (cit["note"], marked)
            if "..." in cit["quote"]:
                assert len(marks) >= 2, f"elided quote of note {cit['note']}"
    assert notes == len(driver.find_elements(By.CSS_SELECTOR, "ol.notes > li")) > 80


def test_the_argument_map_is_an_svg_whose_nodes_link_to_claims(driver, example_page, example_json):
    driver.get(example_page)
    svg = driver.find_element(By.CSS_SELECTOR, "#map svg.map")
    assert svg.size["width"] > 400 and svg.size["height"] > 200
    related = {c["anchor"] for c in example_json["claims"] if c["supports"] or c["contradicts"]}
    targets = {t for c in example_json["claims"] for t in c["supports"] + c["contradicts"]}
    nodes = svg.find_elements(By.CSS_SELECTOR, "a.node")
    drawn = {n.get_attribute("data-claim") for n in nodes}
    assert drawn == related | targets
    for n in nodes:
        href = n.get_dom_attribute("href")
        assert href.endswith("#" + n.get_attribute("data-claim"))
    edges = svg.find_elements(By.CSS_SELECTOR, "path.edge")
    assert len(edges) == sum(len(c["supports"]) + len(c["contradicts"]) for c in example_json["claims"])
    # Following a node lands on its claim.
    nodes[0].click()
    claim = driver.find_element(By.ID, nodes[0].get_attribute("data-claim"))
    assert driver.execute_script("return location.hash") == "#" + claim.get_attribute("id")
    assert in_view(driver, claim)


def test_following_a_note_link_lands_on_the_note_and_back(driver, example_page, example_json):
    driver.get(example_page)
    for c in example_json["claims"]:
        for cit in c["citations"]:
            n = cit["note"]
            driver.find_element(By.ID, f"ref-{n}").click()
            assert driver.execute_script("return location.hash") == f"#note-{n}"
            note = driver.find_element(By.ID, f"note-{n}")
            assert in_view(driver, note), f"note {n} is not on screen"
            note.find_element(By.CSS_SELECTOR, "a.back").click()
            assert driver.execute_script("return location.hash") == f"#ref-{n}"
            assert in_view(driver, driver.find_element(By.ID, f"ref-{n}"))


def test_the_page_is_self_contained(driver, example_page):
    driver.get(example_page)
    assert driver.execute_script("return document.scripts.length") == 0
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_a_brief_with_errors_shows_them_and_runs_no_markup(driver, errors_page, errors_json):
    try:
        driver.get(errors_page)
        assert driver.execute_script("return document.scripts.length") == 0
    except UnexpectedAlertPresentException:
        pytest.fail("markup from the brief or a source ran a script")
    assert not driver.find_elements(By.TAG_NAME, "img")
    banner = driver.find_element(By.ID, "diagnostics")
    assert banner.is_displayed()
    assert "did not pass the check" in banner.text
    assert "quote-not-found" in banner.text
    # The claim whose quote is not found is flagged right where it stands, in red.
    flag = driver.find_element(By.CSS_SELECTOR, "#centres + .ann + .flag.code-quote-not-found")
    assert flag.is_displayed() and "Quote not found" in flag.text
    bg = flag.value_of_css_property("background-color")
    assert bg.startswith("rgba(179, 38, 30") or bg.startswith("rgb(179, 38, 30"), bg
    # Markup in the source is shown as text inside the note's <mark>.
    note = driver.find_element(By.ID, "note-2")
    assert "<script>alert('quote')</script>" in note.find_element(By.TAG_NAME, "mark").text
    # Every finding is listed.
    assert len(banner.find_elements(By.CSS_SELECTOR, "ol.findings > li")) == len(errors_json["diagnostics"])


def test_print_gives_a_clean_document_with_endnotes(driver, example_page, example_json):
    driver.get(example_page)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        style = lambda sel, prop: driver.execute_script(
            "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]", sel, prop)
        # Screen furniture goes; the notes start on a page of their own and stay whole.
        assert style("nav.toc", "display") == "none"
        assert style(".legend", "display") == "none"
        assert style("ol.notes .back", "display") == "none"
        assert style("#notes", "breakBefore") == "page"
        assert style("ol.notes > li", "breakInside") == "avoid"
        notes = driver.find_elements(By.CSS_SELECTOR, "ol.notes > li")
        cites = sum(len(c["citations"]) for c in example_json["claims"])
        assert len(notes) == cites and all(n.is_displayed() for n in notes[:3])
        assert style("mark", "printColorAdjust") == "exact"
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
