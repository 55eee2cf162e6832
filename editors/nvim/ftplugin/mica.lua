-- Buffer options for Mica documents: prose-friendly wrapping, HTML-style comments and ids
-- that include `-` (so `*`, `w` and completion treat `kj-success` as one word).

if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

local opt = vim.opt_local

-- `gc` (Neovim 0.10+) and most comment plugins read 'commentstring'.
opt.commentstring = "<!-- %s -->"
-- Lets `gq` and 'formatoptions' treat the comment leader sensibly inside multi-line comments.
opt.comments = "s:<!--,m:    ,e:-->"

-- Briefs are prose: wrap long lines at word boundaries instead of hard-wrapping them, and keep
-- the continuation of a wrapped list item indented under its text.
opt.wrap = true
opt.linebreak = true
opt.breakindent = true
opt.textwidth = 0
opt.formatoptions:remove("t")
opt.formatoptions:append("n")
opt.formatlistpat = [[^\s*\d\+[\]:.)}\t ]\s*\|^\s*[-*+]\s\+]]

-- Claim ids, tags and ICD 203 terms (`kj-success`, `almost-certain`) contain `-`.
opt.iskeyword:append("-")

vim.b.undo_ftplugin = table.concat({
  "setlocal commentstring< comments< wrap< linebreak< breakindent< textwidth<",
  "formatoptions< formatlistpat< iskeyword<",
}, " ")
