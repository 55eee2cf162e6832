" Vim syntax file
" Language:    Mica, the annotation language for policy briefs (reference: spec/mica.md)
" Filenames:   *.mica
"
" Regex highlighting for when the language server is not running, and as the base layer under
" its diagnostics. It follows spec/mica.md: front matter, comments, headings, `@source` lines,
" claims `[text]{...}` with their attribute lists, strings with `\"` and `\\` escapes, ids `#id`,
" tags `.tag`, citations `cite=SOURCE:L1-2:"quote"`, and prose escapes. It does not try to pair
" brackets the way the parser does; the server's diagnostics are the authority on errors.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
" Comments and strings may span lines; briefs are short enough to sync from the start.
syn sync fromstart

" An identifier (spec 2.6): letters and digits of any script, `_` and `-`, not starting with `-`.
" [:punct:] covers ASCII punctuation only, so letters of other scripts are accepted.
let s:ident = '\%([^[:space:][:punct:]]\|_\)\%([^[:space:][:punct:]]\|[_-]\)*'

" ---------- comments ----------
syn keyword micaTodo contained TODO FIXME XXX NOTE
syn region micaComment start=/<!--/ end=/-->/ contains=micaTodo,@Spell

" ---------- front matter (only at the very top) ----------
syn region micaFrontMatter matchgroup=micaFrontMatterDelimiter
      \ start=/\%^---[ \t]*$/ end=/^---[ \t]*$/ contains=micaFrontMatterKey keepend
exe 'syn match micaFrontMatterKey contained /^[ \t]*' . s:ident . '\ze[ \t]*:/'

" ---------- prose ----------
" `\[`, `\]`, `\{`, `\}`, `\\` and `\"` make the next character literal (spec 2.5).
syn match micaEscape /\\[][{}\\"]/
syn match micaListMarker /^[ \t]*\%([-*+]\|\d\+[.)]\)[ \t]\@=/
syn match micaBold /\*\*[^*[:space:]]\%([^*]*[^*[:space:]]\)\=\*\*/ contains=@Spell
syn match micaItalic /\%(\*\)\@1<!\*[^*[:space:]]\%([^*]*[^*[:space:]]\)\=\*\%(\*\)\@!/ contains=@Spell
" The `(url)` of a Markdown link `[text](url)`.
syn match micaUrl /\]\@1<=([^)[:space:]]*)/hs=s+1,he=e-1

syn cluster micaProse contains=micaEscape,micaComment,micaBold,micaItalic,micaUrl,@Spell

" ---------- headings ----------
syn region micaHeading matchgroup=micaHeadingMarker start=/^[ \t]\{0,3}#\{1,6}[ \t]/ end=/$/
      \ contains=micaClaim,micaAttrList,@micaProse oneline

" ---------- strings ----------
" A string ends at its closing `"` or, when that is missing, before a blank line (spec 3).
" A comment inside a string is still read as a comment, so a `"` in it does not end the string.
syn region micaString contained start=/"/ skip=/\\[\\"]/ end=/"/ end=/^[ \t]*$/
      \ contains=micaStringEscape,micaComment
syn region micaQuote contained start=/"/ skip=/\\[\\"]/ end=/"/ end=/^[ \t]*$/
      \ contains=micaStringEscape,micaComment,micaElision
syn match micaStringEscape contained /\\[\\"]/
" An elision marker in a quote: three or more dots or an ellipsis, with optional brackets.
syn match micaElision contained /[[(]\=\%(\.\{3,}\|…\)[])]\=/

" ---------- attributes (claims and source declarations) ----------
" `#id` and `.tag` stand after whitespace or the opening brace.
exe 'syn match micaId contained /\%(^\|\%([[:space:]{]\)\@1<=\)#' . s:ident . '/'
exe 'syn match micaTag contained /\%(^\|\%([[:space:]{]\)\@1<=\)\.' . s:ident . '/'
" `key=value`: the value is a string, a `#id` reference or a bare word (`high`, `0.7`, `55%`).
exe 'syn match micaAttrKey contained /\%(^\|\%([[:space:]{]\)\@1<=\)' . s:ident . '\ze=/ nextgroup=micaAttrEq'
syn match micaAttrEq contained /=/ nextgroup=micaString,micaIdRef,micaValue
exe 'syn match micaIdRef contained /#' . s:ident . '/'
syn match micaValue contained /[^[:space:]{}[\]"<#][^[:space:]{}[\]"<]*/
" `cite=SOURCE[:L1-2][:"quote"]` (spec 3, citation). Defined after micaAttrKey so it wins.
syn match micaCiteKey contained /\%(^\|\%([[:space:]{]\)\@1<=\)cite\ze=/ nextgroup=micaCiteEq
syn match micaCiteEq contained /=/ nextgroup=micaCiteSource
exe 'syn match micaCiteSource contained /' . s:ident . '/ nextgroup=micaCiteColon'
syn match micaCiteColon contained /:/ nextgroup=micaLineLocator,micaQuote
syn match micaLineLocator contained /L\d\+\%(-L\=\d\+\)\=/ nextgroup=micaCiteColon

syn cluster micaAttributes contains=micaId,micaTag,micaAttrKey,micaCiteKey,micaString,micaComment

" ---------- claims ----------
" `[` opens a claim only when its `]` is directly followed by `{` (one level of nested brackets,
" such as a link in the claim's text, is allowed). Other brackets are prose.
syn region micaClaim matchgroup=micaClaimBracket
      \ start=/\\\@1<!\[\ze\%(\\\_.\|\_[^[\]\\]\|\[\%(\\\_.\|\_[^[\]\\]\)*\]\)*\]{/
      \ end=/\]\ze{/ end=/^[ \t]*$/
      \ contains=@micaProse
" The attribute list starts at a `{` right after an unescaped `]` and may span lines; a blank
" line ends it when its `}` is missing.
syn region micaAttrList matchgroup=micaAttrBrace start=/\%(\\\]\)\@2<!\]\@1<={/ end=/}/ end=/^[ \t]*$/
      \ contains=@micaAttributes

" ---------- source declarations ----------
" `@source ID "PATH" key=value...` at the start of a line, indented by at most three spaces.
syn region micaSourceDecl start=/^[ \t]\{0,3}\ze@source\%([^[:space:]]\)\@!/ end=/$/
      \ contains=micaSourceKeyword,@micaAttributes
syn match micaSourceKeyword contained /@source/ nextgroup=micaSourceId skipwhite
exe 'syn match micaSourceId contained /' . s:ident . '/ nextgroup=micaSourcePath skipwhite'
syn region micaSourcePath contained start=/"/ skip=/\\[\\"]/ end=/"/ end=/^[ \t]*$/
      \ contains=micaStringEscape

" ---------- highlight links ----------
hi def link micaComment               Comment
hi def link micaTodo                  Todo
hi def link micaFrontMatterDelimiter  PreProc
hi def link micaFrontMatterKey        Identifier
hi def link micaHeading               Title
hi def link micaHeadingMarker         Delimiter
hi def link micaEscape                SpecialChar
hi def link micaListMarker            Statement
hi def link micaUrl                   Underlined
hi def micaBold   term=bold cterm=bold gui=bold
hi def micaItalic term=italic cterm=italic gui=italic
" The claim's own text is left unhighlighted by default, since it is ordinary prose; link
" micaClaim to Underlined (for example) to make claims stand out.
hi def link micaClaimBracket          Delimiter
hi def link micaAttrBrace             Delimiter
hi def link micaId                    Label
hi def link micaIdRef                 Label
hi def link micaTag                   Special
hi def link micaAttrKey               Type
hi def link micaAttrEq                Operator
hi def link micaValue                 Constant
hi def link micaString                String
hi def link micaStringEscape          SpecialChar
hi def link micaCiteKey               Type
hi def link micaCiteEq                Operator
hi def link micaCiteSource            Identifier
hi def link micaCiteColon             Operator
hi def link micaLineLocator           Number
hi def link micaQuote                 String
hi def link micaElision               SpecialChar
hi def link micaSourceKeyword         PreProc
hi def link micaSourceId              Identifier
hi def link micaSourcePath            String

let b:current_syntax = "mica"

let &cpo = s:cpo_save
unlet s:cpo_save
