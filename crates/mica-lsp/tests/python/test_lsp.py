"""`mica lsp` driven by pytest-lsp's client on a copy of the repository's workspace: diagnostics,
hover, definition, completion, code actions, references, rename, the outline and position
encodings, each through the real binary over stdio."""

import asyncio
import re

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

TIMEOUT = 20


def position(text: str, needle: str, after: int = 0, enc: str = "utf-16") -> types.Position:
    """The position of `needle` (plus `after` characters) in `text`, whose lines end in \\n."""
    i = text.index(needle) + after
    line = text.count("\n", 0, i)
    seg = text[text.rfind("\n", 0, i) + 1 : i]
    unit = len(seg.encode("utf-16-le")) // 2 if enc == "utf-16" else len(seg.encode("utf-8"))
    return types.Position(line=line, character=unit)


def expect_diagnostics(client: LanguageClient, uri: str, version=None) -> asyncio.Task:
    """Start waiting for the diagnostics of `uri` (at `version`) before sending what causes them:
    the first publication after this call that matches (see `record_diagnostics`)."""
    seen = len(client.published)

    async def wait():
        while True:
            for params in client.published[seen:]:
                if params.uri == uri and (version is None or params.version == version):
                    return params.diagnostics
            await asyncio.sleep(0.01)

    return asyncio.ensure_future(asyncio.wait_for(wait(), TIMEOUT))


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="mica", version=version, text=text)
        )
    )


def change(client: LanguageClient, uri: str, version: int, rng: types.Range, text: str):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=rng, text=text)],
        )
    )


async def open_brief(client: LanguageClient):
    path = client.root / "briefs" / "brief.mica"
    text = path.read_text()
    uri = path.as_uri()
    diags = expect_diagnostics(client, uri, 1)
    open_doc(client, uri, text)
    return uri, text, await diags


def doc_pos(uri: str, pos: types.Position) -> types.TextDocumentPositionParams:
    return types.TextDocumentPositionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos)


@pytest.mark.asyncio
async def test_the_brief_is_clean_and_an_edit_breaks_then_fixes_a_quote(vscode: LanguageClient):
    assert vscode.init_result.capabilities.position_encoding == "utf-16"
    uri, text, diags = await open_brief(vscode)
    assert [d for d in diags if d.severity == types.DiagnosticSeverity.Error] == []

    start = position(text, "more than 86 percent", len("more than "))
    rng = types.Range(start=start, end=types.Position(line=start.line, character=start.character + 2))
    diags = expect_diagnostics(vscode, uri, 2)
    change(vscode, uri, 2, rng, "87")
    diags = await diags
    broken = [d for d in diags if d.code == "quote-not-found"]
    assert len(broken) == 1
    related = broken[0].related_information[0]
    assert related.location.uri.endswith("/seeds/002_ea804cd81d83a2a9.txt")
    assert "86 percent" in broken[0].message

    actions = await vscode.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=broken[0].range,
            context=types.CodeActionContext(diagnostics=[broken[0]]),
        )
    )
    fix = next(a for a in actions if a.title.startswith("Replace the quote"))
    edit = fix.edit.changes[uri][0]
    assert "86 percent" in edit.new_text
    assert fix.diagnostics[0].code == "quote-not-found"

    # Applying the fix clears the error.
    diags = expect_diagnostics(vscode, uri, 3)
    change(vscode, uri, 3, edit.range, edit.new_text)
    assert [d for d in await diags if d.code == "quote-not-found"] == []


@pytest.mark.asyncio
async def test_hover_on_a_claim_shows_confidence_likelihood_and_passages(vscode: LanguageClient):
    uri, text, _ = await open_brief(vscode)
    hover = await vscode.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(text, "#kj-success", 3),
        )
    )
    md = hover.contents.value
    for expected in [
        "**Claim** `#kj-success` `.judgement`",
        "Confidence: **high**",
        "Likelihood: **very likely (80–95%)**",
        "**Made in China 2025** — `wiki`, reliability **C** (fairly reliable)",
        "`seeds/002_ea804cd81d83a2a9.txt:",
        "**more than 86 percent of the targets have been achieved**",
    ]:
        assert expected in md, md


@pytest.mark.asyncio
async def test_definition_leads_into_the_seed_and_to_declarations(vscode: LanguageClient):
    uri, text, _ = await open_brief(vscode)
    result = await vscode.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(text, "more than 86 percent", 5),
        )
    )
    target = result[0]
    target_uri = getattr(target, "target_uri", None) or target.uri
    assert target_uri.endswith("/seeds/002_ea804cd81d83a2a9.txt")
    seed = (vscode.root / "seeds" / "002_ea804cd81d83a2a9.txt").read_text()
    rng = getattr(target, "target_range", None) or target.range
    line = seed.splitlines()[rng.start.line]
    assert "86" in line

    result = await vscode.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(text, "cite=wiki:", len("cite=w")),
        )
    )
    target = result[0]
    assert (getattr(target, "target_uri", None) or target.uri).endswith("/mica.toml")


async def append_line(client: LanguageClient, uri: str, text: str, line: str) -> int:
    """Add `line` after the end of the open `text` (version 2); its line number, once checked."""
    end = len(text.splitlines())
    diags = expect_diagnostics(client, uri, 2)
    at = types.Position(line=end, character=0)
    change(client, uri, 2, types.Range(start=at, end=at), "\n" + line)
    await diags
    return end + 1


async def complete(client: LanguageClient, uri: str, line: int, character: int) -> types.CompletionList:
    return await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character)
        )
    )


@pytest.mark.asyncio
async def test_completion_of_sources_keys_and_quotes(vscode: LanguageClient):
    uri, text, _ = await open_brief(vscode)
    line = '[A new claim]{cite=wiki:"more than 86'
    n = await append_line(vscode, uri, text, line)
    items = await complete(vscode, uri, n, len('[A new claim]{cite='))
    labels = {i.label for i in items.items}
    assert {"wiki", "merics", "primer", "epoch", "overview"} <= labels

    items = await complete(vscode, uri, n, len(line))
    quotes = [i for i in items.items if i.kind == types.CompletionItemKind.Text]
    assert quotes, items
    assert quotes[0].text_edit.new_text.startswith("more than 86 percent of the targets have been achieved")
    assert quotes[0].text_edit.new_text.endswith('"')


@pytest.mark.asyncio
async def test_claim_id_completion_gives_each_claims_text(vscode: LanguageClient):
    uri, text, _ = await open_brief(vscode)
    line = "[A new claim]{#new supports=#"
    n = await append_line(vscode, uri, text, line)
    items = await complete(vscode, uri, n, len(line))
    claims = [i for i in items.items if i.kind == types.CompletionItemKind.Reference]
    assert claims and "new" not in {i.label for i in claims}, items
    # The claims nearest the cursor (in this brief, all of them), in document order.
    ids = re.findall(r"\{#([\w-]+)", text)
    assert [i.label for i in claims] == ids[-len(claims) :], [i.label for i in claims]
    flat = " ".join(text.split())
    for item in claims:
        assert item.text_edit.new_text == item.label
        assert item.detail and item.detail.rstrip("…") in flat, item


@pytest.mark.asyncio
async def test_references_and_rename_across_the_workspace(vscode: LanguageClient):
    uri, text, _ = await open_brief(vscode)
    refs = await vscode.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(text, "cite=wiki:", len("cite=w")),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    uris = [r.uri for r in refs]
    assert any(u.endswith("/mica.toml") for u in uris)
    assert uris.count(uri) >= 3

    prep = await vscode.text_document_prepare_rename_async(
        types.PrepareRenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position(text, "#kj-success", 2)
        )
    )
    assert prep.placeholder == "kj-success"
    edit = await vscode.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(text, "#kj-success", 2),
            new_name="kj-win",
        )
    )
    edits = edit.changes[uri]
    assert edits and all(e.new_text == "kj-win" for e in edits)

    with pytest.raises(Exception):
        await vscode.text_document_prepare_rename_async(
            types.PrepareRenameParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position(text, "**Scope.**", 3)
            )
        )


@pytest.mark.asyncio
async def test_outline_tokens_folding_and_workspace_symbols(vscode: LanguageClient):
    uri, text, _ = await open_brief(vscode)
    ident = types.TextDocumentIdentifier(uri=uri)
    symbols = await vscode.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=ident))
    names = [s.name for s in symbols]
    assert "Made in China 2025 at Ten" in names
    top = next(s for s in symbols if s.name == "Made in China 2025 at Ten")
    assert any(c.name == "Key judgements" for c in top.children)

    tokens = await vscode.text_document_semantic_tokens_full_async(types.SemanticTokensParams(text_document=ident))
    assert tokens.data and len(tokens.data) % 5 == 0

    folds = await vscode.text_document_folding_range_async(types.FoldingRangeParams(text_document=ident))
    assert any(f.start_line == 0 for f in folds)

    found = await vscode.workspace_symbol_async(types.WorkspaceSymbolParams(query="kjsucc"))
    assert [s.name for s in found] == ["#kj-success"]


@pytest.mark.asyncio
async def test_utf8_positions_for_a_client_that_offers_them(neovim: LanguageClient):
    assert neovim.init_result.capabilities.position_encoding == "utf-8"
    text = "[中文 😀 claim]{#c cite=nope}\n"
    uri = (neovim.root / "briefs" / "utf8.mica").as_uri()
    diags = expect_diagnostics(neovim, uri, 1)
    open_doc(neovim, uri, text)
    diags = await diags
    unknown = next(d for d in diags if d.code == "unknown-source")
    assert unknown.range.start == position(text, "nope", enc="utf-8")
    hover = await neovim.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position(text, "#c", 1, enc="utf-8"))
    )
    assert "`#c`" in hover.contents.value
